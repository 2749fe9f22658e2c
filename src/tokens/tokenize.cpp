#include "tokens/tokenize.hpp"

#include "tokens/unicode.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace wasmacro::tokens {
namespace {

// Characters that make a preceding punct Joint: proc_macro's punctuation set.
bool is_joint_follower(std::string_view text, std::size_t at) noexcept {
    if (at >= text.size()) return false;
    // The `/` of a comment is not punctuation.
    if (text[at] == '/')
        return at + 1 >= text.size() || (text[at + 1] != '/' && text[at + 1] != '*');
    return is_punct_char(static_cast<unsigned char>(text[at]));
}

// rustc shows a character in a message as itself if it is printable ASCII and
// as Rust's escape_default otherwise.
std::string escaped_char(char32_t c) {
    if (c >= 0x20 && c <= 0x7E) {
        std::string s;
        s += static_cast<char>(c);
        return s;
    }
    switch (c) {
    case '\t': return "\\t";
    case '\r': return "\\r";
    case '\n': return "\\n";
    default: return fmt::format("\\u{{{:x}}}", static_cast<uint32_t>(c));
    }
}

// What a literal body may contain, as rustc_lexer's unescape modes.
enum class Mode { Char, Byte, Str, ByteStr, CStr, RawStr, RawByteStr, RawCStr };

bool is_byte_mode(Mode m) {
    return m == Mode::Byte || m == Mode::ByteStr || m == Mode::RawByteStr;
}

class Checker {
public:
    Checker(std::vector<Diagnostic>& out) : out_(out) {}

    void error(std::size_t offset, std::string message) {
        Diagnostic d;
        d.offset = static_cast<uint32_t>(offset);
        d.message = std::move(message);
        out_.push_back(std::move(d));
    }

