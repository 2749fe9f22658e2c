// Running rustc and the programs around it (a further wrapper such as
// sccache) as child processes, or in place of this one.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace wasmacro::bridge {

/// Which of a child's streams run_captured keeps.
enum class Capture {
    Both,       ///< stdout and stderr together
    StdoutOnly, ///< stderr goes to this process's (a tool's progress and warnings)
};

/// Runs `args` (looked up on PATH), its output captured in `output`. Returns
/// the exit status (128 + signal if killed), or -1 if it could not start
/// (`output` then says why).
int run_captured(std::vector<std::string> args, std::string& output,
                 Capture capture = Capture::Both);

/// Runs `args` as a child with this process's streams; returns its status
/// (127 with a message on `err` if it cannot be started).
int run_inherited(std::vector<std::string> args, std::ostream& err);

/// Replaces the process with `args`; returns 127 (with a message on `err`)
/// only if that failed.
int exec(std::vector<std::string> args, std::ostream& err);

/// `args` joined by spaces, for messages.
std::string command_line(const std::vector<std::string>& args);

} // namespace wasmacro::bridge
