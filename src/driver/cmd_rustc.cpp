// `wasmacro rustc ARGS...`: a drop-in rustc that lets a crate use procedural
// macros compiled to WebAssembly (DESIGN.md, "Into the compiler").
//
// For each `--wasm-proc-macro NAME=FILE.wasm` and each `--extern NAME=FILE.wasm`
// it makes a real proc-macro crate NAME whose macros forward to the wasm
// module through the Rust bridge (rust/bridge), compiles it once with the real
// rustc into the cache, and then runs the real rustc with `--extern
// NAME=<that crate>` in place of the wasm argument, every other argument
// untouched. rustc then does name resolution, hygiene and spans as for any
// proc-macro crate; only the expansion itself runs in the engine. The
// machinery (cache, crates, processes, dep-info) is src/bridge.
//
// Also a RUSTC_WRAPPER for Cargo: the first argument is then the rustc path.
// WASMACRO_RUSTC_WRAPPER names a further wrapper (sccache) to run rustc under.
#include "driver/commands.hpp"

#include "bridge/builder.hpp"
#include "bridge/dep_info.hpp"
#include "bridge/process.hpp"
#include "bridge/rustc_args.hpp"
#include "common/error.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <ostream>

namespace wasmacro::driver {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRustcHelp =
    "wasmacro rustc: rustc, with procedural macros compiled to WebAssembly\n"
    "Usage: wasmacro rustc [WASMACRO OPTIONS] RUSTC_ARGS...   (or as RUSTC_WRAPPER)\n\n"
    "wasmacro's own options (everything else goes to rustc untouched):\n"
    "  --wasm-proc-macro NAME=FILE.wasm   the crate NAME is a proc-macro crate whose macros\n"
    "                                     are FILE.wasm's, run in wasmacro's engine\n"
    "  --extern NAME=FILE.wasm            the same, for an --extern whose file is a .wasm\n"
    "  --pre-expand                       expand the wasm macros into source first and compile\n"
    "                                     that with no proc-macro crate (or "
    "WASMACRO_MODE=pre-expand)\n"
    "  --fuel N, --max-memory-pages N, --max-call-depth N, --interpreter\n"
    "                                     the engine's limits and tier for every expansion\n"
    "Environment: WASMACRO_RUSTC (the real rustc), WASMACRO_RUSTC_WRAPPER (a further\n"
    "wrapper such as sccache); see `wasmacro --help` for the rest.\n\n"
    "rustc's own help follows.\n\n";

} // namespace

bool is_rustc_argument(std::string_view arg) {
    // As a wrapper, the first argument is the program Cargo would have run:
    // a path to rustc, or to a further wrapper such as clippy-driver. No
    // subcommand of ours contains a slash.
    return arg == "rustc" || arg.find('/') != std::string_view::npos;
}

int run_rustc(std::string_view rustc_arg, std::vector<std::string> args, Context& ctx) {
    bridge::Toolchain tc;
    if (rustc_arg == "rustc") {
        const char* real = std::getenv("WASMACRO_RUSTC");
        tc.rustc = real != nullptr && *real != '\0' ? real : "rustc";
    } else {
        tc.rustc = rustc_arg;
    }
    if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
        ctx.out << kRustcHelp;
        return bridge::run_inherited({tc.rustc, args[0]}, ctx.err);
    }
    take_no_cache_flag(args);
    try {
        // The bridge inside rustc reads them from the environment.
        std::vector<std::string> rustc_args;
        for (size_t i = 0; i < args.size(); ++i)
            if (!take_engine_option(args, i)) rustc_args.push_back(std::move(args[i]));
        args = std::move(rustc_args);
    } catch (const Error& e) {
        ctx.err << "error: wasmacro: " << e.what() << "\n";
        return 1;
    }
    if (wants_pre_expand(args)) return run_rustc_pre_expand(tc.rustc, args, ctx);
    std::vector<std::string> wasm_paths;
    try {
        std::vector<bridge::WasmMacroArg> wasm = bridge::find_wasm_macros(args);
        for (const bridge::WasmMacroArg& m : wasm) wasm_paths.push_back(m.path);
        if (!wasm.empty()) {
            // Every file is read before anything runs, so that a wrong path
            // is reported first and alone.
            std::vector<std::vector<uint8_t>> modules;
            for (const bridge::WasmMacroArg& m : wasm) {
                try {
                    modules.push_back(bridge::read_wasm(m.path));
                } catch (const Error& e) {
                    throw Error(fmt::format("wasm proc-macro `{}`: {}", m.name, e.what()));
                }
            }
            bridge::prepare_toolchain(tc);
            std::vector<fs::path> crates;
            for (size_t i = 0; i < wasm.size(); ++i) {
                const bridge::WasmMacroArg& m = wasm[i];
                try {
                    crates.push_back(bridge::macro_crate(tc, m.name, m.path, modules[i]));
                } catch (const Error& e) {
                    throw Error(fmt::format("wasm proc-macro `{}`: {}", m.name, e.what()));
                }
            }
            bridge::use_macro_crates(args, wasm, crates);
        }
    } catch (const std::exception& e) {
        ctx.err << "error: wasmacro: " << e.what() << "\n";
        return 1;
    }
    std::vector<std::string> command;
    if (const char* wrapper = std::getenv("WASMACRO_RUSTC_WRAPPER"); wrapper != nullptr && *wrapper)
        command.push_back(wrapper);
    command.push_back(tc.rustc);
    command.insert(command.end(), args.begin(), args.end());
    // Under Cargo, rustc must run as a child so that its dep-info can name
    // the wasm modules afterwards; otherwise it replaces this process.
    std::optional<fs::path> dep_info =
        wasm_paths.empty() ? std::nullopt : bridge::cargo_dep_info(args);
    if (!dep_info) return bridge::exec(std::move(command), ctx.err);
    int status = bridge::run_inherited(std::move(command), ctx.err);
    if (status == 0) {
        try {
            bridge::edit_dep_info(*dep_info, [&](std::string text) {
                return bridge::add_prerequisites(std::move(text), wasm_paths,
                                                 bridge::DepRules::First);
            });
        } catch (const std::exception& e) {
            ctx.err << "warning: wasmacro: could not add the wasm modules to " << dep_info->string()
                    << ": " << e.what() << "\n";
        }
    }
    return status;
}

void add_rustc_command(CLI::App& app, Context&) {
    // Only for --help: `wasmacro rustc ...` is dispatched before CLI11 parses,
    // since rustc's arguments are not ours to interpret.
    app.add_subcommand("rustc", "Run rustc with --wasm-proc-macro NAME=FILE.wasm (or --extern "
                                "NAME=FILE.wasm) as proc-macro crates; also a RUSTC_WRAPPER");
}

} // namespace wasmacro::driver
