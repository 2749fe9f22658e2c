// The raw lexer, modelled on rustc_lexer: it cuts source text into tokens that
// are a kind plus a length and never fails. What is wrong with a token (an
// unterminated string, an empty exponent, ...) is recorded in its flags; the
// second pass in tokenize.cpp turns flags into errors with positions.
#pragma once

#include <cstdint>
#include <string_view>

namespace wasmacro::tokens {

enum class Edition : uint8_t { E2015, E2018, E2021, E2024 };

/// Parses "2015", "2018", "2021" or "2024"; returns false for anything else.
bool parse_edition(std::string_view text, Edition& out) noexcept;
/// "2015", "2018", "2021" or "2024".
std::string_view edition_name(Edition edition) noexcept;

enum class LitKind : uint8_t {
    Int,
    Float,
    Char,
    Byte,
    Str,
    ByteStr,
    CStr,
    RawStr,
    RawByteStr,
    RawCStr,
};

enum class DocStyle : uint8_t { None, Outer, Inner };

enum class RawKind : uint8_t {
    Whitespace,
    LineComment,
    BlockComment,
    Ident,
    RawIdent,
    /// `foo"`, `foo'` or `foo#`: an identifier used as a literal prefix. The
    /// token covers the identifier only; from edition 2021 it is an error.
    UnknownPrefix,
    Lifetime,
    RawLifetime,
    Literal,
    /// One of the single-character punctuation tokens `;,.@#~?:$=!<>-&|+*/^%`.
    Punct,
    OpenParen,
    CloseParen,
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,
    /// A character that starts no token.
    Unknown,
    Eof,
};

/// Raw strings allow at most 255 `#` (rustc's limit, from the u8 in its AST).
inline constexpr uint32_t kMaxRawStringHashes = 255;

/// Problems noticed while lexing, kept on the token.
enum RawFlag : uint16_t {
    kUnterminated = 1 << 0,
    kEmptyInt = 1 << 1,         // `0x` with no digits after the prefix
    kEmptyExponent = 1 << 2,    // `1e`, `1.0e+`
    kStartsWithNumber = 1 << 3, // lifetime `'1a`
    kTooManyHashes = 1 << 4,    // raw string with more than 255 `#`
    kBadRawStart = 1 << 5,      // `r#x`: something other than `"` after the `#`s
    kReservedGuarded = 1 << 6,  // edition 2024: `#"` or `##`
};

struct RawToken {
    RawKind kind = RawKind::Eof;
    LitKind lit = LitKind::Int;    // for Literal
    DocStyle doc = DocStyle::None; // for comments
    uint8_t base = 10;             // for Int and Float literals
    uint16_t flags = 0;
    uint32_t len = 0;
    /// For Literal: where the suffix starts, relative to the token; == len if none.
    uint32_t suffix_start = 0;
    /// For raw strings: the number of `#`.
    uint32_t hashes = 0;
};

class Lexer {
public:
    explicit Lexer(std::string_view src, Edition edition = Edition::E2021) noexcept
        : src_(src), edition_(edition) {}

    /// The next token; Eof (len 0) at the end, forever after.
    RawToken next() noexcept;

    /// The next token that is not whitespace; `start` gets its offset.
    RawToken next_significant(std::size_t& start) noexcept {
        for (;;) {
            while (pos_ < src_.size() &&
                   (src_[pos_] == ' ' || src_[pos_] == '\n' || src_[pos_] == '\t'))
                ++pos_;
            start = pos_;
            RawToken t = next();
            if (t.kind != RawKind::Whitespace) return t;
        }
    }

    std::size_t pos() const noexcept { return pos_; }

private:
    char32_t peek(std::size_t ahead = 0) const noexcept;
    char32_t bump() noexcept;
    bool at_end() const noexcept { return pos_ >= src_.size(); }
    void eat_ident_continue() noexcept;
    void eat_decimal_digits(bool& any) noexcept;
    void eat_hex_digits(bool& any) noexcept;
    bool eat_float_exponent() noexcept;
    void eat_suffix(RawToken& t, std::size_t start) noexcept;

    RawToken line_comment(std::size_t start) noexcept;
    RawToken block_comment(std::size_t start) noexcept;
    RawToken ident_or_prefix(std::size_t start) noexcept;
    RawToken number(std::size_t start, char32_t first) noexcept;
    RawToken lifetime_or_char(std::size_t start) noexcept;
    bool single_quoted() noexcept;
    bool double_quoted() noexcept;
    RawToken raw_string(std::size_t start, LitKind kind) noexcept;
    RawToken quoted(std::size_t start, LitKind kind, bool single) noexcept;

    std::string_view src_;
    std::size_t pos_ = 0;
    Edition edition_;
};

/// The length of a leading `#!` line that rustc skips (not `#![attr]`), or 0.
std::size_t shebang_length(std::string_view src) noexcept;

} // namespace wasmacro::tokens
