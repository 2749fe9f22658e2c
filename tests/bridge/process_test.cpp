#include "bridge/process.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace {

using namespace wasmacro::bridge;

TEST(Process, CapturesBothStreamsAndTheStatus) {
    std::string output;
    EXPECT_EQ(run_captured({"sh", "-c", "echo out; echo err >&2; exit 3"}, output), 3);
    EXPECT_EQ(output, "out\nerr\n");
}

TEST(Process, ASignalIs128Plus) {
    std::string output;
    EXPECT_EQ(run_captured({"sh", "-c", "kill -9 $$"}, output), 128 + 9);
}

TEST(Process, AProgramThatIsNotThereSaysWhy) {
    std::string output;
    EXPECT_EQ(run_captured({"wasmacro-no-such-program"}, output), -1);
    EXPECT_EQ(output, "No such file or directory");
    std::ostringstream err;
    EXPECT_EQ(run_inherited({"wasmacro-no-such-program"}, err), 127);
    EXPECT_EQ(err.str(), "error: wasmacro: cannot run wasmacro-no-such-program: No such file or "
                         "directory\n");
}

TEST(Process, InheritedGivesTheStatus) {
    std::ostringstream err;
    EXPECT_EQ(run_inherited({"sh", "-c", "exit 7"}, err), 7);
    EXPECT_EQ(err.str(), "");
}

TEST(Process, CommandLine) {
    EXPECT_EQ(command_line({"rustc", "-vV"}), "rustc -vV");
    EXPECT_EQ(command_line({}), "");
}

} // namespace
