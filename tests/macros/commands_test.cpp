// `wasmacro inspect`, `annotate` and `call`, driven in-process through run().
#include "driver/commands.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Result {
    int code;
    std::string out, err;
};

Result run_tool(std::vector<std::string> args, const std::string& stdin_text = {}) {
    args.insert(args.begin(), "wasmacro");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    int code = wasmacro::driver::run(static_cast<int>(argv.size()), argv.data(), in, out, err);
    return {code, out.str(), err.str()};
}

const std::string kFixtures = WASMACRO_FIXTURES_DIR;

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("wasmacro_" + std::to_string(::getpid()) + "_" + name))
        .string();
}

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A copy of a fixture without its decls section, as plain watt builds them.
std::string plain_copy(const std::string& fixture) {
    std::string path = temp_path("plain_" + fixture);
    // Annotating replaces the section; dropping it is annotating with a
    // section under another name, which the host ignores.
    std::vector<uint8_t> bytes = read_file(kFixtures + "/" + fixture);
    const std::string name = ".rustc_proc_macro_decls";
    auto at = std::search(bytes.begin(), bytes.end(), name.begin(), name.end());
    EXPECT_NE(at, bytes.end());
    at[1] = 'x'; // ".xustc_proc_macro_decls"
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
}

TEST(InspectCommand, Text) {
    Result r = run_tool({"inspect", kFixtures + "/serde_derive.wasm"});
    ASSERT_EQ(r.code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("macros (2), edition 2015:"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  derive Serialize -> derive_serialize (helpers: serde)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("function \"watt-0.5\" \"token_stream_deserialize\" (i32, i32) -> (i32)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("function \"raw_to_token_stream\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("features: "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("problem:"), std::string::npos) << r.out;
}

TEST(InspectCommand, Json) {
    Result r = run_tool({"inspect", "--json", kFixtures + "/example_macros.wasm"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["size"], std::filesystem::file_size(kFixtures + "/example_macros.wasm"));
    EXPECT_EQ(j["edition"], "2021");
    ASSERT_EQ(j["macros"].size(), 2u);
    bool saw_trace = false;
    for (const auto& m : j["macros"])
        if (m["name"] == "trace") {
            saw_trace = true;
            EXPECT_EQ(m["kind"], "attr");
            EXPECT_EQ(m["export"], "attr_trace");
        }
    EXPECT_TRUE(saw_trace);
    for (const auto& i : j["imports"]) EXPECT_EQ(i["module"], "watt-0.5");
    EXPECT_TRUE(j["features"].is_array());
    EXPECT_TRUE(j["problems"].empty());
}

TEST(InspectCommand, PlainWattModule) {
    std::string plain = plain_copy("demo.wasm");
    Result r = run_tool({"inspect", plain});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("macros: none declared"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("wasmacro annotate"), std::string::npos) << r.out;
    std::remove(plain.c_str());
    EXPECT_EQ(run_tool({"inspect", "/nonexistent.wasm"}).code, 1);
}

TEST(AnnotateCommand, AddsDeclsThatCallCanUse) {
    std::string plain = plain_copy("demo.wasm");
    std::string out = temp_path("annotated_demo.wasm");
    Result r = run_tool({"annotate", "--derive", "Demo=derive_demo", plain, "-o", out});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("1 macro declared"), std::string::npos) << r.out;
    r = run_tool({"inspect", out});
    EXPECT_NE(r.out.find("derive Demo -> derive_demo"), std::string::npos) << r.out;
    r = run_tool({"call", out, "Demo"}, "struct S;");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("\"Hello from WASM! My name is S.\""), std::string::npos) << r.out;
    // Every byte but the section is kept.
    std::vector<uint8_t> before = read_file(plain), after = read_file(out);
    ASSERT_GT(after.size(), before.size());
    EXPECT_TRUE(std::equal(before.begin(), before.end(), after.begin()));
    std::remove(plain.c_str());
    std::remove(out.c_str());
}

TEST(AnnotateCommand, ReplacesAnExistingSection) {
    std::string out = temp_path("reannotated.wasm");
    Result r = run_tool({"annotate", kFixtures + "/example_macros.wasm", "-o", out, "--attr",
                         "traced=attr_trace", "--bang", "names=bang_enum_str", "--derive",
                         "X=bang_enum_str:a,b", "--edition", "2018"});
    ASSERT_EQ(r.code, 0) << r.err;
    r = run_tool({"inspect", "--json", out});
    auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["macros"].size(), 3u) << r.out;
    EXPECT_EQ(j["edition"], "2018");
    EXPECT_EQ(j["macros"][0]["name"], "X");
    EXPECT_EQ(j["macros"][0]["helpers"], nlohmann::json::array({"a", "b"}));
    r = run_tool({"call", out, "traced", "--args", "\"lbl\""}, "fn f() {}");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("\"lbl\""), std::string::npos) << r.out;
    std::remove(out.c_str());
}

