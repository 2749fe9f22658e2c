// Golden tests: each golden/NAME.rs is lexed and its trees, errors and printed
// forms are compared with golden/NAME.expected. A first line
// `// edition:2018` picks the edition (default 2021).
//
// Rebaseline after an intended change with
//     tokens_golden_test --rebaseline      (or WASMACRO_REBASELINE=1 ctest ...)
#include "tokens/dump.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace wasmacro::tokens;

namespace {

bool g_rebaseline = false;

const fs::path kGoldenDir = WASMACRO_TOKENS_GOLDEN_DIR;

std::vector<std::string> golden_names() {
    std::vector<std::string> names;
    for (auto& e : fs::directory_iterator(kGoldenDir))
        if (e.path().extension() == ".rs") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string render(const std::string& name) {
    std::string file = name + ".rs";
    SourceFile src = SourceFile::load((kGoldenDir / file).string());
    src.name = file;
    LexOptions opts;
    const std::string& text = *src.text;
    if (text.rfind("// edition:", 0) == 0) parse_edition(text.substr(11, 4), opts.edition);
    LexResult r = tokenize(src, opts);
    std::string out = "== trees\n" + dump_text(r.stream);
    out += "== errors\n";
    for (const Diagnostic& d : r.errors) out += format_diagnostic(file, d) + "\n";
    std::string display = to_string(r.stream);
    out += "== display\n";
    append_one_line(out, display);
    out += "\n";
    if (r.ok()) {
        out += "== pretty\n" + to_pretty_string(r.stream);
        // Both printed forms must lex back to the same trees.
        auto again = parse_text(display, opts.edition, Span{});
        EXPECT_TRUE(again && same_trees(r.stream, *again)) << "display round trip: " << name;
        again = parse_text(to_pretty_string(r.stream), opts.edition, Span{});
        EXPECT_TRUE(again && same_trees(r.stream, *again)) << "pretty round trip: " << name;
    }
    return out;
}

class Golden : public testing::TestWithParam<std::string> {};

TEST_P(Golden, Matches) {
    const std::string name = GetParam();
    std::string actual = render(name);
    fs::path expected_path = kGoldenDir / (name + ".expected");
    if (g_rebaseline) {
        std::ofstream(expected_path, std::ios::binary) << actual;
        return;
    }
    std::ifstream in(expected_path, std::ios::binary);
    ASSERT_TRUE(in) << "missing " << expected_path << " (run with --rebaseline)";
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), actual) << "golden mismatch for " << name
                                << " (rebaseline with --rebaseline if intended)";
}

INSTANTIATE_TEST_SUITE_P(Tokens, Golden, testing::ValuesIn(golden_names()),
                         [](const testing::TestParamInfo<std::string>& param_info) {
                             return param_info.param;
                         });

} // namespace

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--rebaseline") == 0) g_rebaseline = true;
    if (const char* env = std::getenv("WASMACRO_REBASELINE"); env && *env && *env != '0')
        g_rebaseline = true;
    return RUN_ALL_TESTS();
}
