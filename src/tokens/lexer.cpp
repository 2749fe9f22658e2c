#include "tokens/lexer.hpp"

#include "tokens/unicode.hpp"

#include <array>

namespace wasmacro::tokens {
namespace {

constexpr char32_t kEof = 0;

} // namespace

std::string_view edition_name(Edition edition) noexcept {
    switch (edition) {
    case Edition::E2015: return "2015";
    case Edition::E2018: return "2018";
    case Edition::E2021: return "2021";
    case Edition::E2024: return "2024";
    }
    return "2021";
}

bool parse_edition(std::string_view text, Edition& out) noexcept {
    if (text == "2015")
        out = Edition::E2015;
    else if (text == "2018")
        out = Edition::E2018;
    else if (text == "2021")
        out = Edition::E2021;
    else if (text == "2024")
        out = Edition::E2024;
    else
        return false;
    return true;
}

char32_t Lexer::peek(std::size_t ahead) const noexcept {
    std::size_t i = pos_;
    for (;;) {
        if (i >= src_.size()) return kEof;
        unsigned char b = static_cast<unsigned char>(src_[i]);
        std::size_t len = 1;
        char32_t c = b < 0x80 ? b : decode_utf8(src_, i, len);
        if (ahead == 0) return c;
        --ahead;
        i += len;
    }
}

char32_t Lexer::bump() noexcept {
    if (pos_ >= src_.size()) return kEof;
    unsigned char b = static_cast<unsigned char>(src_[pos_]);
    if (b < 0x80) {
        ++pos_;
        return b;
    }
    std::size_t len;
    char32_t c = decode_utf8(src_, pos_, len);
    pos_ += len;
    return c;
}

void Lexer::eat_ident_continue() noexcept {
    static constexpr auto kContinue = [] {
        std::array<bool, 128> t{};
        for (int c = 0; c < 128; ++c)
            t[static_cast<std::size_t>(c)] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                             (c >= '0' && c <= '9') || c == '_';
        return t;
    }();
    while (pos_ < src_.size()) {
        unsigned char b = static_cast<unsigned char>(src_[pos_]);
        if (b < 0x80) {
            if (!kContinue[b]) return;
            ++pos_;
            continue;
        }
        std::size_t len;
        char32_t c = decode_utf8(src_, pos_, len);
        if (!is_xid_continue(c)) return;
        pos_ += len;
    }
}

void Lexer::eat_decimal_digits(bool& any) noexcept {
    while (pos_ < src_.size()) {
        char c = src_[pos_];
        if (c == '_') {
            ++pos_;
        } else if (c >= '0' && c <= '9') {
            any = true;
            ++pos_;
        } else {
            return;
        }
    }
}

void Lexer::eat_hex_digits(bool& any) noexcept {
    while (pos_ < src_.size()) {
        char c = src_[pos_];
        if (c == '_') {
            ++pos_;
        } else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
            any = true;
            ++pos_;
        } else {
            return;
        }
    }
}

bool Lexer::eat_float_exponent() noexcept {
    if (peek() == '-' || peek() == '+') bump();
    bool any = false;
    eat_decimal_digits(any);
    return any;
}

void Lexer::eat_suffix(RawToken& t, std::size_t start) noexcept {
    t.suffix_start = static_cast<uint32_t>(pos_ - start);
    if (is_ident_start(peek())) {
        bump();
        eat_ident_continue();
    }
}

