// The wire format: exact bytes, round trips in both directions, and every
// malformed input refused with its message.
#include "abi/wire.hpp"
#include "common/file.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

namespace abi = wasmacro::abi;
namespace tokens = wasmacro::tokens;
using abi::Direction;
using abi::WireError;
using tokens::Span;
using tokens::TokenStream;

using Bytes = std::vector<uint8_t>;

void put32(Bytes& b, uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void put_text(Bytes& b, std::string_view s) {
    put32(b, static_cast<uint32_t>(s.size()));
    b.insert(b.end(), s.begin(), s.end());
}

TokenStream lex(const std::string& text) {
    return tokens::tokenize_or_throw(tokens::SourceFile::from_bytes("<test>", text));
}

// Numbers every token's span as a host handle, so round trips can check spans.
TokenStream with_host_spans(TokenStream s) {
    uint32_t n = 100;
    for (tokens::Tree& t : s.mutable_nodes()) t.span = Span::host(n++);
    return s;
}

// Tables like the host's: spans and literals numbered in a list.
class ListTables : public abi::WireTables {
public:
    uint32_t span_handle(const Span& span) override {
        if (span.source == 0) return abi::kCallSiteSpan;
        spans.push_back(span);
        return static_cast<uint32_t>(spans.size() - 1);
    }
    Span span(uint32_t handle) override {
        if (handle == abi::kCallSiteSpan) return {};
        if (handle >= spans.size()) throw WireError("unknown span handle");
        return spans[handle];
    }
    std::optional<uint32_t> literal_handle(const tokens::Tree& literal) override {
        literals.push_back({literal.lit, literal.text()});
        return static_cast<uint32_t>(literals.size() - 1);
    }
    LiteralRef literal(uint32_t handle) override {
        if (handle >= literals.size()) throw WireError("unknown literal handle");
        return literals[handle];
    }
    std::vector<Span> spans;
    std::vector<LiteralRef> literals;
};

const char* kRich = R"rs(
    #[derive(Debug)] pub struct S<'a, T: ?Sized> { r#type: &'a T, x: [u8; 0x10], }
    fn f() -> Result<(), E> { let s = "str\n"; let b = b'x'; let c = 'ä'; 1.5e3f32 >>= 2;
        r#"raw"#; br"x"; c"c"; x::<>(); a -> b => c; $x ..= @ ~ ! ? }
    /// doc comment
    mod m { ( [ { } ] ) }
    ünïcödé _ r#match
)rs";

TEST(Wire, IdentBytes) {
    TokenStream s;
    s.push_ident("ab", Span::host(5));
    abi::HostSpanTables tables;
    Bytes want = {2};
    put32(want, 5);
    put_text(want, "ab");
    want.push_back(0);
    EXPECT_EQ(abi::encode(s, Direction::GuestToHost, tables), want);
    EXPECT_EQ(abi::encode(s, Direction::HostToGuest, tables), want);
}

TEST(Wire, GroupPunctLiteralBytes) {
    TokenStream s;
    s.open_group(tokens::Delimiter::Bracket, Span::host(1));
    s.push_punct('+', tokens::Spacing::Joint, {});
    s.push_literal(tokens::LitKind::Int, "7", Span::host(2));
    s.close_group({});
    abi::HostSpanTables host;
    Bytes want = {1, 2};
    put32(want, 1);
    want.push_back(3);
    put32(want, '+');
    want.push_back(1);
    put32(want, abi::kCallSiteSpan);
    want.push_back(4);
    put32(want, 2);
    want.push_back(0);
    put_text(want, "7");
    want.push_back(0);
    want.push_back(0);
    EXPECT_EQ(abi::encode(s, Direction::GuestToHost, host), want);

    // Host->guest: three spans per group, literals as handles.
    ListTables list;
    Bytes h2g = abi::encode(s, Direction::HostToGuest, list);
    Bytes want2 = {1, 2};
    put32(want2, 0);
    put32(want2, 0);
    put32(want2, 0);
    want2.push_back(3);
    put32(want2, '+');
    want2.push_back(1);
    put32(want2, abi::kCallSiteSpan);
    want2.push_back(4);
    put32(want2, 1);
    want2.push_back(1);
    put32(want2, 0);
    want2.push_back(0);
    want2.push_back(0);
    EXPECT_EQ(h2g, want2);
}

TEST(Wire, LocatedGroupGetsOpenAndCloseSpans) {
    TokenStream s = lex("f (x)");
    ListTables list;
    abi::encode(s, Direction::HostToGuest, list);
    // f, the group, its open and close delimiters, x.
    ASSERT_EQ(list.spans.size(), 5u);
    EXPECT_EQ(list.spans[1].lo, 2u);
    EXPECT_EQ(list.spans[1].hi, 5u);
    EXPECT_EQ(list.spans[2].lo, 2u);
    EXPECT_EQ(list.spans[2].hi, 3u);
    EXPECT_EQ(list.spans[3].lo, 4u);
    EXPECT_EQ(list.spans[3].hi, 5u);
    EXPECT_EQ(list.spans[3].col, 5u);
}

void expect_same_spans(const TokenStream& a, const TokenStream& b) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].span, b[i].span) << i;
}

