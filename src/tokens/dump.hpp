// A plain-text dump of token trees, one tree a line, indented by depth:
//
//     3:1-3:7 Ident struct
//     3:8-5:2 Group {
//       4:5-4:6 Punct + Joint
//       4:9-4:20 Literal "a\u{a}b"
//
// Positions are line:col of the start and of the end (1-based, columns in
// characters). Control characters in literal text are written `\u{..}` so that
// every tree stays on one line. The differential test's proc-macro2 dumper
// writes exactly this format.
//
// Past kDumpIndentLevels of nesting a line is indented no further and says
// its depth instead (`[depth 300] ...`): indenting by depth would make the
// dump of a deeply nested file grow with the square of its depth.
#pragma once

#include "tokens/token.hpp"

#include <iosfwd>
#include <string>

namespace wasmacro::tokens {

inline constexpr std::size_t kDumpIndentLevels = 64;

/// Writes the dump line by line, so its size in memory stays one line.
void dump_text(const TokenStream& stream, std::ostream& out);
std::string dump_text(const TokenStream& stream);

/// Appends `text` with control characters escaped as `\u{..}`.
void append_one_line(std::string& out, std::string_view text);

} // namespace wasmacro::tokens
