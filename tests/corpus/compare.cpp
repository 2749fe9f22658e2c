// The corpus test: every entry of the corpus is expanded by the wasm fixtures
// (serde_derive.wasm, thiserror.wasm) and by the same macro code compiled
// natively (tests/native-expand), and the two outputs must be the same token
// trees, token for token (spacing, delimiters and literal text included;
// spans ignored).
//
//     corpus_compare FIXTURES_DIR NATIVE_EXPAND FILE...
//     corpus_compare MODULE.wasm[,MODULE.wasm...] NATIVE_HARNESS FILE...
//
// (the second for any macro module: derives, attributes with the arguments
// on their entry line, function-like macros on the entry's source).
//
// On a mismatch it prints the entry, the first differing token and the tokens
// around it. An expansion that is a `compile_error!` also fails the test: the
// entries must be valid for their macros, or the comparison would only cover
// the error path. With --expect-errors first, the other way round: each
// entry must be refused, and the errors compared.
#include "corpus.hpp"

#include "macros/library.hpp"
#include "tokens/tokenize.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace wasmacro;

using Dump = std::vector<std::string>;

std::map<std::string, Dump> native_dumps(const std::string& exe,
                                         const std::vector<std::string>& files) {
    std::string text = corpus::run_native(exe, {"dump"}, files);

    std::map<std::string, Dump> dumps;
    Dump* current = nullptr;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.starts_with("@@ "))
            current = &dumps[line.substr(3)];
        else if (current)
            current->push_back(std::move(line));
        else
            throw std::runtime_error("native dump: token before the first header");
    }
    return dumps;
}

struct Tally {
    int matched = 0;
    int total = 0;
};

void print_context(const char* side, const Dump& d, size_t at) {
    size_t from = at >= 6 ? at - 6 : 0;
    std::cout << "  " << side << ":\n";
    for (size_t i = from; i < d.size() && i <= at + 3; ++i)
        std::cout << (i == at ? "  >> " : "     ") << d[i] << "\n";
    if (at >= d.size()) std::cout << "  >> (end of output)\n";
}

int run(const std::vector<std::string>& modules, const std::string& native,
        const std::vector<std::string>& files, bool expect_errors) {
    std::vector<corpus::Entry> entries = corpus::read_entries(files);
    std::map<std::string, Dump> expected = native_dumps(native, files);

    macros::Registry registry;
    for (const std::string& path : modules) {
        std::string text = corpus::read_text(path);
        std::vector<uint8_t> bytes(text.begin(), text.end());
        std::string file = path.substr(path.find_last_of('/') + 1);
        registry.add(file.substr(0, file.size() - 5), macros::Library::load(bytes, file));
    }

    std::map<std::string, Tally> tally;
    int failures = 0;
    for (const corpus::Entry& e : entries) {
        for (const std::string& m : e.macros) {
            Tally& t = tally[m];
            ++t.total;
            auto fail = [&](const std::string& why) {
                ++failures;
                std::cout << "MISMATCH " << e.name << " " << m << ": " << why << "\n"
                          << "  entry:\n"
                          << e.source;
            };
            auto [lib, decl] = corpus::find_macro(registry, m);
            if (!decl) {
                fail("no fixture declares this macro");
                continue;
            }
            auto want = expected.find(e.name + " " + m);
            if (want == expected.end()) {
                fail("the native harness wrote no expansion");
                continue;
            }
            Dump got;
            try {
                corpus::dump(
                    corpus::expand_entry(*lib, *decl, corpus::lex_entry(e, lib->decls().edition)),
                    got);
            } catch (const std::exception& ex) {
                fail(std::string("wasm expansion failed: ") + ex.what());
                continue;
            }
            const Dump& ref = want->second;
            size_t i = 0;
            while (i < got.size() && i < ref.size() && got[i] == ref[i]) ++i;
            if (i < got.size() || i < ref.size()) {
                fail("first difference at token " + std::to_string(i));
                print_context("wasm", got, i);
                print_context("native", ref, i);
                continue;
            }
            // A compile_error! right after an attribute is an item under a cfg
            // (ctor's for targets without constructors), not the macro
            // refusing the entry.
            bool invalid = false;
            for (size_t k = 0; k < got.size(); ++k)
                invalid |= got[k] == "I compile_error" && (k == 0 || got[k - 1] != "]");
            if (invalid && !expect_errors) {
                fail("both expand to compile_error!: the entry is not valid for its macro");
                continue;
            }
            if (!invalid && expect_errors) {
                fail("neither expands to compile_error!: the macro accepts the entry");
                continue;
            }
            ++t.matched;
        }
    }
    for (const auto& [macro, t] : tally)
        std::cout << macro << ": " << t.matched << "/" << t.total << " identical\n";
    std::cout << entries.size() << " entries, " << failures << " failing expansion(s)\n";
    // A corpus that reads as empty, or native output for entries we never
    // expanded, means the two sides no longer parse the same files.
    size_t compared = 0;
    for (const auto& [macro, t] : tally) compared += static_cast<size_t>(t.total);
    if (entries.empty() || expected.size() != compared) {
        std::cout << "the corpus read as " << entries.size() << " entries and " << compared
                  << " expansions, but the native harness wrote " << expected.size() << "\n";
        return 1;
    }
    return failures == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    bool expect_errors = argc > 1 && std::string_view(argv[1]) == "--expect-errors";
    if (expect_errors) {
        --argc;
        ++argv;
    }
    if (argc < 4) {
        std::cerr << "usage: corpus_compare [--expect-errors] "
                     "FIXTURES_DIR|MODULE.wasm[,MODULE.wasm...] NATIVE FILE...\n";
        return 2;
    }
    // A directory means the serde and thiserror fixtures in it.
    std::vector<std::string> modules;
    std::string first = argv[1];
    if (first.ends_with(".wasm")) {
        for (size_t at = 0; at <= first.size();) {
            size_t comma = std::min(first.find(',', at), first.size());
            modules.push_back(first.substr(at, comma - at));
            at = comma + 1;
        }
    } else {
        modules = {first + "/serde_derive.wasm", first + "/thiserror.wasm"};
    }
    try {
        return run(modules, argv[2], std::vector<std::string>(argv + 3, argv + argc),
                   expect_errors);
    } catch (const std::exception& e) {
        std::cerr << "corpus_compare: " << e.what() << "\n";
        return 2;
    }
}
