// The wasm32-wasi fixture macro (rust/fixtures/wasi) through `wasmacro call`:
// it writes to stderr, reads the environment, the clock and random bytes,
// panics or exits on request. Driven in-process through driver::run().
#include "macros/library.hpp"
#include "run_tool.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

using testing::HasSubstr;

using wasi_tests::Result;
using wasi_tests::run_tool;

const std::string kFixture = std::string(WASMACRO_FIXTURES_DIR) + "/wasi.wasm";

TEST(WasiMacro, ExpandsSeeingNothingOfTheHost) {
    // The host's environment, arguments and clock stay out of the macro.
    ::setenv("WASI_PROBE", "from the host", 1);
    Result r = run_tool({"call", kFixture, "wasi_probe"}, "a b c");
    ::unsetenv("WASI_PROBE");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out,
              "const WASI_PROBE: (&str, u64, usize, usize) = (\"unset\", 0u64, 0usize, 3usize);\n");
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(run_tool({"call", kFixture, "wasi_probe"}, "a b c").out, r.out);
}

TEST(WasiMacro, APanicShowsTheMacrosStderr) {
    Result r = run_tool({"call", kFixture, "wasi_probe"}, "x panic");
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "error: wasi.wasm: bang macro `wasi_probe` panicked: wasi_probe panicked on "
                     "purpose\nthe macro's stderr:\nwasi_probe: 2 words\nwasi_probe: about to "
                     "panic, as asked\n");
}

TEST(WasiMacro, ProcExitEndsTheExpansion) {
    Result r = run_tool({"call", kFixture, "wasi_probe"}, "exit");
    EXPECT_EQ(r.code, 1);
    EXPECT_THAT(r.err, HasSubstr("bang macro `wasi_probe` trapped"));
    EXPECT_THAT(r.err, HasSubstr("wasi_snapshot_preview1.proc_exit"));
    EXPECT_THAT(r.err, HasSubstr("exited with code 3"));
    EXPECT_THAT(r.err, HasSubstr("the macro's stderr:\nwasi_probe: 1 words\n"));
}

std::unique_ptr<wasmacro::macros::Library> load_fixture() {
    std::ifstream in(kFixture, std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in),
                               std::istreambuf_iterator<char>()};
    return wasmacro::macros::Library::load(bytes, "wasi.wasm");
}

wasmacro::tokens::TokenStream tokens(std::string_view text) {
    auto file = wasmacro::tokens::SourceFile::from_bytes("t", std::string(text));
    return wasmacro::tokens::tokenize(file, {}).stream;
}

TEST(WasiMacro, ALibraryRecoversAndStartsEachExpansionAfresh) {
    auto lib = load_fixture();
    const auto* macro = lib->decls().find("wasi_probe");
    ASSERT_NE(macro, nullptr);
    EXPECT_THROW(lib->expand(*macro, tokens("panic")), wasmacro::macros::ExpansionError);
    try {
        lib->expand(*macro, tokens("exit"));
        FAIL() << "no error";
    } catch (const wasmacro::macros::ExpansionError& e) {
        // Only this expansion's stderr, not the panic's before it.
        EXPECT_THAT(e.what(), testing::EndsWith("stderr:\nwasi_probe: 1 words"));
    }
    EXPECT_EQ(wasmacro::tokens::to_pretty_string(lib->expand(*macro, tokens("p q p"))),
              "const WASI_PROBE: (&str, u64, usize, usize) = (\"unset\", 0u64, 0usize, 2usize);\n");
}

TEST(WasiMacro, ALibrarysEnvironmentIsWhatTheMacroSees) {
    auto lib = load_fixture();
    const auto* macro = lib->decls().find("wasi_probe");
    ASSERT_NE(macro, nullptr);
    auto probe = [&] {
        return wasmacro::tokens::to_pretty_string(lib->expand(*macro, tokens("a")));
    };
    EXPECT_THAT(probe(), HasSubstr("(\"unset\""));
    EXPECT_TRUE(lib->reads_environment());
    // After the macro read the environment once (its libc keeps it), a new
    // one still reaches it.
    lib->set_environment({"WASI_PROBE=first"});
    EXPECT_THAT(probe(), HasSubstr("(\"first\""));
    lib->set_environment({"WASI_PROBE=second"});
    EXPECT_THAT(probe(), HasSubstr("(\"second\""));
    EXPECT_THAT(probe(), HasSubstr("(\"second\""));
}

TEST(WasiMacro, CargosPackageVariablesAndNothingElseReachAMacro) {
    ::setenv("CARGO_PKG_VERSION", "1.2.3", 1);
    ::setenv("CARGO_CRATE_NAME", "my_app", 1);
    ::setenv("CARGO_PKG_DESCRIPTION", "", 1);
    ::setenv("CARGO_HOME", "/home/someone/.cargo", 1);
    ::setenv("WASI_PROBE", "private", 1);
    std::vector<std::string> env = wasmacro::macros::cargo_package_environment();
    for (const char* name : {"CARGO_PKG_VERSION", "CARGO_CRATE_NAME", "CARGO_PKG_DESCRIPTION",
                             "CARGO_HOME", "WASI_PROBE"})
        ::unsetenv(name);
    EXPECT_THAT(env, testing::ElementsAre("CARGO_CRATE_NAME=my_app",
                                          "CARGO_PKG_DESCRIPTION=", "CARGO_PKG_VERSION=1.2.3"));
    // `wasmacro call` gives the macro those (the fixture reads WASI_PROBE,
    // which is not one of them).
    ::setenv("WASI_PROBE", "private", 1);
    Result r = run_tool({"call", kFixture, "wasi_probe"}, "a");
    ::unsetenv("WASI_PROBE");
    EXPECT_THAT(r.out, HasSubstr("(\"unset\""));
}

TEST(WasiMacro, InspectListsItsWasiImports) {
    Result r = run_tool({"inspect", kFixture});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("wasi_snapshot_preview1"));
    EXPECT_THAT(r.out, HasSubstr("wasi_probe"));
}

} // namespace