TEST(Wire, GuestToHostRoundTrip) {
    TokenStream s = with_host_spans(lex(kRich));
    abi::HostSpanTables tables;
    Bytes bytes = abi::encode(s, Direction::GuestToHost, tables);
    TokenStream back = abi::decode(bytes, Direction::GuestToHost, tables);
    EXPECT_TRUE(tokens::same_trees(s, back)) << tokens::to_string(back);
    expect_same_spans(s, back);
    for (size_t i = 0; i < s.size(); ++i)
        if (s[i].kind == tokens::TreeKind::Literal) {
            EXPECT_EQ(s[i].lit, back[i].lit) << s[i].text();
        }
}

TEST(Wire, HostToGuestRoundTrip) {
    TokenStream s = lex(kRich);
    ListTables tables;
    Bytes bytes = abi::encode(s, Direction::HostToGuest, tables);
    TokenStream back = abi::decode(bytes, Direction::HostToGuest, tables);
    EXPECT_TRUE(tokens::same_trees(s, back)) << tokens::to_string(back);
    expect_same_spans(s, back);
}

TEST(Wire, RawIdentsAndNegativeNumbers) {
    abi::HostSpanTables tables;
    Bytes b = {2};
    put32(b, 3);
    put_text(b, "r#match");
    b.push_back(4);
    put32(b, 3);
    b.push_back(0);
    put_text(b, "-1.5f64");
    b.push_back(0);
    TokenStream s = abi::decode(b, Direction::GuestToHost, tables);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_TRUE(s[0].raw);
    EXPECT_EQ(s[0].text(), "match");
    EXPECT_EQ(s[1].text(), "-1.5f64");
    EXPECT_EQ(s[1].lit, tokens::LitKind::Float);
    EXPECT_EQ(abi::encode(s, Direction::GuestToHost, tables), b);
}

TEST(Wire, DeepNestingIsIterative) {
    // Far deeper than any native stack would survive by recursion.
    const uint32_t depth = 200000;
    Bytes b;
    for (uint32_t i = 0; i < depth; ++i) {
        b.push_back(1);
        b.push_back(0);
        put32(b, abi::kCallSiteSpan);
    }
    b.insert(b.end(), depth + 1, 0);
    abi::HostSpanTables tables;
    abi::DecodeOptions options;
    options.max_depth = depth;
    TokenStream s = abi::decode(b, Direction::GuestToHost, tables, options);
    EXPECT_EQ(s.size(), depth);
    EXPECT_EQ(abi::encode(s, Direction::GuestToHost, tables), b);
    options.max_depth = depth - 1;
    EXPECT_THROW(abi::decode(b, Direction::GuestToHost, tables, options), WireError);
    // The count of trees is capped as they are made, for a receiver's budget.
    options.max_depth = depth;
    options.max_trees = depth;
    EXPECT_EQ(abi::decode(b, Direction::GuestToHost, tables, options).size(), depth);
    options.max_trees = depth - 1;
    EXPECT_THROW(abi::decode(b, Direction::GuestToHost, tables, options), abi::WireTooLarge);
}

