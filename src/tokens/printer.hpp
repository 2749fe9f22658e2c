// Token streams back to source text.
#pragma once

#include "tokens/token.hpp"

#include <iosfwd>
#include <string>

namespace wasmacro::tokens {

/// proc_macro's Display: trees separated by one space, except after a Joint
/// punct; `{ ... }` with inner spaces. Lexing the result gives the same trees.
std::string to_string(const TokenStream& stream);

/// The same for the tree at `index` (a group with its contents).
std::string tree_to_string(const TokenStream& stream, std::size_t index);

struct PrettyOptions {
    int indent = 4;
    /// Print desugared doc comments as `///` / `/** */` comments again.
    bool doc_comments = true;
};

/// A layout for people: line breaks after `;` and around brace groups,
/// indentation by depth. Lexes back to the same trees as to_string.
std::string to_pretty_string(const TokenStream& stream, const PrettyOptions& options = {});

/// to_string and to_pretty_string written to `out` as they go, holding some
/// 64 KiB of the text in memory rather than all of it.
void write_text(const TokenStream& stream, std::ostream& out);
void write_pretty(const TokenStream& stream, std::ostream& out, const PrettyOptions& options = {});

} // namespace wasmacro::tokens