RawToken Lexer::next() noexcept {
    std::size_t start = pos_;
    RawToken t;
    if (at_end()) return t;
    char32_t c = bump();
    auto finish = [&](RawKind kind) {
        t.kind = kind;
        t.len = static_cast<uint32_t>(pos_ - start);
        return t;
    };
    switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
        // The common case: ASCII whitespace; other whitespace continues below.
        while (pos_ < src_.size() && (src_[pos_] == ' ' || src_[pos_] == '\n' ||
                                      src_[pos_] == '\t' || src_[pos_] == '\r'))
            ++pos_;
        while (!at_end() && is_rust_whitespace(peek())) bump();
        return finish(RawKind::Whitespace);
    case '/':
        if (peek() == '/') return line_comment(start);
        if (peek() == '*') return block_comment(start);
        return finish(RawKind::Punct);
    case 'r':
        if (peek() == '#' && is_ident_start(peek(1))) {
            bump();
            eat_ident_continue();
            return finish(RawKind::RawIdent);
        }
        if (peek() == '#' || peek() == '"') return raw_string(start, LitKind::RawStr);
        return ident_or_prefix(start);
    case 'b':
        if (peek() == '\'') return quoted(start, LitKind::Byte, true);
        if (peek() == '"') return quoted(start, LitKind::ByteStr, false);
        if (peek() == 'r' && (peek(1) == '"' || peek(1) == '#')) {
            bump();
            return raw_string(start, LitKind::RawByteStr);
        }
        return ident_or_prefix(start);
    case 'c':
        // C strings came with the literal prefixes reserved in edition 2021.
        if (edition_ >= Edition::E2021) {
            if (peek() == '"') return quoted(start, LitKind::CStr, false);
            if (peek() == 'r' && (peek(1) == '"' || peek(1) == '#')) {
                bump();
                return raw_string(start, LitKind::RawCStr);
            }
        }
        return ident_or_prefix(start);
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9': return number(start, c);
    case '\'': return lifetime_or_char(start);
    case '"': pos_ = start; return quoted(start, LitKind::Str, false);
    case 'a':
    case 'd':
    case 'e':
    case 'f':
    case 'g':
    case 'h':
    case 'i':
    case 'j':
    case 'k':
    case 'l':
    case 'm':
    case 'n':
    case 'o':
    case 'p':
    case 'q':
    case 's':
    case 't':
    case 'u':
    case 'v':
    case 'w':
    case 'x':
    case 'y':
    case 'z':
    case 'A':
    case 'B':
    case 'C':
    case 'D':
    case 'E':
    case 'F':
    case 'G':
    case 'H':
    case 'I':
    case 'J':
    case 'K':
    case 'L':
    case 'M':
    case 'N':
    case 'O':
    case 'P':
    case 'Q':
    case 'R':
    case 'S':
    case 'T':
    case 'U':
    case 'V':
    case 'W':
    case 'X':
    case 'Y':
    case 'Z':
    case '_': {
        // The most common token: an ASCII identifier, with no literal prefix to consider.
        eat_ident_continue();
        char n = pos_ < src_.size() ? src_[pos_] : '\0';
        return finish(n == '"' || n == '\'' || n == '#' ? RawKind::UnknownPrefix : RawKind::Ident);
    }
    case '(': return finish(RawKind::OpenParen);
    case ')': return finish(RawKind::CloseParen);
    case '{': return finish(RawKind::OpenBrace);
    case '}': return finish(RawKind::CloseBrace);
    case '[': return finish(RawKind::OpenBracket);
    case ']': return finish(RawKind::CloseBracket);
    case '#':
        if (edition_ >= Edition::E2024 && (peek() == '#' || peek() == '"'))
            t.flags |= kReservedGuarded;
        return finish(RawKind::Punct);
    default: break;
    }
    if (is_rust_whitespace(c)) {
        while (!at_end() && is_rust_whitespace(peek())) bump();
        return finish(RawKind::Whitespace);
    }
    if (is_ident_start(c)) return ident_or_prefix(start);
    if (is_punct_char(c)) return finish(RawKind::Punct);
    return finish(RawKind::Unknown);
}

RawToken Lexer::line_comment(std::size_t start) noexcept {
    RawToken t;
    t.kind = RawKind::LineComment;
    bump(); // second '/'
    if (peek() == '!')
        t.doc = DocStyle::Inner;
    else if (peek() == '/' && peek(1) != '/')
        t.doc = DocStyle::Outer;
    while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
    t.len = static_cast<uint32_t>(pos_ - start);
    return t;
}

