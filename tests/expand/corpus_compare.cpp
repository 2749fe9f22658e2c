// Pre-expand against bridge mode on the whole corpus (tests/corpus): every
// entry becomes a module of one crate, with its derives. Both sides then go
// through rustc's own expansion (`-Zunpretty=expanded`, RUSTC_BOOTSTRAP=1),
// so that what the macros' output calls (`try!`, `write!`, ...) is expanded
// alike:
//   bridge:      wasmacro rustc -Zunpretty=expanded crate.rs --wasm-proc-macro ...
//   pre-expand:  wasmacro expand crate.rs ... -o out; rustc -Zunpretty=expanded out/crate.rs
// Each entry's module must be the same tokens on both sides (spacing,
// delimiters and literal text included), except for what pre-expand removes
// on purpose: the derives' helper attributes and the `use` of the macro
// crates (and `r#try` for `try`, see filtered()).
//
//     expand_corpus_compare WASMACRO FIXTURES RUNTIME WORK_DIR FILE...
#include "../corpus/corpus.hpp"

#include "expand/syntax.hpp"
#include "tokens/tokenize.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

namespace {

using namespace wasmacro;
namespace fs = std::filesystem;

const std::set<std::string> kHelpers = {"serde", "error", "from", "source", "backtrace"};
const std::set<std::string> kMacroCrates = {"serde_derive", "thiserror"};

/// `s[lo, hi)` without helper attributes and `use`s of the macro crates.
void filtered(const tokens::TokenStream& s, std::size_t lo, std::size_t hi,
              tokens::TokenStream& out) {
    for (std::size_t i = lo; i < hi;) {
        if (auto a = expand::parse_attr(s, i, hi);
            a && a->path.segments.size() == 1 && kHelpers.count(std::string(a->path.segments[0]))) {
            i = a->end;
            continue;
        }
        if (expand::is_ident(s[i], "use") && i + 1 < hi &&
            kMacroCrates.count(std::string(s[i + 1].text()))) {
            while (i < hi && !expand::is_punct(s[i], ';')) i = s.next_sibling(i);
            ++i;
            continue;
        }
        if (s[i].is_group()) {
            out.open_group(s[i].delimiter, s[i].span);
            filtered(s, i + 1, s[i].end, out);
            out.close_group(tokens::Span{});
            i = s[i].end;
            continue;
        }
        out.append_tree(s, i++);
        // serde_derive (edition 2015) makes `try!`: bridge mode prints it with
        // its span's edition as `try`, pre-expand writes `r#try` into the
        // edition-2021 crate. The same identifier either way.
        tokens::Tree& t = out.mutable_nodes().back();
        if (t.kind == tokens::TreeKind::Ident && t.raw &&
            (t.text() == "try" || t.text() == "async" || t.text() == "await"))
            t.raw = false;
    }
}

/// Each `mod __entry_NAME { ... }` of an expanded crate, as a token dump.
std::map<std::string, std::vector<std::string>> entry_modules(const std::string& path) {
    tokens::LexOptions lex;
    lex.edition = tokens::Edition::E2021;
    tokens::TokenStream s = tokens::tokenize_or_throw(
        tokens::SourceFile::from_bytes(path, corpus::read_text(path)), lex);
    std::map<std::string, std::vector<std::string>> out;
    for (std::size_t i = 0; i + 2 < s.size(); i = s.next_sibling(i)) {
        if (!expand::is_ident(s[i], "mod") || !s[i + 1].text().starts_with("__entry_") ||
            !expand::is_group(s[i + 2], tokens::Delimiter::Brace))
            continue;
        tokens::TokenStream body;
        filtered(s, i + 3, s[i + 2].end, body);
        corpus::dump(body, out[std::string(s[i + 1].text().substr(8))]);
    }
    return out;
}

void run(const std::string& command) {
    std::cout << "+ " << command << "\n" << std::flush;
    // rustc may report errors in entries after printing (a format string
    // that leaves an argument unused, on both sides alike); the comparison
    // below is what decides.
    if (std::system(command.c_str()) == -1) throw std::runtime_error("cannot run: " + command);
}

void print_context(const char* side, const std::vector<std::string>& d, size_t at) {
    std::cout << "  " << side << ":\n";
    for (size_t i = at >= 6 ? at - 6 : 0; i < d.size() && i <= at + 3; ++i)
        std::cout << (i == at ? "  >> " : "     ") << d[i] << "\n";
    if (at >= d.size()) std::cout << "  >> (end)\n";
}

int compare(const std::string& wasmacro, const std::string& fixtures, const std::string& runtime,
            const fs::path& work, const std::vector<std::string>& files) {
    std::vector<corpus::Entry> entries = corpus::read_entries(files);
    fs::remove_all(work);
    fs::create_directories(work);
    {
        std::ofstream crate(work / "crate.rs");
        crate << "#![allow(warnings)]\n";
        for (const corpus::Entry& e : entries) {
            crate << "mod __entry_" << e.name << " {\n"
                  << "    use serde_derive::{Deserialize, Serialize};\n"
                  << "    use thiserror::Error;\n    #[derive(";
            for (size_t i = 0; i < e.macros.size(); ++i) crate << (i ? ", " : "") << e.macros[i];
            crate << ")]\n" << e.source << "}\n";
        }
        crate << "fn main() {}\n";
    }
    std::string w = "'" + wasmacro + "'", dir = "'" + work.string() + "'";
    std::string macros = " --wasm-proc-macro serde_derive=" + fixtures + "/serde_derive.wasm" +
                         " --wasm-proc-macro thiserror=" + fixtures + "/thiserror.wasm";
    std::string deps = " --extern serde=" + runtime + "/libserde.rlib -L dependency=" + runtime;
    run("RUSTC_BOOTSTRAP=1 " + w + " rustc -Zunpretty=expanded --edition 2021 " + dir +
        "/crate.rs" + macros + deps + " > " + dir + "/bridge.rs 2> " + dir + "/bridge.err");
    run(w + " expand " + dir + "/crate.rs --edition 2021" + macros + " -o " + dir + "/out");
    run("RUSTC_BOOTSTRAP=1 rustc -Zunpretty=expanded --edition 2021 " + dir + "/out/crate.rs" +
        deps + " --extern thiserror=" + runtime + "/libthiserror.rlib > " + dir +
        "/pre-expand.rs 2> " + dir + "/pre-expand.err");

    auto bridge = entry_modules((work / "bridge.rs").string());
    auto pre = entry_modules((work / "pre-expand.rs").string());
    int failures = 0, identical = 0;
    for (const corpus::Entry& e : entries) {
        auto a = bridge.find(e.name), b = pre.find(e.name);
        if (a == bridge.end() || b == pre.end()) {
            std::cout << "MISSING " << e.name << ": not in the "
                      << (a == bridge.end() ? "bridge" : "pre-expand") << " output\n";
            ++failures;
            continue;
        }
        const auto &x = a->second, &y = b->second;
        size_t i = 0;
        while (i < x.size() && i < y.size() && x[i] == y[i]) ++i;
        if (i < x.size() || i < y.size()) {
            std::cout << "MISMATCH " << e.name << " at token " << i << "\n";
            print_context("bridge", x, i);
            print_context("pre-expand", y, i);
            ++failures;
            continue;
        }
        ++identical;
    }
    std::cout << identical << "/" << entries.size() << " entries token-identical\n";
    return failures == 0 && !entries.empty() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 6) {
        std::cerr << "usage: expand_corpus_compare WASMACRO FIXTURES RUNTIME WORK_DIR FILE...\n";
        return 2;
    }
    try {
        return compare(argv[1], argv[2], argv[3], argv[4],
                       std::vector<std::string>(argv + 5, argv + argc));
    } catch (const std::exception& e) {
        std::cerr << "expand_corpus_compare: " << e.what() << "\n";
        return 2;
    }
}
