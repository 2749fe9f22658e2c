#include "abi/wire.hpp"

#include "tokens/unicode.hpp"

#include <fmt/format.h>

#include <cstring>

namespace wasmacro::abi {

namespace {

constexpr uint8_t kEnd = 0;
constexpr uint8_t kGroup = 1;
constexpr uint8_t kIdent = 2;
constexpr uint8_t kPunct = 3;
constexpr uint8_t kLiteral = 4;

constexpr uint8_t kLiteralText = 0;
constexpr uint8_t kLiteralHandle = 1;

using tokens::Delimiter;
using tokens::LitKind;
using tokens::Spacing;
using tokens::Span;
using tokens::TokenStream;
using tokens::Tree;
using tokens::TreeKind;

// Appends by resizing once per field; the encoder is on every expansion's path.
class Writer {
public:
    explicit Writer(std::vector<uint8_t>& out) : out_(out) {}
    void u8(uint8_t v) { out_.push_back(v); }
    void u32(uint32_t v) {
        size_t at = out_.size();
        out_.resize(at + 4);
        uint8_t* p = out_.data() + at;
        p[0] = static_cast<uint8_t>(v);
        p[1] = static_cast<uint8_t>(v >> 8);
        p[2] = static_cast<uint8_t>(v >> 16);
        p[3] = static_cast<uint8_t>(v >> 24);
    }
    void raw(std::string_view s) {
        if (s.empty()) return;
        size_t at = out_.size();
        out_.resize(at + s.size());
        std::memcpy(out_.data() + at, s.data(), s.size());
    }

private:
    std::vector<uint8_t>& out_;
};

// Open and close spans of a group with a source location; a span without one
// (a host handle, the call site) is its own open and close span.
Span open_span(const Span& whole) {
    Span s = whole;
    s.hi = s.lo + 1;
    s.end_line = s.line;
    s.end_col = s.col + 1;
    return s;
}

Span close_span(const Span& whole) {
    Span s = whole;
    s.lo = s.hi > 0 ? s.hi - 1 : 0;
    s.line = s.end_line;
    s.col = s.end_col > 0 ? s.end_col - 1 : 0;
    return s;
}

uint32_t punct_code(const Tree& t) {
    std::string_view text = t.text();
    if (text.empty()) return 0;
    std::size_t len = 0;
    return static_cast<uint32_t>(tokens::decode_utf8(text, 0, len));
}

class Reader {
public:
    explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

    size_t offset() const { return pos_; }
    bool at_end() const { return pos_ == bytes_.size(); }

    uint8_t u8(const char* what) {
        need(1, what);
        return bytes_[pos_++];
    }
    uint32_t u32(const char* what) {
        need(4, what);
        const uint8_t* p = bytes_.data() + pos_;
        pos_ += 4;
        return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
               static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
    }
    std::string_view text(const char* what) {
        size_t at = pos_;
        uint32_t len = u32(what);
        if (len > bytes_.size() - pos_)
            throw WireError(fmt::format("byte {}: {} of {} bytes, but only {} bytes follow", at,
                                        what, len, bytes_.size() - pos_));
        std::string_view s(reinterpret_cast<const char*>(bytes_.data() + pos_), len);
        pos_ += len;
        if (!tokens::is_valid_utf8(s))
            throw WireError(fmt::format("byte {}: {} is not valid UTF-8", at + 4, what));
        return s;
    }

private:
    void need(size_t n, const char* what) {
        if (bytes_.size() - pos_ < n)
            throw WireError(fmt::format("byte {}: the bytes end in the middle of {}", pos_, what));
    }

