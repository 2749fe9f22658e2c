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
                    "wasm32-unknown-unknown, or wasm32-wasip1 (wasm32-wasi before rustc 1.78), "
                    "whose modules get the compiled crate's CARGO_PKG_* through WASI (clap's "
                    "#[command(version)] reads them); default: wasm32-unknown-unknown, but "
                    "the WASI target the rustc has for a crate that reads CARGO_PKG_*");
    cmd->callback([options, &ctx]() {
        build::BuildResult result = build::build_macro(*options, ctx.err);
        std::string macros;
        for (const macros::MacroDecl& m : result.decls.macros)
            macros +=
                fmt::format("{}{} {}", macros.empty() ? "" : ", ", macros::name(m.kind), m.name);
        ctx.out << fmt::format(
            "wrote {} ({} {}{}, edition {}: {})\n", result.wasm_path, result.crate_name,
            result.version, result.target == build::kDefaultTarget ? "" : " for " + result.target,
            tokens::edition_name(result.decls.edition), macros);
    });
}

} // namespace wasmacro::driver
