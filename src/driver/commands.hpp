// Each subcommand of the `wasmacro` tool registers itself on the CLI11 app.
// The callbacks write to the given streams and set the process exit code, so
// the whole tool can be driven from tests without spawning a process.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>

namespace wasmacro::driver {

struct Context {
    std::istream& in;
    std::ostream& out;
    std::ostream& err;
    int exit_code = 0;
};

void add_run_command(CLI::App& app, Context& ctx);
void add_tokens_command(CLI::App& app, Context& ctx);
void add_inspect_command(CLI::App& app, Context& ctx);
void add_annotate_command(CLI::App& app, Context& ctx);
void add_call_command(CLI::App& app, Context& ctx);

/// Runs the tool on argv; returns the process exit code.
int run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err);

} // namespace wasmacro::driver
