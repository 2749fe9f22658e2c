// A proc-macro crate's manifest as cargo reads it (`cargo metadata`), and the
// manifest of the build crate that compiles it to wasm.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasmacro::build {

struct Dependency {
    std::string name;                  ///< the package's name
    std::optional<std::string> rename; ///< the name the crate uses, if another
    std::string req;                   ///< version requirement
    std::string kind;                  ///< "" (normal), "build" or "dev"
    std::optional<std::string> target; ///< a `cfg(...)` or a triple
    bool optional = false;
    bool default_features = true;
    std::vector<std::string> features;
    std::optional<std::string> path; ///< a path dependency's directory
};

struct Manifest {
    std::string name, version, edition;
    std::string root;     ///< the package's directory (absolute)
    std::string lib_name; ///< the library target's crate name
    std::string lib_path; ///< its root source, relative to `root`
    bool proc_macro = false;
    std::optional<std::string> build_script; ///< relative to `root`
    std::optional<std::string> links;
    std::vector<Dependency> dependencies;
    std::map<std::string, std::vector<std::string>> features;
};

/// The package of `cargo metadata --no-deps --format-version 1` output whose
/// manifest is `manifest_path`. Throws BuildError if it is not there, or has
/// no library target.
Manifest parse_metadata(std::string_view json, const std::string& manifest_path);

/// A library from a registry in a resolved build crate.
struct RegistryPackage {
    std::string name, version;
    std::string dir;      ///< its directory
    std::string lib_root; ///< its library's root source (absolute)
};

/// From `cargo metadata --format-version 1` of a resolved build crate: the
/// registry packages with a library that is not a proc-macro (those run on
/// the host, not in the module).
std::vector<RegistryPackage> registry_libraries(std::string_view json);

/// A crate put in place of a registry one by `[patch.crates-io]`.
struct Patch {
    std::string name;
    std::string path; ///< relative to the build crate
};

/// The build crate's Cargo.toml: `crate`'s package, features and
/// dependencies (its dev-dependencies dropped), as a cdylib at `lib_path`
/// with the facade as `proc_macro`, proc-macro2 patched to the guest, and
/// the release profile every wasm macro is built with.
std::string build_crate_manifest(const Manifest& crate, const std::vector<Patch>& patches);

/// `text` as a TOML basic string, quoted.
std::string toml_string(std::string_view text);

} // namespace wasmacro::build