struct Bad {
    const char* name;
    Bytes bytes;
    const char* message;
};

Bytes ident(std::string_view name) {
    Bytes b = {2};
    put32(b, abi::kCallSiteSpan);
    put_text(b, name);
    b.push_back(0);
    return b;
}

Bytes punct(uint32_t c, uint8_t spacing = 0) {
    Bytes b = {3};
    put32(b, c);
    b.push_back(spacing);
    put32(b, abi::kCallSiteSpan);
    b.push_back(0);
    return b;
}

Bytes literal_text(std::string_view text) {
    Bytes b = {4};
    put32(b, abi::kCallSiteSpan);
    b.push_back(0);
    put_text(b, text);
    b.push_back(0);
    return b;
}

std::vector<Bad> bad_inputs() {
    std::vector<Bad> v;
    v.push_back({"empty", {}, "byte 0: the bytes end before the stream's end byte"});
    Bytes t = ident("abc");
    v.push_back({"truncated", Bytes(t.begin(), t.begin() + 8),
                 "byte 5: the bytes end in the middle of an identifier"});
    v.push_back({"truncated span", {2, 1}, "the bytes end in the middle of an identifier's span"});
    v.push_back({"bad tag", {7, 0}, "byte 0: unknown tree tag 7"});
    Bytes d = {1, 9};
    put32(d, abi::kCallSiteSpan);
    d.insert(d.end(), {0, 0});
    v.push_back({"bad delimiter", d, "byte 1: unknown delimiter 9"});
    Bytes u = {1, 0};
    put32(u, abi::kCallSiteSpan);
    v.push_back({"unclosed group", u, "byte 6: the bytes end inside 1 unclosed group"});
    v.push_back({"trailing", {0, 0}, "byte 1: 1 bytes follow the end of the stream"});
    v.push_back({"bad utf8", ident("\xC3\x28"), "byte 9: an identifier is not valid UTF-8"});
    v.push_back({"surrogate utf8", ident("\xED\xA0\x80"), "not valid UTF-8"});
    v.push_back({"bad char", punct(0x110000), "byte 1: 0x110000 is not a char"});
    v.push_back({"surrogate char", punct(0xD800), "0xd800 is not a char"});
    v.push_back({"not punct", punct('a'), "byte 1: 'a' (U+0061) is not a punctuation character"});
    v.push_back({"not punct unicode", punct(0x2212), "(U+2212) is not a punctuation character"});
    v.push_back({"bad ident", ident("a b"), "byte 0: `a b` is not an identifier"});
    v.push_back({"digit ident", ident("1a"), "`1a` is not an identifier"});
    v.push_back({"empty ident", ident(""), "`` is not an identifier"});
    v.push_back({"raw self", ident("r#self"), "`r#self` is not an identifier"});
    v.push_back({"raw nothing", ident("r#"), "`r#` is not an identifier"});
    v.push_back({"bad spacing", punct('+', 7), "byte 5: unknown spacing 7"});
    Bytes s = ident("x");
    s[1] = 0x00;
    s[2] = 0x00;
    s[3] = 0xFF;
    s[4] = 0x7F;
    v.push_back({"bad span", s, "unknown span handle"});
    Bytes k = {4};
    put32(k, abi::kCallSiteSpan);
    k.push_back(2);
    put32(k, 0);
    k.push_back(0);
    v.push_back({"bad literal form", k, "byte 5: unknown literal form 2"});
    Bytes h = {4};
    put32(h, abi::kCallSiteSpan);
    h.push_back(1);
    put32(h, 0x7FFF0000);
    h.push_back(0);
    v.push_back({"bad literal handle", h, "unknown literal handle"});
    v.push_back(
        {"not a literal", literal_text("not a literal"), "`not a literal` is not a literal"});
    v.push_back({"two literals", literal_text("1 2"), "`1 2` is not a literal"});
    v.push_back({"unterminated", literal_text("\"abc"), "is not a literal"});
    v.push_back({"negative string", literal_text("-\"s\""), "is not a literal"});
    v.push_back({"empty literal", literal_text(""), "`` is not a literal"});
    v.push_back({"bad exponent", literal_text("1e"), "`1e` is not a literal"});
    Bytes g = {2};
    put32(g, abi::kCallSiteSpan);
    put32(g, 0xFFFFFF00);
    g.insert(g.end(), {'a', 'b', 'c'});
    v.push_back({"huge length", g,
                 "byte 5: an identifier of 4294967040 bytes, but only 3 bytes "
                 "follow"});
    Bytes n;
    for (int i = 0; i < 11; ++i) {
        n.push_back(1);
        n.push_back(0);
        put32(n, abi::kCallSiteSpan);
    }
    n.insert(n.end(), 12, 0);
    v.push_back({"too deep", n, "byte 60: groups nested more than 10 deep"});
    return v;
}