    std::span<const uint8_t> bytes_;
    size_t pos_ = 0;
};

std::string_view copy_text(TokenStream& out, std::string_view text) {
    if (text.empty()) return {};
    char* p = out.allocate_text(text.size());
    std::memcpy(p, text.data(), text.size());
    return {p, text.size()};
}

// The lexer decides what one literal token is, so that what the host accepts
// is exactly what it would have lexed from source.
bool literal_kind(std::string_view text, tokens::Edition edition, LitKind& kind) {
    bool negative = !text.empty() && text[0] == '-';
    if (negative) text.remove_prefix(1);
    if (text.empty()) return false;
    tokens::Lexer lexer(text, edition);
    tokens::RawToken t = lexer.next();
    if (t.kind != tokens::RawKind::Literal || t.flags != 0 || t.len != text.size()) return false;
    if (negative && t.lit != LitKind::Int && t.lit != LitKind::Float) return false;
    kind = t.lit;
    return true;
}

std::string printable(std::string_view text) {
    constexpr size_t kMax = 40;
    std::string s(text.substr(0, kMax));
    if (text.size() > kMax) s += "...";
    return s;
}

} // namespace

WireTables::LiteralRef WireTables::literal(uint32_t handle) {
    throw WireError(fmt::format("literal handle {:#x}: this side has no literal handles", handle));
}

uint32_t HostSpanTables::span_handle(const Span& span) {
    return span.is_host() ? span.host_handle() : kCallSiteSpan;
}

Span HostSpanTables::span(uint32_t handle) {
    return handle == kCallSiteSpan ? Span{} : Span::host(handle);
}

void encode(const TokenStream& stream, Direction direction, WireTables& tables,
            std::vector<uint8_t>& out) {
    Writer w(out);
    std::span<const Tree> nodes = stream.nodes();
    out.reserve(out.size() + nodes.size() * 12 + 1);
    // Ends of the open groups, innermost last: the flat pre-order layout needs
    // no recursion, whatever the depth.
    std::vector<uint32_t> ends;
    for (uint32_t i = 0; i < nodes.size(); ++i) {
        while (!ends.empty() && ends.back() == i) {
            w.u8(kEnd);
            ends.pop_back();
        }
        const Tree& t = nodes[i];
        switch (t.kind) {
        case TreeKind::Group: {
            w.u8(kGroup);
            w.u8(static_cast<uint8_t>(t.delimiter));
            uint32_t whole = tables.span_handle(t.span);
            w.u32(whole);
            if (direction == Direction::HostToGuest) {
                if (t.span.has_location()) {
                    w.u32(tables.span_handle(open_span(t.span)));
                    w.u32(tables.span_handle(close_span(t.span)));
                } else {
                    w.u32(whole);
                    w.u32(whole);
                }
            }
            ends.push_back(t.end);
            break;
        }
        case TreeKind::Ident: {
            w.u8(kIdent);
            w.u32(tables.span_handle(t.span));
            std::string_view name = t.text();
            w.u32(static_cast<uint32_t>(name.size() + (t.raw ? 2 : 0)));
            if (t.raw) w.raw("r#");
            w.raw(name);
            break;
        }
        case TreeKind::Punct:
            w.u8(kPunct);
            w.u32(punct_code(t));
            w.u8(t.spacing == Spacing::Joint ? 1 : 0);
            w.u32(tables.span_handle(t.span));
            break;
        case TreeKind::Literal: {
            w.u8(kLiteral);
            w.u32(tables.span_handle(t.span));
            std::optional<uint32_t> handle;
            if (direction == Direction::HostToGuest) handle = tables.literal_handle(t);
            if (handle) {
                w.u8(kLiteralHandle);
                w.u32(*handle);
            } else {
                w.u8(kLiteralText);
                w.u32(static_cast<uint32_t>(t.text().size()));
                w.raw(t.text());
            }
            break;
        }
        }
    }
    for (size_t i = 0; i < ends.size(); ++i) w.u8(kEnd);
    w.u8(kEnd);
}

std::vector<uint8_t> encode(const TokenStream& stream, Direction direction, WireTables& tables) {
    std::vector<uint8_t> out;
    encode(stream, direction, tables, out);
    return out;
}

TokenStream decode(std::span<const uint8_t> bytes, Direction direction, WireTables& tables,
                   const DecodeOptions& options) {
    Reader r(bytes);
    TokenStream out;
    // A tree takes at least 6 bytes on the wire.
    out.reserve(std::min(bytes.size() / 6 + 1, options.max_trees));
    uint32_t depth = 0;
    for (;;) {
        size_t at = r.offset();
        if (r.at_end()) {
            if (depth == 0)
                throw WireError(
                    fmt::format("byte {}: the bytes end before the stream's end byte", at));
            throw WireError(fmt::format("byte {}: the bytes end inside {} unclosed group{}", at,
                                        depth, depth == 1 ? "" : "s"));
        }
        uint8_t tag = r.u8("a tree tag");
        if (tag != kEnd && out.size() >= options.max_trees)
            throw WireTooLarge(
                fmt::format("byte {}: the stream has more than {} trees", at, options.max_trees));
        switch (tag) {
        case kEnd:
            if (depth == 0) {
                if (!r.at_end())
                    throw WireError(fmt::format("byte {}: {} bytes follow the end of the stream",
                                                r.offset(), bytes.size() - r.offset()));
                return out;
            }
            out.close_group_node();
            --depth;
            break;
        case kGroup: {
            uint8_t d = r.u8("a group");
            if (d > 3) throw WireError(fmt::format("byte {}: unknown delimiter {}", at + 1, d));
            uint32_t handle = r.u32("a group's span");
            if (direction == Direction::HostToGuest) {
                r.u32("a group's open span");
                r.u32("a group's close span");
            }
            Span span = tables.span(handle);
            if (++depth > options.max_depth)
                throw WireError(
                    fmt::format("byte {}: groups nested more than {} deep", at, options.max_depth));
            out.open_group_node(static_cast<Delimiter>(d)).span = span;
            break;
        }
        case kIdent: {
            Span span = tables.span(r.u32("an identifier's span"));
            std::string_view text = r.text("an identifier");
            if (!tokens::is_ident_token(text))
                throw WireError(
                    fmt::format("byte {}: `{}` is not an identifier", at, printable(text)));
            bool raw = text.size() > 2 && text[0] == 'r' && text[1] == '#';
            if (raw) text.remove_prefix(2);
            Tree& t = out.emplace_node();
            t.kind = TreeKind::Ident;
            t.span = span;
            t.raw = raw;
            t.set_text(copy_text(out, text));
            break;
        }
        case kPunct: {
            uint32_t code = r.u32("a punct");
            if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
                throw WireError(fmt::format("byte {}: {:#x} is not a char", at + 1, code));
            if (!tokens::is_punct_char(code)) {
                std::string ch;
                tokens::append_utf8(ch, static_cast<char32_t>(code));
                throw WireError(fmt::format(
                    "byte {}: '{}' (U+{:04X}) is not a punctuation character", at + 1, ch, code));
            }
            uint8_t spacing = r.u8("a punct's spacing");
            if (spacing > 1)
                throw WireError(fmt::format("byte {}: unknown spacing {}", at + 5, spacing));
            Span span = tables.span(r.u32("a punct's span"));
            out.push_punct(static_cast<char>(code), spacing == 1 ? Spacing::Joint : Spacing::Alone,
                           span);
            break;
        }
        case kLiteral: {
            Span span = tables.span(r.u32("a literal's span"));
            uint8_t form = r.u8("a literal");
            LitKind kind = LitKind::Int;
            std::string_view text;
            if (form == kLiteralHandle) {
                WireTables::LiteralRef lit = tables.literal(r.u32("a literal handle"));
                kind = lit.kind;
                text = lit.text;
            } else if (form == kLiteralText) {
                text = r.text("a literal");
                if (!literal_kind(text, options.edition, kind))
                    throw WireError(
                        fmt::format("byte {}: `{}` is not a literal", at, printable(text)));
            } else {
                throw WireError(fmt::format("byte {}: unknown literal form {}", at + 5, form));
            }
            Tree& t = out.emplace_node();
            t.kind = TreeKind::Literal;
            t.span = span;
            t.lit = kind;
            t.set_text(copy_text(out, text));
            break;
        }
        default: throw WireError(fmt::format("byte {}: unknown tree tag {}", at, tag));
        }
    }
}

} // namespace wasmacro::abi
