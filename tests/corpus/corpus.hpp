// The corpus of type definitions (this folder) and the token dump that the
// native harness (tests/native-expand) writes: shared by the comparison test
// and the macro benchmark (bench/macros).
//
// A corpus file is a list of entries, each starting with a line
// `// @entry NAME Macro,Macro,...`; the entry's source runs to the next such
// line, and text before the first entry is a comment. The dump format is
// described in tests/native-expand/src/main.rs; both sides must write it
// byte for byte alike, so that comparing dumps compares token trees.
#pragma once

#include "macros/library.hpp"
#include "tokens/token.hpp"
#include "tokens/tokenize.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace wasmacro::corpus {

struct Entry {
    std::string name;
    std::vector<std::string> macros;
    /// The rest of the entry line: an attribute macro's arguments.
    std::string args;
    std::string source;
};

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// CPU time of the running thread: the machine is shared, and other
/// processes' work must not count.
inline double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// Runs the native harness `exe` as `exe MODE ARGS... FILE...` and returns
/// what it prints; throws if it cannot be run or fails.
inline std::string run_native(const std::string& exe, const std::vector<std::string>& mode_args,
                              const std::vector<std::string>& files) {
    auto quote = [](const std::string& s) {
        std::string q = "'";
        for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
        return q + "'";
    };
    std::string cmd = quote(exe);
    for (const std::vector<std::string>* list : {&mode_args, &files})
        for (const std::string& arg : *list) cmd += " " + quote(arg);
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot run " + exe);
    std::string text;
    char buf[65536];
    for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) text.append(buf, n);
    if (pclose(pipe) != 0) throw std::runtime_error(cmd + " failed");
    return text;
}

inline std::vector<Entry> read_entries(const std::vector<std::string>& paths) {
    constexpr std::string_view kMarker = "// @entry ";
    std::vector<Entry> entries;
    for (const std::string& path : paths) {
        std::istringstream in(read_text(path));
        std::string line;
        bool in_entry = false;
        while (std::getline(in, line)) {
            if (line.starts_with(kMarker)) {
                std::istringstream fields(line.substr(kMarker.size()));
                Entry e;
                std::string macros;
                if (!(fields >> e.name >> macros))
                    throw std::runtime_error(path + ": malformed entry line: " + line);
                std::istringstream list(macros);
                std::string m;
                while (std::getline(list, m, ',')) e.macros.push_back(m);
                std::getline(fields >> std::ws, e.args);
                entries.push_back(std::move(e));
                in_entry = true;
            } else if (in_entry) {
                entries.back().source += line;
                entries.back().source += '\n';
            }
        }
    }
    return entries;
}

/// The macro named `name` in `registry`, of whichever kind it is.
inline macros::Registry::Found find_macro(const macros::Registry& registry,
                                          const std::string& name) {
    for (macros::MacroKind kind :
         {macros::MacroKind::Derive, macros::MacroKind::Attribute, macros::MacroKind::Bang}) {
        auto found = registry.find(kind, name);
        if (found.macro) return found;
    }
    return {};
}

/// An entry's source and its attribute arguments as tokens (throws a
/// tokens::LexError if either does not lex).
struct LexedEntry {
    tokens::TokenStream input, args;
};
inline LexedEntry lex_entry(const Entry& e, tokens::Edition edition) {
    tokens::LexOptions options;
    options.edition = edition;
    options.skip_shebang = false;
    return {tokens::tokenize_or_throw(tokens::SourceFile::from_bytes(e.name, e.source), options),
            tokens::tokenize_or_throw(tokens::SourceFile::from_bytes(e.name + " arguments", e.args),
                                      options)};
}

/// Expands `entry` (lexed) with `macro`: an attribute gets the arguments.
inline tokens::TokenStream expand_entry(macros::Library& lib, const macros::MacroDecl& macro,
                                        const LexedEntry& entry) {
    return lib.expand(macro, entry.input,
                      macro.kind == macros::MacroKind::Attribute ? &entry.args : nullptr);
}

/// Appends the dump of `stream`: one token a line, groups as their delimiters.
inline void dump(const tokens::TokenStream& stream, std::vector<std::string>& out) {
    using tokens::Delimiter;
    using tokens::TreeKind;
    std::vector<Delimiter> open; // groups not yet closed, innermost last
    std::vector<std::size_t> ends;
    auto close_until = [&](std::size_t i) {
        while (!ends.empty() && ends.back() <= i) {
            switch (open.back()) {
            case Delimiter::Parenthesis: out.emplace_back(")"); break;
            case Delimiter::Bracket: out.emplace_back("]"); break;
            case Delimiter::Brace: out.emplace_back("}"); break;
            case Delimiter::None: out.emplace_back(">"); break;
            }
            open.pop_back();
            ends.pop_back();
        }
    };
    for (std::size_t i = 0; i < stream.size(); ++i) {
        close_until(i);
        const tokens::Tree& t = stream[i];
        switch (t.kind) {
        case TreeKind::Group:
            switch (t.delimiter) {
            case Delimiter::Parenthesis: out.emplace_back("("); break;
            case Delimiter::Bracket: out.emplace_back("["); break;
            case Delimiter::Brace: out.emplace_back("{"); break;
            case Delimiter::None: out.emplace_back("<"); break;
            }
            open.push_back(t.delimiter);
            ends.push_back(t.end);
            break;
        case TreeKind::Ident:
            out.push_back(std::string("I ") + (t.raw ? "r#" : "") + std::string(t.text()));
            break;
        case TreeKind::Punct:
            out.push_back("P " + std::string(t.text()) +
                          (t.spacing == tokens::Spacing::Joint ? " J" : " A"));
            break;
        case TreeKind::Literal: {
            std::string line = "L ";
            for (char c : t.text()) {
                if (c == '\n')
                    line += "\\n";
                else
                    line += c;
            }
            out.push_back(std::move(line));
            break;
        }
        }
    }
    close_until(stream.size());
}

} // namespace wasmacro::corpus
