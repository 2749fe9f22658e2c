// Character classes of the Rust lexical grammar.
#pragma once

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

/// Decodes one UTF-8 character at s[i]; sets `len` to its byte length. Invalid or
/// truncated sequences decode as U+FFFD with length 1 so callers always advance.
char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t& len) noexcept;

/// Whether `s` is well-formed UTF-8 (no surrogates, no overlong forms).
bool is_valid_utf8(std::string_view s) noexcept;

/// Puts UTF-8 text in Unicode Normalization Form C, as rustc does with every
/// identifier. Returns false (and leaves `out` alone) if `text` already is.
bool to_nfc(std::string_view text, std::string& out);

/// Whether `ident` is a keyword of Rust in some edition, strict or reserved
/// (`fn`, `self`, `async`, `gen`, `abstract`, ...): a name that cannot be
/// used plainly for an item such as a macro.
bool is_keyword(std::string_view ident) noexcept;

/// Appends the UTF-8 encoding of `c`.
void append_utf8(std::string& out, char32_t c);

} // namespace wasmacro::tokens