    // Checks the text between the quotes; `base` is its offset in the file.
    // Returns the number of characters (for char and byte literals).
    std::size_t check_body(std::string_view body, std::size_t base, Mode mode);

private:
    std::vector<Diagnostic>& out_;
};

std::size_t Checker::check_body(std::string_view body, std::size_t base, Mode mode) {
    const bool raw = mode == Mode::RawStr || mode == Mode::RawByteStr || mode == Mode::RawCStr;
    const bool byte = is_byte_mode(mode);
    const bool single = mode == Mode::Char || mode == Mode::Byte;
    const bool cstr = mode == Mode::CStr || mode == Mode::RawCStr;
    std::size_t count = 0;
    for (std::size_t i = 0; i < body.size();) {
        std::size_t len = 1;
        std::size_t at = base + i;
        char32_t c = decode_utf8(body, i, len);
        ++count;
        if (c == '\\' && !raw) {
            if (i + 1 >= body.size()) {
                error(at, "unterminated escape");
                return count;
            }
            std::size_t elen = 1;
            char32_t e = decode_utf8(body, i + 1, elen);
            std::size_t j = i + 1 + elen;
            switch (e) {
            case 'n':
            case 'r':
            case 't':
            case '\\':
            case '\'':
            case '"': break;
            case '0':
                if (cstr) error(at, "null characters in C string literals are not supported");
                break;
            case 'x': {
                int value = 0;
                int digits = 0;
                while (digits < 2) {
                    if (j >= body.size() || (single && body[j] == '\'')) break;
                    char h = body[j];
                    int v = (h >= '0' && h <= '9')   ? h - '0'
                            : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                            : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                     : -1;
                    if (v < 0) {
                        std::size_t hl;
                        error(base + j, fmt::format("invalid character in numeric character "
                                                    "escape: `{}`",
                                                    escaped_char(decode_utf8(body, j, hl))));
                        digits = -1;
                        break;
                    }
                    value = value * 16 + v;
                    ++digits;
                    ++j;
                }
                if (digits < 0) break;
                if (digits < 2) {
                    error(at, "numeric character escape is too short");
                } else if (!byte && !cstr && value > 0x7F) {
                    error(at, "out of range hex escape");
                } else if (cstr && value == 0) {
                    error(at, "null characters in C string literals are not supported");
                }
                break;
            }
            case 'u': {
                if (j >= body.size() || body[j] != '{') {
                    error(at, "incorrect unicode escape sequence");
                    break;
                }
                ++j;
                uint32_t value = 0;
                int digits = 0;
                bool closed = false, bad = false;
                while (j < body.size()) {
                    char h = body[j];
                    if (h == '}') {
                        closed = true;
                        ++j;
                        break;
                    }
                    if (h == '_') {
                        if (digits == 0) {
                            error(base + j, "invalid start of unicode escape: `_`");
                            bad = true;
                            break;
                        }
                        ++j;
                        continue;
                    }
                    int v = (h >= '0' && h <= '9')   ? h - '0'
                            : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                            : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                     : -1;
                    if (v < 0) {
                        if (h == '"' || h == '\'' || h == ' ' || h == '\n') break;
                        std::size_t hl;
                        error(base + j, fmt::format("invalid character in unicode escape: `{}`",
                                                    escaped_char(decode_utf8(body, j, hl))));
                        bad = true;
                        break;
                    }
                    if (digits == 6) {
                        error(at, "overlong unicode escape");
                        bad = true;
                        break;
                    }
                    value = value * 16 + static_cast<uint32_t>(v);
                    ++digits;
                    ++j;
                }
                if (bad) {
                    // Resynchronise after the escape's closing brace, if any.
                    while (j < body.size() && body[j] != '}') ++j;
                    if (j < body.size()) ++j;
                } else if (!closed) {
                    error(at, "unterminated unicode escape");
                } else if (digits == 0) {
                    error(at, "empty unicode escape");
                } else if (byte) {
                    error(at, single ? "unicode escape in byte" : "unicode escape in byte string");
                } else if (value >= 0xD800 && value <= 0xDFFF) {
                    error(at, "invalid unicode character escape: unicode escape must not be a "
                              "surrogate");
                } else if (value > 0x10FFFF) {
                    error(at, "invalid unicode character escape: unicode escape must be at most "
                              "10FFFF");
                } else if (cstr && value == 0) {
                    error(at, "null characters in C string literals are not supported");
                }
                break;
            }
            case '\n':
                if (single) {
                    error(at, "unknown character escape: `\\n`");
                    break;
                }
                // A line continuation: the newline and the whitespace after it vanish.
                while (j < body.size() &&
                       (body[j] == ' ' || body[j] == '\t' || body[j] == '\n' || body[j] == '\r'))
                    ++j;
                --count;
                break;
            default:
                error(at, fmt::format(fmt::runtime(byte ? "unknown byte escape: `{}`"
                                                        : "unknown character escape: `{}`"),
                                      escaped_char(e)));
                break;
            }
            i = j;
            continue;
        }
        if (c == '\r') {
            error(at, raw ? "bare CR not allowed in raw string"
                          : "bare CR not allowed in string, use `\\r` instead");
        } else if (single && (c == '\n' || c == '\t' || c == '\'')) {
            error(at, fmt::format(fmt::runtime(mode == Mode::Byte
                                                   ? "byte constant must be escaped: `{}`"
                                                   : "character constant must be escaped: `{}`"),
                                  c == '\'' ? std::string("'") : escaped_char(c)));
        } else if (byte && c >= 0x80) {
            error(at, mode == Mode::Byte      ? "non-ASCII character in byte literal"
                      : mode == Mode::ByteStr ? "non-ASCII character in byte string literal"
                                              : "non-ASCII character in raw byte string literal");
        } else if (cstr && c == 0) {
            error(at, "null characters in C string literals are not supported");
        }
        i += len;
    }
    return count;
}

// Computes 1-based line and column (in characters) for increasing offsets.
class LineCursor {
public:
    explicit LineCursor(std::string_view text) : text_(text) {}

