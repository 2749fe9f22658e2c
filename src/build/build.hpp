// `wasmacro build`: a proc-macro crate as published, compiled to a wasm
// macro module without a change to its files. See README.md beside this.
#pragma once

#include "build/source_rewrite.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace wasmacro::build {

inline constexpr std::string_view kDefaultTarget = "wasm32-unknown-unknown";

struct BuildOptions {
    std::string crate_dir = ".";
    /// Default: TARGET/wasmacro/<lib name>.wasm.
    std::optional<std::string> output;
    std::vector<std::string> features;
    /// Default: $CARGO_TARGET_DIR, else `target` in the crate.
    std::optional<std::string> target_dir;
    /// wasm32-unknown-unknown, or wasm32-wasip1 (wasm32-wasi to a rustc
    /// older than 1.78), where std reads the environment through WASI and
    /// the host gives a macro Cargo's CARGO_PKG_* for the crate it expands
    /// in. Unset: wasm32-unknown-unknown, but the WASI target the rustc has
    /// for a crate that reads those at run time.
    std::optional<std::string> target;
};

struct BuildResult {
    std::string wasm_path;
    std::string crate_name, version, target;
    /// What the module's section says (without the entry points cfg'd out).
    macros::Decls decls;
};

/// Generates the build crate under TARGET/wasmacro-build/<name>-<version>,
/// runs cargo on it (its output on stderr) and copies the module to the
/// output, after loading it to check its decls against its exports. `err`
/// gets the message of a command that cannot start. Throws
/// BuildError naming what is missing or failed.
BuildResult build_macro(const BuildOptions& options, std::ostream& err);

/// The rustc and cargo a build uses, found as cargo finds them: $RUSTC and
/// $CARGO, else `rustc` and `cargo` on PATH; $WASMACRO_WASM_RUSTC and
/// $WASMACRO_WASM_CARGO before them, for when the toolchain with the wasm
/// standard library is not the one that builds the rest (`wasmacro cargo
/// --build-macros`, where Cargo sets CARGO to itself).
struct Toolchain {
    std::string cargo, rustc;
};
Toolchain find_toolchain();

/// Whether `rustc` has the standard library of `target`.
bool has_wasm_std(const Toolchain& toolchain, std::string_view target);
/// Throws BuildError, saying how to install it, unless it has.
void require_wasm_std(const Toolchain& toolchain, std::string_view target = kDefaultTarget);

/// Where the guest and the facade crates are: $WASMACRO_RUST_DIR, else the
/// `rust` folder of the source tree wasmacro was built from.
std::string rust_crates_dir();

} // namespace wasmacro::build
