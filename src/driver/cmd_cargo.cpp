// `wasmacro cargo CARGO_ARGS...`, also `cargo wasmacro CARGO_ARGS...` (the
// binary named cargo-wasmacro): Cargo with every proc-macro package that has
// a wasm build swapped for a shim over it (src/cargo), through `--config`
// only. What runs is plain Cargo and plain rustc: no wrapper, no RUSTFLAGS.
#include "driver/commands.hpp"

#include "bridge/builder.hpp"
#include "bridge/process.hpp"
#include "cargo/built.hpp"
#include "cargo/invocation.hpp"
#include "cargo/shim.hpp"
#include "cargo/sources.hpp"
#include "common/error.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <ostream>

namespace wasmacro::driver {

namespace fs = std::filesystem;

namespace {

constexpr const char* kUsage =
    "Run Cargo with the proc-macro crates that have a wasm build swapped for it\n"
    "Usage: wasmacro cargo [OPTIONS] CARGO_ARGS...   (or: cargo wasmacro [OPTIONS] "
    "CARGO_ARGS...)\n\n"
    "Options (anywhere before a `--`; everything else goes to Cargo):\n"
    "  --macro-dir DIR          prebuilt modules named NAME-VERSION.wasm (default:\n"
    "                           $WASMACRO_MACRO_DIR); [workspace.metadata.wasmacro.macros]\n"
    "                           and [package.metadata.wasmacro.macros] come first\n"
    "  --list-macros            print each proc-macro crate of the graph and where its wasm\n"
    "                           build comes from (or why none), and run nothing\n"
    "  --build-macros           build every other registry proc-macro crate to wasm with\n"
    "                           `wasmacro build`, once (kept in the cache directory); one\n"
    "                           that fails is built natively, with a warning\n"
    "                           ($WASMACRO_WASM_RUSTC and $WASMACRO_WASM_CARGO: the\n"
    "                           toolchain with the wasm standard library, if not Cargo's)\n"
    "  --wasm-only              fail unless every proc-macro crate has a wasm build\n"
    "  --fuel N, --max-memory-pages N, --max-call-depth N, --interpreter\n"
    "                           the engine's limits and tier for every expansion\n"
    "  --no-cache               run every macro even if its expansion is cached\n";

struct CargoOptions {
    fs::path macro_dir;
    bool list = false;
    bool wasm_only = false;
    bool build_macros = false;
    std::vector<std::string> cargo_args;
};

/// Takes wasmacro's options out of `args`, leaving Cargo's in order.
CargoOptions parse_options(const std::vector<std::string>& args) {
    CargoOptions o;
    if (const char* dir = std::getenv("WASMACRO_MACRO_DIR"); dir != nullptr && *dir != '\0')
        o.macro_dir = dir;
    bool passing = false; // after `--`, everything is Cargo's (or the test binary's)
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        std::string_view name = std::string_view(arg).substr(0, arg.find('='));
        auto value = [&]() -> std::string {
            if (name.size() < arg.size()) return arg.substr(name.size() + 1);
            if (i + 1 == args.size()) throw Error(fmt::format("`{}` needs a value", arg));
            return args[++i];
        };
        if (passing || arg == "--") {
            passing = true;
            o.cargo_args.push_back(arg);
        } else if (name == "--macro-dir") {
            o.macro_dir = value();
        } else if (arg == "--list-macros") {
            o.list = true;
        } else if (arg == "--wasm-only") {
            o.wasm_only = true;
        } else if (arg == "--build-macros") {
            o.build_macros = true;
        } else if (!take_engine_option(args, i)) {
            o.cargo_args.push_back(arg);
        }
    }
    return o;
}

std::string env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? v : fallback;
}

} // namespace

int run_cargo(std::vector<std::string> args, Context& ctx) {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        ctx.out << kUsage;
        return 0;
    }
    try {
        take_no_cache_flag(args);
        CargoOptions o = parse_options(args);
        if (o.cargo_args.empty() && !o.list)
            throw Error("no Cargo command given (e.g. `wasmacro cargo build`); see --help");
        // Cargo names itself to its subcommands.
        std::string cargo = env_or("CARGO", "cargo");
        cargo::Workspace ws = cargo::read_workspace(cargo, o.cargo_args);
        std::vector<cargo::MacroChoice> choices = cargo::choose_wasm_builds(ws, o.macro_dir);
        cargo::mark_unused(choices, ws, o.build_macros);
        if (o.build_macros) {
            cargo::add_built_macros(choices, !o.list, ctx.err);
            // A failed build leaves its package native, with its own macros.
            if (!o.list)
                while (cargo::mark_unused(choices, ws, false))
                    cargo::add_built_macros(choices, true, ctx.err);
        }
        if (o.list) {
            for (const cargo::MacroChoice& c : choices) {
                ctx.out << c.package.name << " " << c.package.version << ": ";
                if (c.wasm)
                    ctx.out << c.wasm->string() << " (" << c.origin << ")\n";
                else
                    ctx.out << c.origin << "\n";
            }
            return 0;
        }
        std::erase_if(choices, [](const cargo::MacroChoice& c) { return c.unused; });
        std::vector<std::string> native;
        for (const cargo::MacroChoice& c : choices)
            if (!c.wasm) native.push_back(c.package.name + " " + c.package.version);
        if (o.wasm_only && !native.empty())
            throw Error(fmt::format("--wasm-only: no wasm build for {} (see --list-macros)",
                                    fmt::join(native, ", ")));
        for (const cargo::MacroChoice& c : choices) {
            if (c.wasm) continue;
            ctx.err << "warning: wasmacro: " << c.package.name << " " << c.package.version;
            if (c.build_failure.empty())
                ctx.err << " has no wasm build; Cargo builds it natively (see --list-macros)\n";
            else
                ctx.err << " could not be built to wasm (" << c.build_failure
                        << "); Cargo builds it natively\n";
        }

        std::vector<std::string> config;
        if (native.size() < choices.size()) {
            bridge::Toolchain tc;
            tc.rustc = env_or("RUSTC", "rustc");
            bridge::prepare_toolchain(tc);
            std::vector<cargo::Shim> shims;
            for (const cargo::MacroChoice& c : choices) {
                if (!c.wasm) continue;
                try {
                    shims.push_back(cargo::ensure_shim(tc, c.package, *c.wasm));
                } catch (const Error& e) {
                    throw Error(fmt::format("the wasm build of {} {}: {}", c.package.name,
                                            c.package.version, e.what()));
                }
            }
            config =
                cargo::shim_config(shims, bridge::host_triple(tc),
                                   cargo::shim_link_search(bridge::bridge_crate(tc), tc.lib_dir));
        }
        cargo::LockfileGuard lockfile(ws.root / "Cargo.lock");
        return bridge::run_inherited(cargo::cargo_command(cargo, o.cargo_args, config), ctx.err);
    } catch (const std::exception& e) {
        ctx.err << "error: wasmacro: " << e.what() << "\n";
        return 1;
    }
}

void add_cargo_command(CLI::App& app, Context&) {
    // Only for --help: Cargo's arguments are not ours to interpret, so
    // `wasmacro cargo ...` is dispatched before CLI11 parses.
    app.add_subcommand("cargo", "Run Cargo with every proc-macro crate that has a wasm build "
                                "swapped for it (also `cargo wasmacro`)");
}

} // namespace wasmacro::driver
