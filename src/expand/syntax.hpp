// Just enough of Rust's grammar over token trees to find items, attributes,
// paths and macro calls: the invocation finder's view of a crate. Indices
// are node indices of a flat tokens::TokenStream; a range [lo, hi) holds
// sibling trees.
#pragma once

#include "tokens/token.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wasmacro::expand {

using tokens::TokenStream;
using tokens::Tree;

inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

bool is_punct(const Tree& t, char c);
/// An identifier written without `r#`.
bool is_ident(const Tree& t, std::string_view name);
bool is_group(const Tree& t, tokens::Delimiter d);

/// `ident (:: ident)*`, optionally starting with `::`.
struct Path {
    std::vector<std::string_view> segments;
    bool global = false;
    std::size_t begin = 0, end = 0;
    tokens::Span span; ///< of its last segment
};
/// The path at `i`, or nullopt if none starts there.
std::optional<Path> parse_path(const TokenStream& s, std::size_t i, std::size_t hi);

/// `#[...]` or `#![...]`.
struct Attr {
    std::size_t begin = 0, end = 0; ///< from `#` to past the bracket group
    std::size_t group = 0;          ///< the bracket group
    bool inner = false;
    Path path;
    enum class Form : uint8_t { Word, List, NameValue } form = Form::Word;
    /// List: the contents of the delimited group. NameValue: after the `=`.
    std::size_t args_lo = 0, args_hi = 0;
    std::size_t list_group = npos; ///< List: the delimited group
};
std::optional<Attr> parse_attr(const TokenStream& s, std::size_t i, std::size_t hi);

/// Collects the outer attributes starting at `i` into `out` (inner ones are
/// skipped); returns the index after the last attribute.
std::size_t take_attrs(const TokenStream& s, std::size_t i, std::size_t hi, std::vector<Attr>& out);

/// The top-level, comma-separated parts of `s[lo, hi)`, as [begin, end) node
/// ranges without the commas (an empty trailing part is left out).
std::vector<std::pair<std::size_t, std::size_t>> split_commas(const TokenStream& s, std::size_t lo,
                                                              std::size_t hi);

enum class ItemKind : uint8_t {
    None, // not an item: a statement or expression
    Use,
    ExternCrate,
    Mod,
    Struct,
    Enum,
    Union,
    Fn,
    Impl,
    Trait,
    MacroRules,
    MacroCall, ///< `path!(...);` or `path! { ... }` in item or statement position
    Other,     ///< const, static, type, extern blocks, ...
};

struct Item {
    ItemKind kind = ItemKind::None;
    std::size_t begin = 0, end = 0; ///< after the attributes, to past its last token
    std::size_t keyword = npos;     ///< `struct`, `fn`, ... (for MacroCall: the path)
    std::size_t name = npos;        ///< the identifier after the keyword, if any
    /// The brace group of a mod, impl, trait, fn, struct or enum; a tuple
    /// struct's parenthesised fields; a macro call's group.
    std::size_t body = npos;
};
/// Classifies what starts at `i` (after its attributes).
Item classify_item(const TokenStream& s, std::size_t i, std::size_t hi);

/// The end of the statement starting at `i`: past its `;`, or before an item
/// that follows a block without one.
std::size_t statement_end(const TokenStream& s, std::size_t i, std::size_t hi);

/// The message of each `compile_error!("...")` in a macro's output (the
/// string literal's text inside its quotes), with its span, appended to `out`.
void find_compile_errors(const TokenStream& s,
                         std::vector<std::pair<std::string, tokens::Span>>& out);

} // namespace wasmacro::expand
