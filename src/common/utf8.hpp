// UTF-8, as both the engine (names in the binary format, spec 5.2.4) and the
// token layer (source text, identifiers, strings from a guest) read it: well
// formed means no overlong forms, no surrogates, nothing above U+10FFFF.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wasmacro {

/// Decodes one UTF-8 character at s[i]; sets `len` to its byte length. Invalid or
/// truncated sequences decode as U+FFFD with length 1 so callers always advance.
inline char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t& len) noexcept {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c0 = b(i);
    len = 1;
    if (c0 < 0x80) return c0;
    std::size_t n;
    char32_t c;
    if (c0 >= 0xC2 && c0 <= 0xDF) {
        n = 2;
        c = c0 & 0x1F;
    } else if (c0 >= 0xE0 && c0 <= 0xEF) {
        n = 3;
        c = c0 & 0x0F;
    } else if (c0 >= 0xF0 && c0 <= 0xF4) {
        n = 4;
        c = c0 & 0x07;
    } else {
        return 0xFFFD; // a continuation byte, an overlong lead (C0, C1) or beyond F4
    }
    if (i + n > s.size()) return 0xFFFD;
    for (std::size_t k = 1; k < n; ++k) {
        unsigned char ck = b(i + k);
        if ((ck & 0xC0) != 0x80) return 0xFFFD;
        c = (c << 6) | (ck & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not characters.
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0xFFFD;
    len = n;
    return c;
}

/// Whether `s` is well-formed UTF-8.
inline bool is_valid_utf8(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        char32_t c = decode_utf8(s, i, len);
        if (c == 0xFFFD && len == 1) return false;
        i += len;
    }
    return true;
}

/// Appends the UTF-8 encoding of `c`.
inline void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

} // namespace wasmacro
