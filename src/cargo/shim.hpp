// The shim package that stands in for a proc-macro package under Cargo: the
// same name, version, lib name, edition and features as the package Cargo
// resolved, so every dependent's requirement (`thiserror-impl = "=1.0.38"`)
// still matches; its lib is a proc-macro crate whose macros call the wasm
// build through the Rust bridge. It has no dependencies, so Cargo never
// builds the native macro, nor syn and quote for it.
//
// Shims live in the cache (bridge/cache.hpp) as `shim-NAME-VERSION-<key>/`,
// keyed by the bridge key (rustc, wasmacro, the bridge) and the wasm bytes:
// written once, byte for byte the same wherever and whenever they are
// written, and shared by every project. A changed .wasm is a new shim, so
// Cargo rebuilds only the crates that use it.
//
// The bridge rlib and libwasmacro.a are found through the search paths of
// the shim's build script, `links`-keyed so that Cargo takes them from
// `--config target.<host>.<links>.rustc-link-search` and never compiles it.
#pragma once

#include "bridge/builder.hpp"
#include "cargo/metadata.hpp"
#include "macros/library.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace wasmacro::cargo {

struct Shim {
    ProcMacroPackage package;
    std::filesystem::path dir;
    std::string links; ///< its `links` value, unique to the name and version
};

/// The shim's Cargo.toml.
std::string shim_manifest(const ProcMacroPackage& package, const std::string& links);

/// The search paths the shim's build script gives rustc (as Cargo's
/// `rustc-link-search` values): the bridge rlib's and libwasmacro.a's.
std::vector<std::string> shim_link_search(const std::filesystem::path& bridge_dir,
                                          const std::filesystem::path& lib_dir);

/// The shim's src/lib.rs for a module with `decls`.
std::string shim_lib(const macros::Decls& decls, const ProcMacroPackage& package);

/// The shim for `package` whose wasm build is the file `wasm_path`, from the
/// cache or written now. Throws Error naming the file if it cannot be read
/// or is not a macro module.
Shim ensure_shim(bridge::Toolchain& tc, const ProcMacroPackage& package,
                 const std::filesystem::path& wasm_path);

/// The `--config` arguments that make Cargo use `shims`: a `[patch]` entry
/// each, and each build script's override for the host `host`.
std::vector<std::string> shim_config(const std::vector<Shim>& shims, const std::string& host,
                                     const std::vector<std::string>& link_search);

} // namespace wasmacro::cargo
