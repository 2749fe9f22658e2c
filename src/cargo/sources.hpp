// Where each proc-macro package's wasm build comes from, in this order: a
// `wasmacro.macros` table of the workspace (or of a member), then a
// directory of prebuilt modules named `NAME-VERSION.wasm`.
#pragma once

#include "cargo/metadata.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace wasmacro::cargo {

struct MacroChoice {
    ProcMacroPackage package;
    std::optional<std::filesystem::path> wasm; ///< none: Cargo builds it natively
    /// Where `wasm` came from, or why there is none, for `--list-macros`.
    std::string origin;
    /// Why `wasmacro build` failed on it, if --build-macros tried.
    std::string build_failure;
    /// Cargo does not build it: only proc-macro packages that come from wasm
    /// depend on it (clap_derive's proc-macro-error-attr), and it leaves the
    /// graph with them. It is neither built to wasm nor patched.
    bool unused = false;
};

/// The registry a package comes from, as `[patch.NAME]` names it (`crates-io`
/// or the registry's URL); empty for a source that cannot be patched.
std::string patch_table(const std::string& source);

/// Sets `unused` on each choice that the graph reaches from `ws`'s members
/// only through proc-macro packages that come from wasm: those with `wasm`,
/// and with `expect_builds` also those --build-macros would try to build.
/// Returns whether a choice that was unused is used now (a failed build left
/// a package native, with its dependencies).
bool mark_unused(std::vector<MacroChoice>& choices, const Workspace& ws, bool expect_builds);

/// One choice per proc-macro package of `ws`, in its order. `macro_dir` may
/// be empty. A mapped `.wasm` that does not exist is an Error naming it and
/// the Cargo.toml that maps it.
std::vector<MacroChoice> choose_wasm_builds(const Workspace& ws,
                                            const std::filesystem::path& macro_dir);

} // namespace wasmacro::cargo
