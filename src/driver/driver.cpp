#include "driver/commands.hpp"

#include "common/error.hpp"
#include "macros/library.hpp"
#include "wasm/engine.hpp"
#ifdef WASMACRO_HAVE_CACHE
#include "cache/expansion.hpp"
#endif

#include <algorithm>
#include <filesystem>
#include <ostream>

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

std::unique_ptr<macros::Library> load_library(std::span<const uint8_t> wasm, std::string name,
                                              const wasm::SandboxLimits& limits,
                                              const std::shared_ptr<cache::Store>& cache) {
    std::unique_ptr<macros::Library> library = macros::Library::load(wasm, std::move(name), limits);
#ifdef WASMACRO_HAVE_CACHE
    if (cache) return cache::with_cache(std::move(library), cache, wasm, limits);
#else
    (void)cache;
#endif
    return library;
}

void add_sandbox_options(CLI::App& cmd, wasm::SandboxLimits& limits) {
    cmd.add_option("--fuel", limits.fuel, "Work budget of each call")->capture_default_str();
    cmd.add_option("--max-memory-pages", limits.max_memory_pages,
                   "Cap on linear memory, in 64 KiB pages")
        ->capture_default_str();
    cmd.add_option("--max-call-depth", limits.max_call_depth, "Cap on nested calls")
        ->capture_default_str();
}

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
#endif
    add_expand_command(app, ctx);
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
