// Character classes of the Rust lexical grammar.
#pragma once

#include "common/utf8.hpp"
#include "tokens/lexer.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wasmacro::tokens {

bool is_xid_start(char32_t c) noexcept;
bool is_xid_continue(char32_t c) noexcept;

/// rustc's identifier rules: `_` may start an identifier although it is not XID_Start.
inline bool is_ident_start(char32_t c) noexcept {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    return is_xid_start(c);
}
inline bool is_ident_continue(char32_t c) noexcept {
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    return is_xid_continue(c);
}

/// Pattern_White_Space, the set rustc treats as whitespace between tokens.
inline bool is_rust_whitespace(char32_t c) noexcept {
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0x200E || c == 0x200F ||
           c == 0x2028 || c == 0x2029;
}

// UTF-8 itself is common/utf8.hpp's, shared with the engine.
using wasmacro::append_utf8;
using wasmacro::decode_utf8;
using wasmacro::is_valid_utf8;

/// Whether `s`, valid UTF-8, is an identifier by its characters: an
/// identifier start (`_` included) and identifier continues. `_` alone is one
/// (proc_macro's Ident accepts it); a keyword is one.
bool is_identifier_text(std::string_view s) noexcept;

/// What proc_macro's Ident accepts: an identifier, or `r#` and one that is
/// not `_`, `self`, `super`, `crate` or `Self`.
bool is_ident_token(std::string_view text) noexcept;

/// A crate name as rustc takes it in `--extern NAME=...`: ASCII letters,
/// digits and `_`, not starting with a digit, and not `_` alone.
bool is_crate_name(std::string_view s) noexcept;

/// proc_macro's punctuation: the characters a Punct may hold. `'` is one
/// (a lifetime's quote, to proc_macro), though the lexer reads it as the
/// start of a lifetime or a character literal.
constexpr bool is_punct_char(char32_t c) noexcept {
    switch (c) {
    case '=':
    case '<':
    case '>':
    case '!':
    case '~':
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case '^':
    case '&':
    case '|':
    case '@':
    case '.':
    case ',':
    case ';':
    case ':':
    case '#':
    case '$':
    case '?':
    case '\'': return true;
    default: return false;
    }
}

/// Puts UTF-8 text in Unicode Normalization Form C, as rustc does with every
/// identifier. Returns false (and leaves `out` alone) if `text` already is.
bool to_nfc(std::string_view text, std::string& out);

/// Whether `ident` is a strict or reserved keyword of Rust in `edition`
/// (`fn`, `self`, `abstract` in all; `async`, `dyn`, `try` from 2018; `gen`
/// from 2024): a name that code of that edition cannot use plainly for an
/// item such as a macro. Weak keywords (`union`, `macro_rules`, `raw`,
/// `safe`) are not among them.
bool is_keyword(std::string_view ident, Edition edition) noexcept;

} // namespace wasmacro::tokens
