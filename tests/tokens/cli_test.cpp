// `wasmacro tokens`, driven in-process through the driver's run().
#include "driver/commands.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace {

struct Result {
    int code;
    std::string out, err;
};

Result run_tool(std::vector<std::string> args) {
    args.insert(args.begin(), "wasmacro");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::istringstream in;
    std::ostringstream out, err;
    int code = wasmacro::driver::run(static_cast<int>(argv.size()), argv.data(), in, out, err);
    return {code, out.str(), err.str()};
}

const std::string kGolden = WASMACRO_TOKENS_GOLDEN_DIR;

TEST(TokensCommand, DumpsOneTreePerLine) {
    Result r = run_tool({"tokens", kGolden + "/delimiters.rs"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, 16), "1:1-1:3 Group (\n");
}

TEST(TokensCommand, Json) {
    Result r = run_tool({"tokens", "--json", kGolden + "/lifetimes.rs"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j.is_array());
    EXPECT_EQ(j[0]["kind"], "Ident");
    EXPECT_EQ(j[0]["text"], "fn");
    EXPECT_EQ(j[0]["span"]["line"], 1);
    EXPECT_EQ(j[2]["spacing"], "Joint");
    EXPECT_EQ(j[12]["delimiter"], "(");
    EXPECT_TRUE(j[12]["children"].is_array());
}

TEST(TokensCommand, PrintAndPretty) {
    Result r = run_tool({"tokens", "--print", kGolden + "/delimiters.rs"});
    EXPECT_EQ(r.out, "() [] { } (a , [b , { c }]) { { } } f (x) [0] { y }\n");
    r = run_tool({"tokens", "--pretty", kGolden + "/shebang.rs"});
    EXPECT_EQ(r.out, "fn main() {}\n");
}

TEST(TokensCommand, EditionOption) {
    EXPECT_EQ(run_tool({"tokens", "--edition", "2018", kGolden + "/prefix_2018.rs"}).code, 0);
    EXPECT_EQ(run_tool({"tokens", kGolden + "/prefix_2018.rs"}).code, 1);
    EXPECT_NE(run_tool({"tokens", "--edition", "2019", kGolden + "/ints.rs"}).code, 0);
}

TEST(TokensCommand, ErrorsWithPositions) {
    Result r = run_tool({"tokens", kGolden + "/err_unterminated_str.rs"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("err_unterminated_str.rs:1:9: error: unterminated double quote string"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(run_tool({"tokens", "/nonexistent.rs"}).code, 1);
}

} // namespace
