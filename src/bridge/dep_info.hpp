// Edits of the dep-info files rustc writes (Make's syntax), so that Cargo
// rebuilds a crate when a wasm module it uses changes: rustc itself only
// sees the generated macro crate, or the expanded copy of the crate.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace wasmacro::bridge {

/// `path` as Make reads it: spaces escaped with a backslash.
std::string make_escaped(std::string_view path);

/// Which rules get the new prerequisites.
enum class DepRules {
    First,             ///< the first rule only
    WithPrerequisites, ///< every rule that has prerequisites (one per output)
};

/// `text` with the absolute paths of `paths` added as prerequisites of
/// `rules`, and an empty rule for each at the end (as rustc writes for its
/// inputs, so that a deleted module is a rebuild, not an error). With
/// DepRules::First, text whose first line is not a rule is returned as it is.
std::string add_prerequisites(std::string text, const std::vector<std::string>& paths,
                              DepRules rules);

/// `text` with every path under `from` named under `to` instead (both
/// directories; compared escaped, as written).
std::string move_paths(std::string text, const std::filesystem::path& from,
                       const std::filesystem::path& to);

/// Applies `edit` to the dep-info file at `path`; a missing file is left
/// missing. Throws Error if it cannot be written back.
void edit_dep_info(const std::filesystem::path& path,
                   const std::function<std::string(std::string)>& edit);

} // namespace wasmacro::bridge