RawToken Lexer::block_comment(std::size_t start) noexcept {
    RawToken t;
    t.kind = RawKind::BlockComment;
    bump(); // '*'
    if (peek() == '!')
        t.doc = DocStyle::Inner;
    else if (peek() == '*' && peek(1) != '*' && peek(1) != '/')
        t.doc = DocStyle::Outer;
    std::size_t depth = 1;
    while (depth > 0) {
        if (pos_ >= src_.size()) {
            t.flags |= kUnterminated;
            break;
        }
        char c = src_[pos_++];
        if (c == '/' && pos_ < src_.size() && src_[pos_] == '*') {
            ++pos_;
            ++depth;
        } else if (c == '*' && pos_ < src_.size() && src_[pos_] == '/') {
            ++pos_;
            --depth;
        }
    }
    t.len = static_cast<uint32_t>(pos_ - start);
    return t;
}

RawToken Lexer::ident_or_prefix(std::size_t start) noexcept {
    RawToken t;
    eat_ident_continue();
    char32_t c = peek();
    t.kind = (c == '"' || c == '\'' || c == '#') ? RawKind::UnknownPrefix : RawKind::Ident;
    t.len = static_cast<uint32_t>(pos_ - start);
    return t;
}

RawToken Lexer::number(std::size_t start, char32_t first) noexcept {
    RawToken t;
    t.kind = RawKind::Literal;
    t.lit = LitKind::Int;
    bool any = false;
    if (first == '0' && (peek() == 'b' || peek() == 'o' || peek() == 'x')) {
        char32_t p = bump();
        t.base = p == 'b' ? 2 : p == 'o' ? 8 : 16;
        if (t.base == 16)
            eat_hex_digits(any);
        else
            eat_decimal_digits(any);
        if (!any) {
            t.flags |= kEmptyInt;
            t.suffix_start = static_cast<uint32_t>(pos_ - start);
            t.len = t.suffix_start;
            return t;
        }
    } else {
        eat_decimal_digits(any);
    }
    char32_t c = peek();
    if (c == '.' && peek(1) != '.' && !is_ident_start(peek(1))) {
        // `1.` is a float; `1..2` a range and `1.foo` a field or method.
        bump();
        t.lit = LitKind::Float;
        if (peek() >= '0' && peek() <= '9') {
            bool digits = false;
            eat_decimal_digits(digits);
            if (peek() == 'e' || peek() == 'E') {
                bump();
                if (!eat_float_exponent()) t.flags |= kEmptyExponent;
            }
        }
    } else if ((c == 'e' || c == 'E') && t.base != 16) {
        bump();
        t.lit = LitKind::Float;
        if (!eat_float_exponent()) t.flags |= kEmptyExponent;
    }
    eat_suffix(t, start);
    t.len = static_cast<uint32_t>(pos_ - start);
    return t;
}

RawToken Lexer::lifetime_or_char(std::size_t start) noexcept {
    RawToken t;
    char32_t c1 = peek(), c2 = peek(1);
    bool can_be_lifetime = c2 != '\'' && (is_ident_start(c1) || (c1 >= '0' && c1 <= '9'));
    if (!can_be_lifetime) {
        t.kind = RawKind::Literal;
        t.lit = LitKind::Char;
        if (!single_quoted()) t.flags |= kUnterminated;
        if (t.flags & kUnterminated)
            t.suffix_start = static_cast<uint32_t>(pos_ - start);
        else
            eat_suffix(t, start);
        t.len = static_cast<uint32_t>(pos_ - start);
        return t;
    }
    if (c1 == 'r' && c2 == '#' && is_ident_start(peek(2)) && edition_ >= Edition::E2021) {
        bump();
        bump();
        bump();
        eat_ident_continue();
        t.kind = RawKind::RawLifetime;
        t.len = static_cast<uint32_t>(pos_ - start);
        return t;
    }
    if (c1 >= '0' && c1 <= '9') t.flags |= kStartsWithNumber;
    bump();
    eat_ident_continue();
    if (peek() == '\'') {
        // `'ab'`: a char literal with too many characters; the second pass says so.
        bump();
        t.kind = RawKind::Literal;
        t.lit = LitKind::Char;
        t.flags &= ~kStartsWithNumber;
        eat_suffix(t, start);
    } else {
        t.kind = RawKind::Lifetime;
    }
    t.len = static_cast<uint32_t>(pos_ - start);
    return t;
}

