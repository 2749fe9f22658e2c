// What `wasmacro cargo` needs of `cargo metadata --format-version 1`: the
// proc-macro packages in the resolved graph, and the wasm builds the
// workspace names for them in `[workspace.metadata.wasmacro.macros]` or a
// member's `[package.metadata.wasmacro.macros]`.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wasmacro::cargo {

/// A proc-macro package as Cargo resolved it.
struct ProcMacroPackage {
    std::string name;     ///< the package name (`thiserror-impl`)
    std::string version;  ///< as resolved (`1.0.38`)
    std::string source;   ///< Cargo's source id; empty for a path package
    std::string lib_name; ///< the proc-macro target's crate name (`thiserror_impl`)
    std::string edition;
    std::vector<std::string> features; ///< every feature it declares, sorted
    std::vector<std::string> enabled;  ///< the features the resolve enables, sorted
    std::filesystem::path dir;         ///< where its Cargo.toml is
    std::string id;                    ///< Cargo's package id
};

/// One entry of a `wasmacro.macros` table: a crate name and its `.wasm`.
struct MappedMacro {
    std::string crate;
    std::filesystem::path wasm;     ///< absolute: relative paths are the manifest's
    std::filesystem::path manifest; ///< the Cargo.toml whose table named it
    std::string table;              ///< `workspace.metadata.wasmacro.macros` or `package...`
};

struct Workspace {
    std::filesystem::path root;           ///< workspace_root
    std::vector<ProcMacroPackage> macros; ///< in the resolve, by name then version
    std::vector<MappedMacro> mapped;      ///< the workspace's table, then each member's
    std::vector<std::string> members;     ///< the members' package ids
    /// Each resolved package's dependencies, by package id (empty without a
    /// resolve).
    std::unordered_map<std::string, std::vector<std::string>> dependencies;
};

/// Parses `cargo metadata --format-version 1` output. Throws Error naming
/// what is malformed (a `wasmacro.macros` entry that is not a string, ...).
Workspace parse_metadata(std::string_view json);

/// The `cargo metadata` command for a Cargo command line: the arguments of
/// `cargo_args` that change what Cargo resolves (`--manifest-path`,
/// `--features`/`-F`, `--all-features`, `--no-default-features`,
/// `--offline`, `--frozen`, `--locked`, `--config`, `-Z`, a leading
/// `+toolchain`) are kept, in their order.
std::vector<std::string> metadata_command(const std::string& cargo,
                                          const std::vector<std::string>& cargo_args);

} // namespace wasmacro::cargo