    // Tokens are short and whitespace holds most newlines, so a byte loop beats
    // searching for the next newline.
    void advance(std::size_t to) noexcept {
        // Locals, so that the loop does not go through memory the trees may alias.
        std::size_t pos = pos_;
        uint32_t line = line_, col = col_;
        const char* text = text_.data();
        for (; pos < to; ++pos) {
            auto c = static_cast<unsigned char>(text[pos]);
            if (c == '\n') {
                ++line;
                col = 1;
            } else {
                col += (c & 0xC0) != 0x80;
            }
        }
        pos_ = pos;
        line_ = line;
        col_ = col;
    }

    uint32_t line() const noexcept { return line_; }
    uint32_t col() const noexcept { return col_; }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    uint32_t line_ = 1, col_ = 1;
};

// rustc presents a doc comment as a raw string with the fewest `#` that cannot
// clash with a `"#...` inside it, but never more than a raw string may have
// (255): a comment holding `"` and 255 `#` gets a literal that does not lex
// back, in rustc as here. Written into the stream's text storage.
std::string_view doc_literal(TokenStream& out, std::string_view content) {
    std::size_t hashes = 0, run = 0;
    for (char c : content) {
        run = c == '"' ? 1 : (c == '#' && run > 0) ? run + 1 : 0;
        hashes = std::max(hashes, run);
    }
    hashes = std::min<std::size_t>(hashes, kMaxRawStringHashes);
    std::size_t n = content.size() + 3 + 2 * hashes;
    char* p = out.allocate_text(n);
    char* w = p;
    *w++ = 'r';
    w = std::fill_n(w, hashes, '#');
    *w++ = '"';
    w = std::copy(content.begin(), content.end(), w);
    *w++ = '"';
    std::fill_n(w, hashes, '#');
    return {p, n};
}

class Builder {
public:
    Builder(const SourceFile& file, const LexOptions& opts, LexResult& result)
        : text_(*file.text), file_(file), opts_(opts), result_(result), check_(result.errors),
          cursor_(text_) {
        result_.stream.keep_shared(file.text);
    }

    void run();

private:
    Span span(std::size_t lo, std::size_t hi) {
        Span s;
        fill_span(s, lo, hi);
        return s;
    }
    void fill_span(Span& s, std::size_t lo, std::size_t hi) {
        if (opts_.span_override) {
            s = *opts_.span_override;
            return;
        }
        s.source = file_.id;
        s.lo = static_cast<uint32_t>(lo);
        s.hi = static_cast<uint32_t>(hi);
        cursor_.advance(lo);
        s.line = cursor_.line();
        s.col = cursor_.col();
        cursor_.advance(hi);
        s.end_line = cursor_.line();
        s.end_col = cursor_.col();
    }
    // rustc puts identifiers in Normalization Form C; ASCII ones (nearly all) are.
    std::string_view ident_text(std::string_view name) {
        for (char c : name) {
            if (static_cast<unsigned char>(c) < 0x80) continue;
            std::string nfc;
            if (!to_nfc(name, nfc)) break;
            char* p = result_.stream.allocate_text(nfc.size());
            std::copy(nfc.begin(), nfc.end(), p);
            return {p, nfc.size()};
        }
        return name;
    }

    // The fast path for the common leaves: the node is filled in place.
    Tree& leaf(TreeKind kind, std::string_view text, std::size_t lo, std::size_t hi) {
        Tree& t = result_.stream.emplace_node();
        t.kind = kind;
        t.set_text(text);
        fill_span(t.span, lo, hi);
        return t;
    }
    void literal(const RawToken& t, std::size_t start);
    void doc_comment(const RawToken& t, std::size_t start, std::size_t end);
    void close(Delimiter d, std::size_t start, std::size_t end);