bool Lexer::single_quoted() noexcept {
    // `'''` is one (invalid) char literal rather than an empty one and a stray quote.
    if (peek(1) == '\'' && peek() != '\\') {
        bump();
        bump();
        return true;
    }
    for (;;) {
        char32_t c = peek();
        if (c == '\'') {
            bump();
            return true;
        }
        // Stop before a likely comment or line end so the error points at the quote.
        if (c == '/' || (c == '\n' && peek(1) != '\'') || at_end()) return false;
        if (c == '\\') bump();
        bump();
    }
}

bool Lexer::double_quoted() noexcept {
    while (pos_ < src_.size()) {
        char c = src_[pos_++];
        if (c == '"') return true;
        if (c == '\\' && pos_ < src_.size() && (src_[pos_] == '\\' || src_[pos_] == '"')) ++pos_;
    }
    return false;
}

RawToken Lexer::quoted(std::size_t start, LitKind kind, bool single) noexcept {
    RawToken t;
    t.kind = RawKind::Literal;
    t.lit = kind;
    // Skip the prefix and the opening quote.
    pos_ = start;
    while (src_[pos_] != '"' && src_[pos_] != '\'') ++pos_;
    ++pos_;
    bool ok = single ? single_quoted() : double_quoted();
    if (ok) {
        eat_suffix(t, start);
    } else {
        t.flags |= kUnterminated;
        t.suffix_start = static_cast<uint32_t>(pos_ - start);
    }
    t.len = static_cast<uint32_t>(pos_ - start);
    return t;
}

RawToken Lexer::raw_string(std::size_t start, LitKind kind) noexcept {
    RawToken t;
    t.kind = RawKind::Literal;
    t.lit = kind;
    uint32_t hashes = 0;
    while (peek() == '#') {
        bump();
        ++hashes;
    }
    t.hashes = hashes;
    if (peek() != '"') {
        t.flags |= kBadRawStart;
        t.suffix_start = t.len = static_cast<uint32_t>(pos_ - start);
        return t;
    }
    bump();
    if (hashes > kMaxRawStringHashes) t.flags |= kTooManyHashes;
    for (;;) {
        if (pos_ >= src_.size()) {
            t.flags |= kUnterminated;
            t.suffix_start = t.len = static_cast<uint32_t>(pos_ - start);
            return t;
        }
        char c = src_[pos_++];
        if (c != '"') continue;
        uint32_t n = 0;
        while (n < hashes && pos_ + n < src_.size() && src_[pos_ + n] == '#') ++n;
        if (n == hashes) {
            pos_ += n;
            break;
        }
    }
    eat_suffix(t, start);
    t.len = static_cast<uint32_t>(pos_ - start);
    return t;
}

std::size_t shebang_length(std::string_view src) noexcept {
    if (src.substr(0, 2) != "#!") return 0;
    // `#![inner_attribute]`, possibly with whitespace or comments before the `[`, is code.
    Lexer lex(src.substr(2));
    for (;;) {
        RawToken t = lex.next();
        if (t.kind == RawKind::Whitespace ||
            ((t.kind == RawKind::LineComment || t.kind == RawKind::BlockComment) &&
             t.doc == DocStyle::None))
            continue;
        if (t.kind == RawKind::OpenBracket) return 0;
        break;
    }
    std::size_t nl = src.find('\n');
    return nl == std::string_view::npos ? src.size() : nl;
}

} // namespace wasmacro::tokens