TEST(AnnotateCommand, Refusals) {
    std::string out = temp_path("never.wasm");
    Result r = run_tool(
        {"annotate", kFixtures + "/demo.wasm", "-o", out, "--derive", "Demo=no_such_export"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("no exported function \"no_such_export\""), std::string::npos) << r.err;
    r = run_tool({"annotate", kFixtures + "/demo.wasm", "-o", out, "--attr", "demo=derive_demo"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("must have type (i32, i32) -> (i32)"), std::string::npos) << r.err;
    r = run_tool({"annotate", kFixtures + "/demo.wasm", "-o", out, "--derive", "Demo"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("expected Trait=export"), std::string::npos) << r.err;
    r = run_tool({"annotate", kFixtures + "/demo.wasm", "-o", out, "--derive", "1x=derive_demo"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("not a macro name"), std::string::npos) << r.err;
    r = run_tool({"annotate", kFixtures + "/demo.wasm", "-o", out});
    EXPECT_EQ(r.code, 1);
    EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(CallCommand, SerializePrettyOutput) {
    Result r = run_tool({"call", kFixtures + "/serde_derive.wasm", "Serialize"},
                        "struct Point { x: i32, y: i32 }");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("impl _serde::Serialize for Point {"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find('\n'), std::string::npos);
}

TEST(CallCommand, BangAndErrors) {
    Result r =
        run_tool({"call", kFixtures + "/example_macros.wasm", "enum_str"}, "enum E { A, B }");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("\"A\""), std::string::npos) << r.out;

    r = run_tool({"call", kFixtures + "/hostile.wasm", "Panic"}, "struct S;");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("panicked on purpose"), std::string::npos) << r.err;

    r = run_tool({"call", kFixtures + "/hostile.wasm", "infinite_loop", "--fuel", "100000"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("fuel budget of 100000 units"), std::string::npos) << r.err;
    // The driver words the advice for the limit the macro hit.
    EXPECT_NE(r.err.find("units); raise the limit with --fuel\n"), std::string::npos) << r.err;

    r = run_tool(
        {"call", kFixtures + "/hostile.wasm", "unbounded_recursion", "--max-call-depth", "500"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("more than 500 nested calls"), std::string::npos) << r.err;

    r = run_tool(
        {"call", kFixtures + "/hostile.wasm", "unbounded_alloc", "--max-memory-pages", "100"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("beyond 100 pages"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("; raise the limit with --max-memory-pages"), std::string::npos) << r.err;

    r = run_tool({"call", kFixtures + "/hostile.wasm", "bad_abi"}, "wire_bad_tag");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("unknown tree tag 7"), std::string::npos) << r.err;

    r = run_tool({"call", kFixtures + "/demo.wasm", "Nope"}, "struct S;");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("has no macro `Nope`; it has: Demo (derive)"), std::string::npos) << r.err;

    r = run_tool({"call", kFixtures + "/demo.wasm", "Demo", "--args", "x"}, "struct S;");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("--args is for attribute macros"), std::string::npos) << r.err;

    r = run_tool({"call", kFixtures + "/demo.wasm", "Demo"}, "struct S { \"unterminated }");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("<stdin>:1:"), std::string::npos) << r.err;
}

} // namespace

namespace {

// The command line as users expect it (issue 15, item 5).

TEST(Cli, VersionAndHelp) {
    Result r = run_tool({"--version"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out.rfind("wasmacro ", 0), 0u) << r.out;
    EXPECT_NE(r.out.find_first_of("0123456789"), std::string::npos) << r.out;
    r = run_tool({"--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("--version"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("cargo"), std::string::npos) << r.out;
}

// Every environment variable the sources read is in `wasmacro --help` and
// in the README: the C++ (getenv), the bridge inside rustc (env::var).
TEST(Cli, EveryEnvironmentVariableIsDocumented) {
    const std::string help = run_tool({"--help"}).out;
    std::ifstream readme_in(std::string(WASMACRO_SOURCE_DIR) + "/README.md");
    const std::string readme{std::istreambuf_iterator<char>(readme_in), {}};
    std::set<std::string> names;
    for (const char* dir : {"/src", "/rust/bridge/src"}) {
        for (const auto& entry : std::filesystem::recursive_directory_iterator(
                 std::string(WASMACRO_SOURCE_DIR) + dir)) {
            if (!entry.is_regular_file()) continue;
            std::ifstream in(entry.path());
            const std::string text{std::istreambuf_iterator<char>(in), {}};
            static const std::regex kRead(
                R"re((?:getenv\(|env_or\(|env_path\(|env::var(?:_os)?\(|const [A-Z_]+: &str = )"([A-Z][A-Z0-9_]+)")re");
            for (std::sregex_iterator m(text.begin(), text.end(), kRead), end; m != end; ++m)
                names.insert((*m)[1]);
        }
    }
    // Read by the tool, and set by Cargo or the system rather than by users.
    for (const char* theirs : {"HOME", "CARGO_MANIFEST_DIR"}) names.erase(theirs);
    EXPECT_GE(names.size(), 10u);
    for (const std::string& name : names) {
        const std::regex word("\\b" + name + "\\b");
        EXPECT_TRUE(std::regex_search(help, word)) << name << " is not in --help";
        EXPECT_TRUE(std::regex_search(readme, word)) << name << " is not in the README";
    }
}

TEST(Cli, AnUnknownSubcommandListsTheSubcommands) {
    Result r = run_tool({"frobnicate", "x"});
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err.rfind("error: no such subcommand `frobnicate`; the subcommands are: ", 0), 0u)
        << r.err;
    for (const char* name : {"call", "rustc", "cargo", "expand", "inspect"})
        EXPECT_NE(r.err.find(name), std::string::npos) << name;
}

TEST(Cli, ErrorsHaveRustcsFormat) {
    Result r = run_tool({"call"});
    EXPECT_NE(r.code, 0);
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
    r = run_tool({"call", kFixtures + "/demo.wasm", "Demo", "--no-such-flag"});
    EXPECT_NE(r.code, 0);
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
}

TEST(Cli, CallFailsOnACompileError) {
    Result r =
        run_tool({"call", kFixtures + "/serde_derive.wasm", "Serialize"}, "union U { a: u8 }");
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err,
              "error: Serde does not support derive for unions\n"
              "  = note: a compile_error! of derive macro `Serialize` (serde_derive.wasm)\n");
}

TEST(Cli, ATruncatedModuleIsNamed) {
    std::vector<uint8_t> bytes = read_file(kFixtures + "/demo.wasm");
    std::string path = temp_path("truncated.wasm");
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), 2002);
    Result r = run_tool({"call", path, "Demo"}, "struct S;");
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err.rfind("error: " + path + ": malformed module: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("at offset 0x"), std::string::npos) << r.err;
    std::string out_dir = temp_path("truncated_out");
    std::string root = temp_path("truncated_main.rs");
    std::ofstream(root) << "fn main() {}\n";
    r = run_tool({"expand", root, "--wasm-proc-macro", "demo=" + path, "-o", out_dir});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err.rfind("error: " + path + ": malformed module: ", 0), 0u) << r.err;
    std::remove(path.c_str());
    std::remove(root.c_str());
}

TEST(Cli, CallTakesTheEngineOptions) {
    const std::string expected =
        run_tool({"call", kFixtures + "/demo.wasm", "Demo"}, "struct S;").out;
    Result r = run_tool({"call", "--interpreter", "--fuel", "1000000", "--max-memory-pages", "64",
                         "--max-call-depth", "500", kFixtures + "/demo.wasm", "Demo"},
                        "struct S;");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, expected);
    EXPECT_STREQ(std::getenv("WASMACRO_TIER"), "interpreter");
    unsetenv("WASMACRO_TIER");
    r = run_tool({"expand", "--interpreter", "--help"});
    EXPECT_NE(r.out.find("--interpreter"), std::string::npos);
    unsetenv("WASMACRO_TIER");
}

} // namespace
