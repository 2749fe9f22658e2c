// `wasmacro cargo --build-macros`: the proc-macro packages that have no wasm
// build yet are built by `wasmacro build` from the sources Cargo resolved,
// once per machine, and kept in the cache directory.
#pragma once

#include "cargo/sources.hpp"

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace wasmacro::cargo {

/// What a module built for `package` depends on: its name, version and
/// enabled features, the wasm toolchain's `rustc -vV` and `cargo -V`, and
/// wasmacro's own version (the guest and the facade it links). Hex SHA-256.
std::string built_macro_key(const ProcMacroPackage& package, const std::string& toolchain,
                            const std::string& wasmacro_version);

/// The module's file in the cache: DIR/NAME-VERSION-KEY.wasm (key shortened).
std::filesystem::path built_macro_path(const std::filesystem::path& dir,
                                       const ProcMacroPackage& package, const std::string& key);

/// Gives each registry package of `choices` that has no wasm build the one
/// `wasmacro build` makes of it, built now (cargo's output on `err`) unless
/// the cache has it. A package whose build fails keeps none, with the
/// reason in `build_failure` (`wasmacro cargo` then warns, and Cargo builds
/// it natively).
/// With `build` false nothing is built: cached modules are used, and the
/// others' origin says that --build-macros would build them.
void add_built_macros(std::vector<MacroChoice>& choices, bool build, std::ostream& err);

} // namespace wasmacro::cargo