    std::string_view text_;
    const SourceFile& file_;
    const LexOptions& opts_;
    LexResult& result_;
    Checker check_;
    LineCursor cursor_;
    struct Open {
        Delimiter d;
        std::size_t at;
    };
    std::vector<Open> open_;
};

void Builder::run() {
    // rustc refuses source that is not UTF-8 before lexing it.
    for (std::size_t i = 0; i < text_.size();) {
        // Most source is ASCII: skip it eight bytes at a time.
        if (i + 8 <= text_.size()) {
            uint64_t word;
            std::memcpy(&word, text_.data() + i, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        std::size_t len = 1;
        if (static_cast<unsigned char>(text_[i]) >= 0x80 && decode_utf8(text_, i, len) == 0xFFFD &&
            len == 1) {
            check_.error(i, "stream did not contain valid UTF-8");
            break;
        }
        i += len;
    }
    std::size_t pos = opts_.skip_shebang ? shebang_length(text_) : 0;
    Lexer lex(text_.substr(pos), opts_.edition);
    TokenStream& out = result_.stream;
    out.reserve(text_.size() / 4 + 16);
    for (;;) {
        std::size_t start;
        RawToken t = lex.next_significant(start);
        if (t.kind == RawKind::Eof) break;
        start += pos;
        std::size_t end = start + t.len;
        std::string_view tok = text_.substr(start, t.len);
        switch (t.kind) {
        case RawKind::Whitespace: break;
        case RawKind::LineComment:
        case RawKind::BlockComment:
            if ((t.flags & kUnterminated) != 0)
                check_.error(start, t.doc == DocStyle::None ? "unterminated block comment"
                                                            : "unterminated block doc-comment");
            if (t.doc != DocStyle::None) doc_comment(t, start, end);
            break;
        case RawKind::Ident: leaf(TreeKind::Ident, ident_text(tok), start, end); break;
        case RawKind::UnknownPrefix:
            if (opts_.edition >= Edition::E2021)
                check_.error(start, fmt::format("prefix `{}` is unknown", tok));
            leaf(TreeKind::Ident, ident_text(tok), start, end);
            break;
        case RawKind::RawIdent: {
            std::string_view name = tok.substr(2);
            if (name == "_" || name == "self" || name == "super" || name == "Self" ||
                name == "crate")
                check_.error(start, fmt::format("`{}` cannot be a raw identifier", name));
            leaf(TreeKind::Ident, ident_text(name), start, end).raw = true;
            break;
        }
        case RawKind::Lifetime:
        case RawKind::RawLifetime: {
            if ((t.flags & kStartsWithNumber) != 0)
                check_.error(start, "lifetimes cannot start with a number");
            leaf(TreeKind::Punct, tok.substr(0, 1), start, start + 1).spacing = Spacing::Joint;
            bool raw = t.kind == RawKind::RawLifetime;
            std::string_view name = tok.substr(raw ? 3 : 1);
            if (raw && (name == "_" || name == "static"))
                check_.error(start, fmt::format("`'{}` cannot be a raw lifetime", name));
            leaf(TreeKind::Ident, ident_text(name), start + 1, end).raw = raw;
            break;
        }
        case RawKind::Literal: literal(t, start); break;
        case RawKind::Punct:
            if ((t.flags & kReservedGuarded) != 0)
                check_.error(start, text_.substr(end, 1) == "#"
                                        ? "reserved multi-hash token is forbidden"
                                        : "invalid string literal");
            leaf(TreeKind::Punct, tok, start, end).spacing =
                is_joint_follower(text_, end) ? Spacing::Joint : Spacing::Alone;
            break;
        case RawKind::OpenParen:
        case RawKind::OpenBrace:
        case RawKind::OpenBracket: {
            Delimiter d = t.kind == RawKind::OpenParen   ? Delimiter::Parenthesis
                          : t.kind == RawKind::OpenBrace ? Delimiter::Brace
                                                         : Delimiter::Bracket;
            open_.push_back({d, start});
            fill_span(out.open_group_node(d).span, start, end);
            break;
        }
        case RawKind::CloseParen: close(Delimiter::Parenthesis, start, end); break;
        case RawKind::CloseBrace: close(Delimiter::Brace, start, end); break;
        case RawKind::CloseBracket: close(Delimiter::Bracket, start, end); break;
        case RawKind::Unknown: {
            std::size_t len;
            char32_t c = decode_utf8(text_, start, len);
            // Invalid UTF-8 has been reported once already.
            if (!(c == 0xFFFD && len == 1 && static_cast<unsigned char>(text_[start]) >= 0x80))
                check_.error(start, fmt::format("unknown start of token: {}", escaped_char(c)));
            break;
        }
        case RawKind::Eof: break;
        }
    }
    for (const Open& o : open_) {
        check_.error(o.at, "this file contains an unclosed delimiter");
        result_.errors.back().at_end = true;
        out.close_group(Span{});
    }
}

void Builder::close(Delimiter d, std::size_t start, std::size_t end) {
    const char* ch = close_char(d);
    if (open_.empty()) {
        check_.error(start, fmt::format("unexpected closing delimiter: `{}`", ch));
        return;
    }
    if (open_.back().d != d) {
        check_.error(start, fmt::format("mismatched closing delimiter: `{}`", ch));
        // Recover as rustc does when an outer group matches: close up to it.
        auto it =
            std::find_if(open_.rbegin(), open_.rend(), [&](const Open& o) { return o.d == d; });
        if (it == open_.rend()) return;
        while (open_.back().d != d) {
            open_.pop_back();
            result_.stream.close_group(Span{});
        }
    }
    open_.pop_back();
    Tree* g = result_.stream.close_group_node();
    if (!opts_.span_override) {
        // The group's span runs from its opening to its closing delimiter.
        cursor_.advance(end);
        g->span.hi = static_cast<uint32_t>(end);
        g->span.end_line = cursor_.line();
        g->span.end_col = cursor_.col();
    }
}

void Builder::doc_comment(const RawToken& t, std::size_t start, std::size_t end) {
    std::string_view content;
    if (t.kind == RawKind::LineComment) {
        content = text_.substr(start + 3, end - start - 3);
    } else {
        if ((t.flags & kUnterminated) != 0) return;
        content = text_.substr(start + 3, end - start - 5);
    }
    for (std::size_t i = content.find('\r'); i != std::string_view::npos;
         i = content.find('\r', i + 1))
        check_.error(start + 3 + i, "bare CR not allowed in doc-comment");
    Span s = span(start, end);
    TokenStream& out = result_.stream;
    out.push_punct('#', Spacing::Alone, s);
    out.mutable_nodes().back().from_doc = true;
    if (t.doc == DocStyle::Inner) {
        out.push_punct('!', Spacing::Alone, s);
        out.mutable_nodes().back().from_doc = true;
    }
    out.open_group(Delimiter::Bracket, s);
    out.push_ident("doc", s);
    out.push_punct('=', Spacing::Alone, s);
    out.push_literal(LitKind::RawStr, doc_literal(out, content), s);
    out.close_group(s);
    auto& nodes = out.mutable_nodes();
    for (std::size_t i = nodes.size() - 4; i < nodes.size(); ++i) nodes[i].from_doc = true;
}

void Builder::literal(const RawToken& t, std::size_t start) {
    std::string_view tok = text_.substr(start, t.len);
    leaf(TreeKind::Literal, tok, start, start + t.len).lit = t.lit;
    const bool unterminated = (t.flags & kUnterminated) != 0;
    switch (t.lit) {
    case LitKind::Int:
    case LitKind::Float: {
        if ((t.flags & kEmptyInt) != 0) {
            check_.error(start, "no valid digits found for number");
            return;
        }
        if ((t.flags & kEmptyExponent) != 0)
            check_.error(start, "expected at least one digit in exponent");
        if (t.lit == LitKind::Float && t.base != 10) {
            check_.error(start, t.base == 2   ? "binary float literal is not supported"
                                : t.base == 8 ? "octal float literal is not supported"
                                              : "hexadecimal float literal is not supported");
            return;
        }
        if (t.lit == LitKind::Int && t.base < 10) {
            std::string_view digits = tok.substr(2, t.suffix_start - 2);
            for (std::size_t i = 0; i < digits.size(); ++i) {
                char c = digits[i];
                if (c != '_' && c - '0' >= t.base) {
                    check_.error(start + 2 + i,
                                 fmt::format("invalid digit for a base {} literal", t.base));
                    break;
                }
            }
        }
        return;
    }
    case LitKind::Char:
    case LitKind::Byte: {
        bool byte = t.lit == LitKind::Byte;
        if (unterminated) {
            check_.error(start,
                         byte ? "unterminated byte constant" : "unterminated character literal");
            return;
        }
        std::size_t open = byte ? 2 : 1;
        std::string_view body = tok.substr(open, t.suffix_start - open - 1);
        std::size_t n = check_.check_body(body, start + open, byte ? Mode::Byte : Mode::Char);
        // rustc words these alike for chars and bytes.
        if (n == 0)
            check_.error(start, "empty character literal");
        else if (n > 1)
            check_.error(start, "character literal may only contain one codepoint");
        return;
    }
    case LitKind::Str:
    case LitKind::ByteStr:
    case LitKind::CStr: {
        if (unterminated) {
            check_.error(start, t.lit == LitKind::Str ? "unterminated double quote string"
                                : t.lit == LitKind::ByteStr
                                    ? "unterminated double quote byte string"
                                    : "unterminated C string");
            return;
        }
        std::size_t open = t.lit == LitKind::Str ? 1 : 2;
        Mode m = t.lit == LitKind::Str       ? Mode::Str
                 : t.lit == LitKind::ByteStr ? Mode::ByteStr
                                             : Mode::CStr;
        check_.check_body(tok.substr(open, t.suffix_start - open - 1), start + open, m);
        return;
    }
    case LitKind::RawStr:
    case LitKind::RawByteStr:
    case LitKind::RawCStr: {
        std::size_t prefix = t.lit == LitKind::RawStr ? 1 : 2;
        if ((t.flags & kBadRawStart) != 0) {
            std::size_t at = start + prefix + t.hashes;
            if (at >= text_.size()) {
                check_.error(start, "unterminated raw string");
            } else {
                std::size_t len;
                char32_t c = decode_utf8(text_, at, len);
                check_.error(at, fmt::format("found invalid character; only `#` is allowed in "
                                             "raw string delimitation: {}",
                                             escaped_char(c)));
            }
            return;
        }
        if ((t.flags & kTooManyHashes) != 0) {
            check_.error(start, fmt::format("too many `#` symbols: raw strings may be delimited "
                                            "by up to 255 `#` symbols, but found {}",
                                            t.hashes));
        }
        if (unterminated) {
            check_.error(start, "unterminated raw string");
            return;
        }
        std::size_t open = prefix + t.hashes + 1;
        std::size_t body_len = t.suffix_start - open - 1 - t.hashes;
        Mode m = t.lit == LitKind::RawStr       ? Mode::RawStr
                 : t.lit == LitKind::RawByteStr ? Mode::RawByteStr
                                                : Mode::RawCStr;
        check_.check_body(tok.substr(open, body_len), start + open, m);
        return;
    }
    }
}

} // namespace

SourceFile SourceFile::from_bytes(std::string name, std::string raw, uint32_t id) {
    SourceFile f;
    f.name = std::move(name);
    f.id = id;
    std::size_t skip = raw.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    std::string text;
    text.reserve(raw.size() - skip);
    for (std::size_t i = skip; i < raw.size(); ++i) {
        if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
        text += raw[i];
    }
    f.text = std::make_shared<const std::string>(std::move(text));
    return f;
}

SourceFile SourceFile::load(const std::string& path, uint32_t id) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(fmt::format("{}: cannot open file", path));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw IoError(fmt::format("{}: cannot read file", path));
    return from_bytes(path, std::move(ss).str(), id);
}

LexResult tokenize(const SourceFile& file, const LexOptions& options) {
    LexResult result;
    Builder b(file, options, result);
    b.run();
    auto& errors = result.errors;
    // Ordered by position; errors at one position keep the order they were found in.
    std::vector<std::pair<uint64_t, std::size_t>> order;
    for (std::size_t i = 0; i < errors.size(); ++i) order.emplace_back(errors[i].offset, i);
    std::sort(order.begin(), order.end());
    // Positions are computed in offset order, in one pass over the text.
    LineCursor cursor(*file.text);
    for (auto& o : order) {
        Diagnostic& d = errors[o.second];
        cursor.advance(d.offset);
        d.line = cursor.line();
        d.col = cursor.col();
    }
    std::vector<Diagnostic> sorted;
    sorted.reserve(errors.size());
    for (bool last : {false, true})
        for (auto& o : order)
            if (errors[o.second].at_end == last) sorted.push_back(std::move(errors[o.second]));
    errors = std::move(sorted);
    return result;
}

std::string format_diagnostic(const std::string& file, const Diagnostic& d) {
    return fmt::format("{}:{}:{}: error: {}", file, d.line, d.col, d.message);
}

TokenStream tokenize_or_throw(const SourceFile& file, const LexOptions& options) {
    LexResult r = tokenize(file, options);
    if (!r.ok()) {
        std::string what = format_diagnostic(file.name, r.errors.front());
        throw LexError(what, std::move(r.errors));
    }
    return std::move(r.stream);
}

std::optional<TokenStream> parse_text(std::string_view text, Edition edition, Span span) {
    SourceFile f;
    f.name = "<text>";
    f.id = 0;
    f.text = std::make_shared<const std::string>(text);
    LexOptions o;
    o.edition = edition;
    o.skip_shebang = false;
    o.span_override = span;
    LexResult r = tokenize(f, o);
    if (!r.ok()) return std::nullopt;
    return std::move(r.stream);
}

std::optional<std::string> string_literal_value(std::string_view literal) {
    // The lexer's checks first, so that every escape below is a valid one.
    std::optional<TokenStream> lexed = parse_text(literal, Edition::E2021, Span{});
    if (!lexed || lexed->size() != 1 || (*lexed)[0].kind != TreeKind::Literal ||
        (*lexed)[0].text() != literal)
        return std::nullopt;
    if (literal.starts_with('r')) {
        size_t hashes = literal.find('"') - 1;
        if (literal.size() < 2 * hashes + 3 || literal[1 + hashes] != '"') return std::nullopt;
        std::string_view body = literal.substr(2 + hashes);
        body = body.substr(0, body.size() - hashes);
        if (!body.ends_with('"')) return std::nullopt; // a suffix
        body.remove_suffix(1);
        return std::string(body);
    }
    if (!literal.starts_with('"') || !literal.ends_with('"')) return std::nullopt;
    std::string_view body = literal.substr(1, literal.size() - 2);
    std::string out;
    for (size_t i = 0; i < body.size(); ++i) {
        if (body[i] != '\\') {
            out += body[i];
            continue;
        }
        char e = body[++i];
        switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '0': out += '\0'; break;
        case 'x':
            out += static_cast<char>(std::stoi(std::string(body.substr(i + 1, 2)), nullptr, 16));
            i += 2;
            break;
        case 'u': {
            size_t close = body.find('}', i);
            std::string digits;
            for (char c : body.substr(i + 2, close - i - 2))
                if (c != '_') digits += c;
            append_utf8(out, static_cast<char32_t>(std::stoul(digits, nullptr, 16)));
            i = close;
            break;
        }
        case '\n':
            while (i + 1 < body.size() && std::strchr(" \t\n\r", body[i + 1]) != nullptr) ++i;
            break;
        default: out += e; // \\ \" \'
        }
    }
    return out;
}

} // namespace wasmacro::tokens
