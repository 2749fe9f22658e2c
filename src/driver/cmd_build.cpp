// `wasmacro build [CRATE_DIR] [-o OUT.wasm] [--features F]... [--target-dir DIR] [--target T]`:
// a proc-macro crate as published, compiled to a wasm macro module (the work
// is src/build's).
#include "driver/commands.hpp"

#include "build/build.hpp"

#include <fmt/format.h>
#include <memory>
#include <ostream>

namespace wasmacro::driver {

void add_build_command(CLI::App& app, Context& ctx) {
    auto options = std::make_shared<build::BuildOptions>();
    CLI::App* cmd = app.add_subcommand(
        "build", "Compile a proc-macro crate, unchanged, to a wasm macro module");
    cmd->add_option("crate", options->crate_dir, "The crate's directory (with its Cargo.toml)")
        ->capture_default_str();
    cmd->add_option("-o,--output", options->output,
                    "The module to write (default: TARGET/wasmacro/<crate>.wasm)");
    cmd->add_option("--features", options->features, "Features of the crate to enable");
    cmd->add_option(
        "--target-dir", options->target_dir,
        "Cargo's target directory (default: $CARGO_TARGET_DIR, else target/ in the crate)");
    cmd->add_option("--target", options->target,
                    "wasm32-unknown-unknown, or wasm32-wasip1 (wasm32-wasi before rustc 1.78) "
                    "for a macro that reads CARGO_PKG_* while it expands (clap's "
                    "#[command(version)]): it gets the compiled crate's values through WASI")
        ->capture_default_str();
    cmd->callback([options, &ctx]() {
        build::BuildResult result = build::build_macro(*options, ctx.err);
        std::string macros;
        for (const macros::MacroDecl& m : result.decls.macros)
            macros +=
                fmt::format("{}{} {}", macros.empty() ? "" : ", ", macros::name(m.kind), m.name);
        ctx.out << fmt::format("wrote {} ({} {}, edition {}: {})\n", result.wasm_path,
                               result.crate_name, result.version,
                               tokens::edition_name(result.decls.edition), macros);
    });
}

} // namespace wasmacro::driver
