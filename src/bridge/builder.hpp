// Building what `wasmacro rustc` hands the real rustc: the bridge rlib
// (rust/bridge against libwasmacro.a) and one proc-macro crate per wasm
// module, each once, in the cache (cache.hpp).
//
//   bridge-<key>/   the bridge rlib, keyed by rustc -vV, the bridge's
//                   sources and libwasmacro.a
//   <NAME>-<key>/   a macro crate, keyed by the bridge key, NAME and the
//                   wasm bytes
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace wasmacro::macros {
class Library;
}

namespace wasmacro::bridge {

/// What every cache key shares.
struct Toolchain {
    std::string rustc;             ///< the real rustc
    std::string version;           ///< its `-vV`
    std::filesystem::path root;    ///< the cache
    std::filesystem::path sources; ///< rust/bridge/src
    std::filesystem::path lib_dir; ///< the directory of libwasmacro.a
    std::string bridge_key;
    std::filesystem::path bridge_dir; ///< the bridge's entry, once a macro crate needed it
};

/// Queries `tc.rustc` and fills in the rest of `tc`: the cache root
/// (cache_root()), the bridge's sources (WASMACRO_BRIDGE_DIR or this
/// build's rust/bridge/src), libwasmacro.a's directory (WASMACRO_LIB_DIR or
/// this build's) and the bridge key. Throws Error naming what is missing.
void prepare_toolchain(Toolchain& tc);

/// The directory of the bridge rlib (libwasmacro_bridge.rlib), from the
/// cache or built now; `tc.lib_dir` holds the libwasmacro.a it links.
const std::filesystem::path& bridge_crate(Toolchain& tc);

/// The host triple of `tc.rustc`, from its `-vV`.
std::string host_triple(const Toolchain& tc);

/// Reads a wasm macro module, refusing early what cannot be one.
std::vector<uint8_t> read_wasm(const std::string& path);

/// Loads the module `wasm` (read from `path`) to check what rustc cannot:
/// that it is valid wasm, imports only watt-0.5 and declares macros. Errors
/// name the file.
std::unique_ptr<macros::Library> load_macros(const std::vector<uint8_t>& wasm,
                                             const std::string& path);

/// The proc-macro crate named `name` for the module `wasm` (read from
/// `path`), from the cache or built now. Building loads the module first
/// (macros::Library::load), so that what rustc cannot check is reported as
/// wasmacro's error. Returns the path of the crate's shared library.
std::filesystem::path macro_crate(Toolchain& tc, const std::string& name, const std::string& path,
                                  const std::vector<uint8_t>& wasm);

} // namespace wasmacro::bridge
