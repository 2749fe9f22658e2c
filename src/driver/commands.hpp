// Each subcommand of the `wasmacro` tool registers itself on the CLI11 app.
// The callbacks write to the given streams and set the process exit code, so
// the whole tool can be driven from tests without spawning a process.
#pragma once

#include "common/file.hpp"

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wasmacro {
class Error;
}
namespace wasmacro::macros {
struct LimitHit;
class Library;
} // namespace wasmacro::macros
namespace wasmacro::wasm {
struct SandboxLimits;
}
namespace wasmacro::macros {
class Library;
}
namespace wasmacro::cache {
class Store;
}

namespace wasmacro::driver {

struct Context {
    std::istream& in;
    std::ostream& out;
    std::ostream& err;
    int exit_code = 0;
    /// `run`'s arguments after `--`, kept from CLI11: version 2.1 still
    /// parses options there (`-- call --fuel 9` set run's own --fuel).
    std::vector<std::string> after_dashes = {};
};

void add_run_command(CLI::App& app, Context& ctx);
/// The options add_sandbox_options registered, for a command whose defaults
/// depend on whether they were given.
struct SandboxOptions {
    CLI::Option* fuel;
    CLI::Option* max_memory_pages;
};
/// --fuel, --max-memory-pages, --max-call-depth and --interpreter, for every
/// command that runs wasm in this process.
SandboxOptions add_sandbox_options(CLI::App& cmd, wasm::SandboxLimits& limits);
/// If `args[i]` is an engine option (`--fuel N`, `--fuel=N`,
/// `--max-memory-pages N`, `--max-call-depth N`, `--interpreter`), sets the
/// environment variable the bridge inside rustc reads for it, moves `i` past
/// its value and returns true. For the commands that run rustc or Cargo,
/// which hand the options on through the environment. Throws Error for a
/// value that is not a number.
bool take_engine_option(const std::vector<std::string>& args, size_t& i);
/// The limits the environment variables above set, over the defaults.
wasm::SandboxLimits limits_from_environment();
/// The advice for a limit an expansion hit: the option above that raises it.
std::string limit_hint(const macros::LimitHit& limit);
/// An error's message as the command prints it: with the limit's advice.
std::string describe(const Error& e);
void add_tokens_command(CLI::App& app, Context& ctx);
void add_inspect_command(CLI::App& app, Context& ctx);
void add_annotate_command(CLI::App& app, Context& ctx);
void add_call_command(CLI::App& app, Context& ctx);
void add_rustc_command(CLI::App& app, Context& ctx);
void add_expand_command(CLI::App& app, Context& ctx);
void add_cache_command(CLI::App& app, Context& ctx);

/// The expansion cache for macros run in this process, as the environment
/// says (src/cache/store.hpp), or null: when `off` or WASMACRO_CACHE=off,
/// in the wasm32-wasip1 build, or when it cannot be opened, which is a
/// one-line warning on `err`.
std::shared_ptr<cache::Store> open_expansion_cache(bool off, std::ostream& err);
/// The macro module in the file `path`, loaded with `limits` (an error
/// reading or loading it names the file), with every expansion going
/// through `cache` if it is not null.
std::unique_ptr<macros::Library> load_library(const std::string& path,
                                              const wasm::SandboxLimits& limits,
                                              const std::shared_ptr<cache::Store>& cache);
/// Removes `--no-cache` from `args` if it is there, and then sets
/// WASMACRO_CACHE=off for this process and its children.
bool take_no_cache_flag(std::vector<std::string>& args);
void add_cargo_command(CLI::App& app, Context& ctx);
void add_build_command(CLI::App& app, Context& ctx);

/// Whether argv[1] asks for `wasmacro rustc`: the word `rustc`, or a path to
/// a rustc or another wrapper (wasmacro as Cargo's RUSTC_WRAPPER).
bool is_rustc_argument(std::string_view arg);
/// `wasmacro rustc`: `rustc_arg` is argv[1], `args` the rest. Runs the real
/// rustc in place of this process; returns only on an error before that.
int run_rustc(std::string_view rustc_arg, std::vector<std::string> args, Context& ctx);

/// `wasmacro cargo ARGS...` (or `cargo wasmacro ARGS...`): Cargo with the
/// graph's proc-macro crates swapped for their wasm builds. Returns Cargo's
/// exit status.
int run_cargo(std::vector<std::string> args, Context& ctx);

/// Whether `wasmacro rustc` is asked for pre-expand mode (`--pre-expand`,
/// which it removes from `args`, or WASMACRO_MODE=pre-expand).
bool wants_pre_expand(std::vector<std::string>& args);
/// `wasmacro rustc --pre-expand`: expands the crate root in `args` with the
/// wasm macros they name, then runs `rustc` on the expanded root.
int run_rustc_pre_expand(const std::string& rustc, const std::vector<std::string>& args,
                         Context& ctx);

/// Runs the tool on argv; returns the process exit code.
int run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err);

} // namespace wasmacro::driver
