#include "tokens/unicode.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace wasmacro::tokens {
namespace {

struct CharRange {
    char32_t lo, hi;
};

#include "tokens/xid_tables.inc"

struct CombiningClass {
    char32_t cp;
    uint8_t ccc;
};
struct Decomposition {
    char32_t cp;
    uint16_t start, len;
};
struct Composition {
    char32_t first, second, composed;
};

#include "tokens/nfc_tables.inc"

// Hangul syllables decompose and compose by arithmetic (Unicode 15, section 3.12).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr char32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

uint8_t combining_class(char32_t c) noexcept {
    if (c < 0x300) return 0;
    auto it = std::lower_bound(std::begin(kCombiningClass), std::end(kCombiningClass), c,
                               [](const CombiningClass& e, char32_t v) { return e.cp < v; });
    return it != std::end(kCombiningClass) && it->cp == c ? it->ccc : 0;
}

void decompose(char32_t c, std::u32string& out) {
    if (c >= kSBase && c < kSBase + kSCount) {
        char32_t s = c - kSBase;
        out += kLBase + s / kNCount;
        out += kVBase + (s % kNCount) / kTCount;
        if (s % kTCount != 0) out += kTBase + s % kTCount;
        return;
    }
    auto it = std::lower_bound(std::begin(kDecompositions), std::end(kDecompositions), c,
                               [](const Decomposition& e, char32_t v) { return e.cp < v; });
    if (it != std::end(kDecompositions) && it->cp == c)
        out.append(&kDecomposedChars[it->start], it->len);
    else
        out += c;
}

char32_t compose(char32_t a, char32_t b) noexcept {
    if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
        return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
    if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase &&
        b < kTBase + kTCount)
        return a + (b - kTBase);
    auto it = std::lower_bound(std::begin(kCompositions), std::end(kCompositions), std::pair{a, b},
                               [](const Composition& e, std::pair<char32_t, char32_t> v) {
                                   return e.first < v.first ||
                                          (e.first == v.first && e.second < v.second);
                               });
    if (it != std::end(kCompositions) && it->first == a && it->second == b) return it->composed;
    return 0;
}

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

bool to_nfc(std::string_view text, std::string& out) {
    std::u32string chars;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t len;
        decompose(decode_utf8(text, i, len), chars);
        i += len;
    }
    // Canonical order: each run of non-starters sorted, stably, by combining class.
    for (std::size_t i = 1; i < chars.size(); ++i)
        for (std::size_t j = i; j > 0; --j) {
            uint8_t c = combining_class(chars[j]);
            if (c == 0 || combining_class(chars[j - 1]) <= c) break;
            std::swap(chars[j], chars[j - 1]);
        }
    // Canonical composition: a character joins the last starter unless a
    // character in between blocks it.
    std::u32string composed;
    std::size_t starter = std::u32string::npos;
    uint8_t last_class = 0;
    for (char32_t c : chars) {
        uint8_t cls = combining_class(c);
        if (starter != std::u32string::npos) {
            bool adjacent = composed.size() == starter + 1;
            if (adjacent || (last_class != 0 && last_class < cls)) {
                if (char32_t joined = compose(composed[starter], c)) {
                    composed[starter] = joined;
                    continue;
                }
            }
        }
        if (cls == 0) starter = composed.size();
        last_class = cls;
        composed += c;
    }
    std::string result;
    for (char32_t c : composed) append_utf8(result, c);
    if (result == text) return false;
    out = std::move(result);
    return true;
}

bool is_keyword(std::string_view ident, Edition edition) noexcept {
    // The Reference's strict and reserved keywords, by the edition that made them so.
    struct Keyword {
        std::string_view text;
        Edition since;
    };
    static constexpr Keyword keywords[] = {
        {"Self", Edition::E2015},     {"abstract", Edition::E2015}, {"as", Edition::E2015},
        {"async", Edition::E2018},    {"await", Edition::E2018},    {"become", Edition::E2015},
        {"box", Edition::E2015},      {"break", Edition::E2015},    {"const", Edition::E2015},
        {"continue", Edition::E2015}, {"crate", Edition::E2015},    {"do", Edition::E2015},
        {"dyn", Edition::E2018},      {"else", Edition::E2015},     {"enum", Edition::E2015},
        {"extern", Edition::E2015},   {"false", Edition::E2015},    {"final", Edition::E2015},
        {"fn", Edition::E2015},       {"for", Edition::E2015},      {"gen", Edition::E2024},
        {"if", Edition::E2015},       {"impl", Edition::E2015},     {"in", Edition::E2015},
        {"let", Edition::E2015},      {"loop", Edition::E2015},     {"macro", Edition::E2015},
        {"match", Edition::E2015},    {"mod", Edition::E2015},      {"move", Edition::E2015},
        {"mut", Edition::E2015},      {"override", Edition::E2015}, {"priv", Edition::E2015},
        {"pub", Edition::E2015},      {"ref", Edition::E2015},      {"return", Edition::E2015},
        {"self", Edition::E2015},     {"static", Edition::E2015},   {"struct", Edition::E2015},
        {"super", Edition::E2015},    {"trait", Edition::E2015},    {"true", Edition::E2015},
        {"try", Edition::E2018},      {"type", Edition::E2015},     {"typeof", Edition::E2015},
        {"unsafe", Edition::E2015},   {"unsized", Edition::E2015},  {"use", Edition::E2015},
        {"virtual", Edition::E2015},  {"where", Edition::E2015},    {"while", Edition::E2015},
        {"yield", Edition::E2015},
    };
    for (const Keyword& k : keywords)
        if (k.text == ident) return edition >= k.since;
    return false;
}

bool is_identifier_text(std::string_view s) noexcept {
    if (s.empty()) return false;
    bool first = true;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = 1;
        char32_t c = decode_utf8(s, i, len);
        if (c == 0xFFFD && len == 1) return false; // not UTF-8
        if (first ? !is_ident_start(c) : !is_ident_continue(c)) return false;
        first = false;
        i += len;
    }
    return true;
}

bool is_ident_token(std::string_view text) noexcept {
    if (text.size() > 2 && text[0] == 'r' && text[1] == '#') {
        text.remove_prefix(2);
        if (text == "_" || text == "self" || text == "super" || text == "crate" || text == "Self")
            return false;
    }
    return is_identifier_text(text);
}

bool is_crate_name(std::string_view s) noexcept {
    auto letter = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    if (s.empty() || !letter(s[0]) || s == "_") return false;
    for (char c : s)
        if (!letter(c) && !(c >= '0' && c <= '9')) return false;
    return true;
}

} // namespace wasmacro::tokens
