#include "driver/commands.hpp"

#include "common/error.hpp"
#include "common/file.hpp"
#include "macros/library.hpp"
#include "wasm/engine.hpp"
#ifdef WASMACRO_HAVE_CACHE
#include "cache/expansion.hpp"
#endif

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <ostream>
#include <type_traits>

#ifndef WASMACRO_VERSION
#define WASMACRO_VERSION "dev"
#endif

namespace wasmacro::driver {

std::string limit_hint(const macros::LimitHit& limit) {
    switch (limit.kind) {
    case macros::LimitHit::Kind::Fuel: return "; raise the limit with --fuel";
    case macros::LimitHit::Kind::MemoryPages: return "; raise the limit with --max-memory-pages";
    case macros::LimitHit::Kind::CallDepth: return "; raise the limit with --max-call-depth";
    }
    return {};
}

std::string describe(const Error& e) {
    if (const auto* x = dynamic_cast<const macros::ExpansionError*>(&e); x && x->limit())
        return x->with_hint(limit_hint(*x->limit()));
    return e.what();
}

std::shared_ptr<cache::Store> open_expansion_cache(bool off, std::ostream& err) {
#ifdef WASMACRO_HAVE_CACHE
    if (off) return nullptr;
    try {
        cache::Config config = cache::config_from_environment();
        if (!config.enabled) return nullptr;
        return cache::Store::open(config.dir, config.max_bytes);
    } catch (const std::exception& e) {
        err << "warning: wasmacro: " << e.what() << "; expanding without the cache\n";
    }
#else
    (void)off;
    (void)err;
#endif
    return nullptr;
}

std::unique_ptr<macros::Library> load_library(const std::string& path,
                                              const wasm::SandboxLimits& limits,
                                              const std::shared_ptr<cache::Store>& cache) {
    std::vector<uint8_t> wasm = read_file_bytes(path);
    std::unique_ptr<macros::Library> library;
    try {
        library =
            macros::Library::load(wasm, std::filesystem::path(path).filename().string(), limits);
    } catch (const Error& e) {
        throw Error(fmt::format("{}: {}", path, e.what()));
    }
    library->set_environment(macros::cargo_package_environment());
#ifdef WASMACRO_HAVE_CACHE
    if (cache) return cache::with_cache(std::move(library), cache, wasm, limits);
#else
    (void)cache;
#endif
    return library;
}

namespace {

/// The engine's options with a value, and the variables that carry them.
struct EngineOption {
    std::string_view flag;
    const char* variable;
};
constexpr EngineOption kEngineOptions[] = {
    {"--fuel", "WASMACRO_FUEL"},
    {"--max-memory-pages", "WASMACRO_MAX_MEMORY_PAGES"},
    {"--max-call-depth", "WASMACRO_MAX_CALL_DEPTH"},
};

template <typename T>
std::optional<T> parse_number(std::string_view text) {
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

} // namespace

bool take_engine_option(const std::vector<std::string>& args, size_t& i) {
    const std::string& arg = args[i];
    if (arg == "--interpreter") {
        setenv("WASMACRO_TIER", "interpreter", 1);
        return true;
    }
    std::string_view flag = std::string_view(arg).substr(0, arg.find('='));
    for (const EngineOption& option : kEngineOptions) {
        if (option.flag != flag) continue;
        std::string value;
        if (flag.size() < arg.size())
            value = arg.substr(flag.size() + 1);
        else if (i + 1 < args.size())
            value = args[++i];
        else
            throw Error(fmt::format("{} needs a value", flag));
        if (!parse_number<uint64_t>(value))
            throw Error(fmt::format("{} takes a number, not `{}`", flag, value));
        setenv(option.variable, value.c_str(), 1);
        return true;
    }
    return false;
}

wasm::SandboxLimits limits_from_environment() {
    wasm::SandboxLimits limits;
    auto read = [](const char* variable, auto& field) {
        const char* v = std::getenv(variable);
        if (v == nullptr) return;
        if (auto n = parse_number<std::remove_reference_t<decltype(field)>>(v)) field = *n;
    };
    read("WASMACRO_FUEL", limits.fuel);
    read("WASMACRO_MAX_MEMORY_PAGES", limits.max_memory_pages);
    read("WASMACRO_MAX_CALL_DEPTH", limits.max_call_depth);
    return limits;
}

SandboxOptions add_sandbox_options(CLI::App& cmd, wasm::SandboxLimits& limits) {
    SandboxOptions options;
    options.fuel =
        cmd.add_option("--fuel", limits.fuel, "Work budget of each call")->capture_default_str();
    options.max_memory_pages = cmd.add_option("--max-memory-pages", limits.max_memory_pages,
                                              "Cap on linear memory, in 64 KiB pages")
                                   ->capture_default_str();
    cmd.add_option("--max-call-depth", limits.max_call_depth, "Cap on nested calls")
        ->capture_default_str();
    // Every store a command makes takes its tier from the environment
    // (wasm::default_tier), as the bridge's inside rustc does.
    cmd.add_flag_callback(
        "--interpreter", [] { setenv("WASMACRO_TIER", "interpreter", 1); },
        "Interpret the code instead of compiling it to machine code (the only tier on hosts "
        "other than x86-64 Linux; also WASMACRO_TIER=interpreter)");
    return options;
}

namespace {

constexpr const char* kEnvironment =
    "Environment:\n"
    "  WASMACRO_TIER=interpreter      interpret wasm code instead of compiling it (--interpreter)\n"
    "  WASMACRO_TIER=compiler         compile from the first call, not once the calls have done\n"
    "                                 enough work to pay for it\n"
    "  WASMACRO_FUEL, WASMACRO_MAX_MEMORY_PAGES, WASMACRO_MAX_CALL_DEPTH\n"
    "                                 the engine's limits inside rustc (set by rustc's and\n"
    "                                 cargo's --fuel, --max-memory-pages, --max-call-depth)\n"
    "  WASMACRO_CACHE=off             no expansion cache (--no-cache)\n"
    "  WASMACRO_CACHE_MAX_SIZE        the expansion cache's cap, e.g. 500M or 2G (default 1G)\n"
    "  WASMACRO_CACHE_DIR             the cache of built crates and expansions (default:\n"
    "                                 $XDG_CACHE_HOME/wasmacro, XDG_CACHE_HOME if absolute,\n"
    "                                 else ~/.cache/wasmacro from HOME)\n"
    "  WASMACRO_RUSTC                 the real rustc of `wasmacro rustc` (default: rustc)\n"
    "  WASMACRO_RUSTC_WRAPPER         a further wrapper to run rustc under (e.g. sccache)\n"
    "  WASMACRO_MODE=pre-expand       `wasmacro rustc` in pre-expand mode (--pre-expand)\n"
    "  WASMACRO_MACRO_DIR             `wasmacro cargo`'s prebuilt NAME-VERSION.wasm (--macro-dir)\n"
    "  CARGO, RUSTC                   the Cargo and rustc `wasmacro cargo` and `build` run\n"
    "  WASMACRO_WASM_RUSTC, WASMACRO_WASM_CARGO\n"
    "                                 the toolchain `build` and `cargo --build-macros` build\n"
    "                                 wasm with, if not CARGO's and RUSTC's\n"
    "  CARGO_TARGET_DIR               `wasmacro build`'s target directory (--target-dir)\n"
    "  WASMACRO_BRIDGE_DIR, WASMACRO_LIB_DIR, WASMACRO_RUST_DIR\n"
    "                                 rust/bridge/src, libwasmacro.a and rust/ (the guest and\n"
    "                                 the proc_macro facade), if not this build's\n";

/// rustc's own format for every error: `error: ...`.
std::string format_failure(const CLI::App* app, const CLI::Error& e) {
    std::string text = std::string("error: ") + e.what() + "\n";
    if (e.get_name() == "RequiredError" || e.get_name() == "ExtrasError" ||
        e.get_name() == "ArgumentMismatch" || e.get_name() == "ConversionError")
        text += "For more information, try `" + app->get_name() + " --help`.\n";
    return text;
}

} // namespace

int run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err) {
#ifndef __wasi__ // a WASI program cannot spawn rustc
    if (argc >= 2 && is_rustc_argument(argv[1])) {
        // rustc's arguments go through untouched, so CLI11 never sees them.
        Context ctx{in, out, err};
        return run_rustc(argv[1], std::vector<std::string>(argv + 2, argv + argc), ctx);
    }
    // Cargo runs `cargo-wasmacro wasmacro ARGS...` for `cargo wasmacro ARGS...`.
    if (argc >= 1 && std::filesystem::path(argv[0]).filename() == "cargo-wasmacro") {
        Context ctx{in, out, err};
        int skip = argc >= 2 && std::string_view(argv[1]) == "wasmacro" ? 2 : 1;
        return run_cargo(std::vector<std::string>(argv + skip, argv + argc), ctx);
    }
    if (argc >= 2 && std::string_view(argv[1]) == "cargo") {
        Context ctx{in, out, err};
        return run_cargo(std::vector<std::string>(argv + 2, argv + argc), ctx);
    }
#endif
    CLI::App app{"wasmacro: Rust procedural macros compiled to WebAssembly", "wasmacro"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("wasmacro ") + WASMACRO_VERSION);
    app.footer(kEnvironment);
    app.failure_message(format_failure);
    Context ctx{in, out, err};
    add_run_command(app, ctx);
    add_tokens_command(app, ctx);
    add_inspect_command(app, ctx);
    add_annotate_command(app, ctx);
    add_call_command(app, ctx);
#ifndef __wasi__
    add_rustc_command(app, ctx);
    add_cache_command(app, ctx);
    add_cargo_command(app, ctx);
    add_build_command(app, ctx);
#endif
    add_expand_command(app, ctx);
    std::vector<std::string> names;
    for (const CLI::App* cmd : app.get_subcommands({})) names.push_back(cmd->get_name());
    if (argc >= 2 && argv[1][0] != '-' &&
        std::find(names.begin(), names.end(), argv[1]) == names.end()) {
        err << fmt::format("error: no such subcommand `{}`; the subcommands are: {}\n"
                           "For more information, try `wasmacro --help`.\n",
                           argv[1], fmt::join(names, ", "));
        return 2;
    }
    if (argc >= 2 && std::string_view(argv[1]) == "run") {
        const char* const* dashes = std::find(argv + 2, argv + argc, std::string_view("--"));
        if (dashes != argv + argc) {
            ctx.after_dashes.assign(dashes + 1, argv + argc);
            argc = static_cast<int>(dashes - argv);
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e, out, err);
    } catch (const Error& e) {
        err << "error: " << describe(e) << "\n";
        return 1;
    }
    return ctx.exit_code;
}

} // namespace wasmacro::driver
