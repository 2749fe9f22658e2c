// Corpus checks over a tree of .rs files (the Debian crate registry in CI):
//
//   tokens_corpus lex ROOT [EXPECTED_INVALID]
//       every file must lex, except those listed (path relative to ROOT, then
//       the reason); a listed file that lexes is an error too, so the list
//       stays honest. Printing, and the readable layout, must lex back to the
//       same trees.
//   tokens_corpus diff ROOT PM2DUMP_OUTPUT
//       our dump of each file must equal proc-macro2's, as written by `pm2dump dump`.
//   tokens_corpus print-diff ROOT PM2PRINT_OUTPUT
//       our printer's text must equal proc-macro2's Display (`pm2dump print`).
//
// Prints counts and exits non-zero on any failure.
#include "tokens/dump.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace wasmacro::tokens;

namespace {

std::vector<std::string> rust_files(const fs::path& root) {
    std::vector<std::string> out;
    for (auto& e : fs::recursive_directory_iterator(root))
        if (e.is_regular_file() && e.path().extension() == ".rs")
            out.push_back(fs::relative(e.path(), root).generic_string());
    std::sort(out.begin(), out.end());
    return out;
}

std::map<std::string, std::string> read_expected_invalid(const std::string& path) {
    std::map<std::string, std::string> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto sp = line.find_first_of(" \t");
        out[line.substr(0, sp)] = sp == std::string::npos ? "" : line.substr(sp + 1);
    }
    return out;
}

// A crate's files are lexed with the edition its Cargo.toml names (2015 if none),
// as rustc would: edition 2018 code may write `ident#` inside macro input.
Edition crate_edition(const fs::path& root, const std::string& rel) {
    static std::map<std::string, Edition> cache;
    std::string krate = rel.substr(0, rel.find('/'));
    auto it = cache.find(krate);
    if (it != cache.end()) return it->second;
    Edition ed = Edition::E2015;
    std::ifstream in(root / krate / "Cargo.toml");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("edition", 0) != 0) continue;
        auto q = line.find('"');
        if (q != std::string::npos) parse_edition(line.substr(q + 1, 4), ed);
        break;
    }
    return cache[krate] = ed;
}

bool same_after(const TokenStream& original, const std::string& printed, Edition ed) {
    auto again = parse_text(printed, ed, Span{});
    return again && same_trees(original, *again);
}

int cmd_lex(const fs::path& root, const std::string& invalid_list) {
    auto expected = invalid_list.empty() ? std::map<std::string, std::string>{}
                                         : read_expected_invalid(invalid_list);
    std::size_t files = 0, lexed = 0, expected_bad = 0, failures = 0, bytes = 0;
    for (const std::string& rel : rust_files(root)) {
        ++files;
        SourceFile f = SourceFile::load((root / rel).string());
        bytes += f.text->size();
        LexOptions opts;
        opts.edition = crate_edition(root, rel);
        LexResult r = tokenize(f, opts);
        bool listed = expected.count(rel) != 0;
        if (!r.ok()) {
            if (listed) {
                ++expected_bad;
                continue;
            }
            ++failures;
            std::cout << "FAIL lex " << format_diagnostic(rel, r.errors.front()) << "\n";
            continue;
        }
        if (listed) {
            ++failures;
            std::cout << "FAIL listed as invalid but lexes: " << rel << "\n";
        }
        ++lexed;
        if (!same_after(r.stream, to_string(r.stream), opts.edition)) {
            ++failures;
            std::cout << "FAIL print round trip: " << rel << "\n";
        }
        if (!same_after(r.stream, to_pretty_string(r.stream), opts.edition)) {
            ++failures;
            std::cout << "FAIL pretty round trip: " << rel << "\n";
        }
    }
    std::cout << "files: " << files << ", bytes: " << bytes
              << ", lexed and round-tripped: " << lexed << ", expected invalid: " << expected_bad
              << ", failures: " << failures << "\n";
    return failures == 0 && files > 0 ? 0 : 1;
}

struct DiffCounts {
    std::size_t files = 0, identical = 0, both_refused = 0, failures = 0;
};

enum class Compare { Dump, Print };

void compare_file(const fs::path& root, const std::string& rel, const std::string& theirs,
                  Compare what, DiffCounts& n) {
    ++n.files;
    SourceFile f = SourceFile::load((root / rel).string());
    LexOptions opts;
    opts.edition = crate_edition(root, rel);
    LexResult r = tokenize(f, opts);
    bool they_refused = theirs.rfind("ERROR", 0) == 0;
    if (they_refused || !r.ok()) {
        if (they_refused && !r.ok()) {
            ++n.both_refused;
        } else {
            ++n.failures;
            std::cout << "FAIL " << rel << ": "
                      << (they_refused
                              ? "only proc-macro2 refuses it"
                              : "only we refuse it: " + format_diagnostic(rel, r.errors.front()))
                      << "\n";
        }
        return;
    }
    std::string ours;
    if (what == Compare::Dump) {
        ours = dump_text(r.stream);
    } else {
        append_one_line(ours, to_string(r.stream));
        ours += '\n';
    }
    if (ours == theirs) {
        ++n.identical;
        return;
    }
    ++n.failures;
    std::istringstream a(ours), b(theirs);
    std::string la, lb;
    for (int line = 1;; ++line) {
        bool ga = static_cast<bool>(std::getline(a, la));
        bool gb = static_cast<bool>(std::getline(b, lb));
        if (!ga && !gb) break;
        if (!ga || !gb || la != lb) {
            std::cout << "FAIL " << rel << (what == Compare::Dump ? " dump" : " printed")
                      << " line " << line << ":\n  ours: " << la << "\n  pm2:  " << lb << "\n";
            break;
        }
    }
}

// The pm2dump output has one section per file: "=== path", then the dump or
// "ERROR ..." if proc-macro2 refused the file. "-" reads standard input.
int cmd_diff(const fs::path& root, const std::string& pm2_output, Compare what) {
    std::ifstream file;
    if (pm2_output != "-") {
        file.open(pm2_output, std::ios::binary);
        if (!file) {
            std::cerr << "cannot read " << pm2_output << "\n";
            return 1;
        }
    }
    std::istream& in = pm2_output == "-" ? std::cin : file;
    DiffCounts n;
    std::string line, rel, theirs;
    bool have = false;
    while (std::getline(in, line)) {
        if (line.rfind("=== ", 0) == 0) {
            if (have) compare_file(root, rel, theirs, what, n);
            rel = line.substr(4);
            theirs.clear();
            have = true;
        } else if (!have) {
            std::cerr << "malformed pm2dump output: " << line << "\n";
            return 1;
        } else {
            theirs += line;
            theirs += '\n';
        }
    }
    if (have) compare_file(root, rel, theirs, what, n);
    std::cout << "files: " << n.files << ", identical: " << n.identical
              << ", refused by both: " << n.both_refused << ", failures: " << n.failures << "\n";
    return n.failures == 0 && n.files > 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    std::string cmd = argc > 1 ? argv[1] : "";
    try {
        if (cmd == "lex" && (argc == 3 || argc == 4))
            return cmd_lex(argv[2], argc == 4 ? argv[3] : "");
        if (cmd == "diff" && argc == 4) return cmd_diff(argv[2], argv[3], Compare::Dump);
        if (cmd == "print-diff" && argc == 4) return cmd_diff(argv[2], argv[3], Compare::Print);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    std::cerr << "usage: tokens_corpus lex ROOT [EXPECTED_INVALID] | diff ROOT PM2DUMP_OUTPUT"
                 " | print-diff ROOT PM2PRINT_OUTPUT\n";
    return 2;
}
