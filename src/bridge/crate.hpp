// The source of the proc-macro crate that `wasmacro rustc` generates for a
// wasm module: one function per declared macro, each forwarding to the
// module through the Rust bridge (rust/bridge).
#pragma once

#include "macros/library.hpp"

#include <string>
#include <string_view>

namespace wasmacro::bridge {

/// The crate's lib.rs. It includes the module as `macro.wasm` beside it.
/// Decls names are identifiers (macros::parse_decls checks them), so they go
/// into the text as they are: as function names, and in string literals.
std::string generate_crate(const macros::Decls& decls, std::string_view crate_name);

} // namespace wasmacro::bridge
