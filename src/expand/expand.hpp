// Pre-expand mode (DESIGN.md, "Pre-expand mode"): reads a crate from its root
// file, follows its module tree, expands every invocation of a registered
// macro, and gives back the crate's files as source that any rustc compiles
// without a proc-macro crate. Macros are looked up in a macros::Registry, by
// crate name; this layer never sees how a macro runs.
#pragma once

#include "expand/cfg.hpp"
#include "expand/diagnostic.hpp"
#include "macros/library.hpp"
#include "tokens/lexer.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace wasmacro::expand {

/// rustc's `#![recursion_limit]` default, which bounds its expansion depth too.
inline constexpr unsigned kDefaultMaxDepth = 128;

struct Options {
    tokens::Edition edition = tokens::Edition::E2015; ///< rustc's default
    CfgSet cfg = CfgSet::host();
    unsigned max_depth = kDefaultMaxDepth;
    /// The front end's advice for a sandbox limit a macro hit (the option
    /// that raises it), appended where macros::ExpansionError puts it.
    std::function<std::string(const macros::LimitHit&)> limit_hint;
};

/// A position in a file: 1-based line, 1-based column in characters.
struct Position {
    uint32_t line = 0, col = 0;
};

/// One range of an expanded file and the invocation that produced it.
struct MapEntry {
    Position out_start, out_end; ///< in the expanded file; the end is exclusive
    std::string macro;           ///< the macro, or the derives, as written
    std::string kind;            ///< "derive", "attr" or "bang"
    std::string file;            ///< the invocation's file, relative to the root
    Position at;                 ///< the invocation
};

struct OutputFile {
    std::string path;   ///< relative to the crate root's directory
    std::string source; ///< the absolute path it was read from
    std::string bytes;  ///< what to write
    bool changed = false;
    std::vector<MapEntry> map;
};

struct CrateExpansion {
    std::vector<OutputFile> files; ///< the root first
    std::vector<Diagnostic> diagnostics;
    /// Every file read, by source id - 1 (for rendering diagnostics).
    std::vector<std::string> source_names, source_texts;

    bool ok() const;
    SourceLookup sources() const;
    /// Every diagnostic, rendered as rustc would.
    std::string render_all() const;
};

/// Expands the crate whose root is `root_path`. Never throws for problems
/// in the crate or its macros: they are diagnostics.
CrateExpansion expand_crate(const std::string& root_path, const macros::Registry& registry,
                            const Options& options);

/// OUT_DIR/wasmacro-map.json: each file's expanded ranges and their invocations.
std::string source_map_json(const CrateExpansion& crate);

/// Writes the files under `out_dir` (plus the source map if asked), all or
/// nothing: into a temporary directory beside it, renamed at the end. Throws
/// Error naming the path that could not be written.
void write_crate(const CrateExpansion& crate, const std::string& out_dir, bool source_map);

} // namespace wasmacro::expand