TEST(Wire, EveryMalformedInputIsRefused) {
    ListTables tables;
    abi::DecodeOptions options;
    options.max_depth = 10;
    for (const Bad& bad : bad_inputs()) {
        SCOPED_TRACE(bad.name);
        try {
            TokenStream s = abi::decode(bad.bytes, Direction::GuestToHost, tables, options);
            ADD_FAILURE() << "accepted: " << tokens::to_string(s);
        } catch (const WireError& e) {
            EXPECT_NE(std::string(e.what()).find(bad.message), std::string::npos) << e.what();
        }
    }
}

TEST(Wire, HostSpanTablesHaveNoLiteralHandles) {
    Bytes h = {4};
    put32(h, 0);
    h.push_back(1);
    put32(h, 0);
    h.push_back(0);
    abi::HostSpanTables tables;
    EXPECT_THROW(abi::decode(h, Direction::GuestToHost, tables), WireError);
}

TEST(Wire, HostToGuestDecodeReadsThreeSpans) {
    Bytes b = {1, 0};
    put32(b, 1);
    put32(b, 2);
    put32(b, 3);
    b.insert(b.end(), {0, 0});
    abi::HostSpanTables tables;
    TokenStream s = abi::decode(b, Direction::HostToGuest, tables);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].span, Span::host(1));
    EXPECT_THROW(abi::decode(b, Direction::GuestToHost, tables), WireError);
}

// The golden streams of rust/wire: one token stream in both forms, which
// the guest and the bridge decode and encode too. The C++ host reads both
// forms and writes the guest-to-host one, byte for byte the same.
TEST(Wire, GoldenStreams) {
    Bytes guest_to_host = wasmacro::read_file_bytes(WASMACRO_WIRE_DIR "/golden-guest-to-host.bin");
    Bytes host_to_guest = wasmacro::read_file_bytes(WASMACRO_WIRE_DIR "/golden-host-to-guest.bin");
    abi::HostSpanTables tables;
    TokenStream from_guest = abi::decode(guest_to_host, Direction::GuestToHost, tables);
    EXPECT_EQ(abi::encode(from_guest, Direction::GuestToHost, tables), guest_to_host);
    TokenStream from_host = abi::decode(host_to_guest, Direction::HostToGuest, tables);
    EXPECT_EQ(abi::encode(from_host, Direction::GuestToHost, tables), guest_to_host);
    EXPECT_EQ(tokens::to_string(from_guest), "# [derive (Debug)] r#fn => \"hi\" 1u8 ünï { } 'a");
    EXPECT_EQ(from_guest[0].span, Span::host(0));
    EXPECT_EQ(from_guest[from_guest.size() - 1].span, Span::host(14));
}

} // namespace
