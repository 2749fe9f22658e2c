// `wasmacro run --wasi` on a real WASI command (command.rs, built for
// wasm32-wasi by Debian's rustc): stdio, arguments, read-only directories,
// exit codes, limits. Driven in-process through driver::run().
#include "run_tool.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using testing::HasSubstr;

using wasi_tests::Result;
using wasi_tests::run_tool;

const std::string kCommand = WASMACRO_WASI_COMMAND;

class RunWasi : public testing::Test {
protected:
    void SetUp() override {
        dir = std::filesystem::temp_directory_path() /
              ("wasmacro_run_wasi_" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir / "data" / "inner");
        std::ofstream(dir / "data" / "a.txt") << "alpha\n";
        std::ofstream(dir / "secret.txt") << "not for the module\n";
        previous = std::filesystem::current_path();
        std::filesystem::current_path(dir);
    }
    void TearDown() override {
        std::filesystem::current_path(previous);
        std::filesystem::remove_all(dir);
    }
    std::filesystem::path dir, previous;
};

TEST_F(RunWasi, StdioAndArguments) {
    Result r = run_tool({"run", "--wasi", kCommand, "--", "echo", "x", "--y"}, "some input\n");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "SOME INPUT\n");
    EXPECT_EQ(r.err, "args: [\"" + kCommand + "\", \"echo\", \"x\", \"--y\"]\n");
}

TEST_F(RunWasi, ArgumentsAfterTheDashesAreTheCommands) {
    // CLI11 2.1 went on parsing options after `--`: the second --fuel here
    // was refused as run's own, or, given once, taken from the command.
    Result r = run_tool({"run", "--wasi", "--fuel", "100000000", kCommand, "--", "echo", "--fuel",
                         "5", "--dir", "x", "--"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, "args: [\"" + kCommand +
                         "\", \"echo\", \"--fuel\", \"5\", \"--dir\", \"x\", \"--\"]\n");
    // And an export's arguments after `--`.
    r = run_tool({"run", WASMACRO_EXAMPLES_DIR "/fib/fib.wasm", "fib_recursive", "--", "10"});
    EXPECT_EQ(r.out, "55\n");
}

TEST_F(RunWasi, NoEnvironmentAndAFixedClock) {
    ::setenv("WASMACRO_SHOULD_NOT_LEAK", "1", 1);
    Result r = run_tool({"run", "--wasi", kCommand, "--", "env"});
    EXPECT_EQ(r.out, "vars 0 time 0\n");
}

TEST_F(RunWasi, ReadsOnlyTheGivenDirectories) {
    Result r = run_tool({"run", "--wasi", kCommand, "--dir", "data", "--", "cat", "data/a.txt",
                         "data/../secret.txt", "secret.txt", "data/missing"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "alpha\n"
                     "data/../secret.txt: Capabilities insufficient (os error 76)\n"
                     "secret.txt: failed to find a pre-opened file descriptor through which "
                     "\"secret.txt\" could be opened\n"
                     "data/missing: No such file or directory (os error 44)\n");
    r = run_tool({"run", "--wasi", kCommand, "--dir", "data", "--", "ls", "data"});
    EXPECT_EQ(r.out, "a.txt inner\n");
    // Nothing preopened: nothing to read.
    r = run_tool({"run", "--wasi", kCommand, "--", "cat", "data/a.txt"});
    EXPECT_THAT(r.out, HasSubstr("data/a.txt: failed to find a pre-opened file descriptor"));
}

TEST_F(RunWasi, WritesAreRefused) {
    Result r = run_tool(
        {"run", "--wasi", kCommand, "--dir", "data", "--", "write", "data/a.txt", "data/new"});
    EXPECT_EQ(r.out, "data/a.txt: Permission denied (os error 2)\n"
                     "data/new: Permission denied (os error 2)\n");
    std::ifstream in(dir / "data" / "a.txt");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "alpha\n");
    EXPECT_FALSE(std::filesystem::exists(dir / "data" / "new"));
}

TEST_F(RunWasi, ExitCodesAndTraps) {
    Result r = run_tool({"run", "--wasi", kCommand, "--", "exit", "42"});
    EXPECT_EQ(r.code, 42);
    EXPECT_EQ(r.out, "bye\n");
    r = run_tool({"run", "--wasi", kCommand, "--", "unknown"});
    EXPECT_EQ(r.code, 1);
    EXPECT_THAT(r.err, HasSubstr("panicked at 'unknown mode Some(\"unknown\")'"));
    EXPECT_THAT(r.err, HasSubstr("error: " + kCommand + ": unreachable executed"));
}

TEST_F(RunWasi, LimitsApply) {
    Result r = run_tool({"run", "--wasi", "--fuel", "100000", kCommand, "--", "spin"});
    EXPECT_EQ(r.code, 1);
    EXPECT_THAT(r.err, HasSubstr("fuel exhausted"));
    r = run_tool({"run", "--wasi", "--max-memory-pages", "1", kCommand, "--", "echo"});
    EXPECT_EQ(r.code, 1);
    EXPECT_THAT(r.err, HasSubstr("error: " + kCommand));
}

TEST_F(RunWasi, OnlyWasiImportsAndACommand) {
    Result r = run_tool({"run", "--wasi", WASMACRO_FIXTURES_DIR "/demo.wasm"});
    EXPECT_EQ(r.code, 1);
    EXPECT_THAT(r.err, HasSubstr("imports function \"watt-0.5\""));
    EXPECT_THAT(r.err, HasSubstr("`run --wasi` provides only \"wasi_snapshot_preview1\""));
    r = run_tool({"run", "--wasi", WASMACRO_FIXTURES_DIR "/wasi.wasm"});
    EXPECT_EQ(r.code, 1);
    r = run_tool({"run", kCommand});
    EXPECT_EQ(r.code, 1);
    EXPECT_THAT(r.err, HasSubstr("needs the EXPORT"));
}

} // namespace
