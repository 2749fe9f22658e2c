#include "tokens/unicode.hpp"

#include <algorithm>
#include <string>

namespace wasmacro::tokens {
namespace {

struct CharRange {
    char32_t lo, hi;
};

#include "tokens/xid_tables.inc"

template <std::size_t N>
bool in_table(const CharRange (&table)[N], char32_t c) noexcept {
    auto it = std::upper_bound(std::begin(table), std::end(table), c,
                               [](char32_t v, const CharRange& r) { return v < r.lo; });
    return it != std::begin(table) && c <= (it - 1)->hi;
}

} // namespace

bool is_xid_start(char32_t c) noexcept {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return in_table(kXIDStartTable, c);
}

bool is_xid_continue(char32_t c) noexcept {
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    return in_table(kXIDContinueTable, c);
}

char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t& len) noexcept {
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
        return 0xFFFD;
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

bool is_valid_utf8(std::string_view s) noexcept {
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

void append_utf8(std::string& out, char32_t c) {
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

} // namespace wasmacro::tokens
