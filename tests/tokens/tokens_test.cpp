#include "tokens/dump.hpp"
#include "tokens/lexer.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"
#include "tokens/unicode.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace wasmacro::tokens;

namespace {

SourceFile src(std::string text, std::string name = "t.rs") {
    return SourceFile::from_bytes(std::move(name), std::move(text));
}

LexResult lex(std::string text, Edition ed = Edition::E2021) {
    LexOptions o;
    o.edition = ed;
    return tokenize(src(std::move(text)), o);
}

std::vector<std::pair<RawKind, uint32_t>> raw_tokens(std::string_view text) {
    Lexer l(text);
    std::vector<std::pair<RawKind, uint32_t>> out;
    for (RawToken t = l.next(); t.kind != RawKind::Eof; t = l.next())
        out.emplace_back(t.kind, t.len);
    return out;
}

TEST(RawLexer, KindsAndLengthsCoverTheInput) {
    auto toks = raw_tokens("fn r#x<'a>(s: &str) -> u8 { 0x1f /* c */ }");
    std::size_t total = 0;
    for (auto& [k, len] : toks) total += len;
    EXPECT_EQ(total, 42u);
    EXPECT_EQ(toks[0], std::make_pair(RawKind::Ident, 2u));
    EXPECT_EQ(toks[2], std::make_pair(RawKind::RawIdent, 3u));
    EXPECT_EQ(toks[4], std::make_pair(RawKind::Lifetime, 2u));
}

TEST(RawLexer, NeverStopsAtProblems) {
    auto toks = raw_tokens("\"open \\\" ");
    ASSERT_EQ(toks.size(), 1u);
    Lexer l("\"open");
    RawToken t = l.next();
    EXPECT_EQ(t.kind, RawKind::Literal);
    EXPECT_TRUE(t.flags & kUnterminated);
    EXPECT_EQ(l.next().kind, RawKind::Eof);
    EXPECT_EQ(l.next().kind, RawKind::Eof);
}

TEST(RawLexer, LiteralSuffix) {
    Lexer l("1.5e3f64 \"s\"x");
    RawToken t = l.next();
    EXPECT_EQ(t.lit, LitKind::Float);
    EXPECT_EQ(t.suffix_start, 5u);
    EXPECT_EQ(t.len, 8u);
    l.next();
    t = l.next();
    EXPECT_EQ(t.lit, LitKind::Str);
    EXPECT_EQ(t.suffix_start, 3u);
}

TEST(RawLexer, DocStyles) {
    auto doc = [](std::string_view s) { return Lexer(s).next().doc; };
    EXPECT_EQ(doc("/// a"), DocStyle::Outer);
    EXPECT_EQ(doc("//! a"), DocStyle::Inner);
    EXPECT_EQ(doc("//// a"), DocStyle::None);
    EXPECT_EQ(doc("/** a */"), DocStyle::Outer);
    EXPECT_EQ(doc("/*! a */"), DocStyle::Inner);
    EXPECT_EQ(doc("/**/"), DocStyle::None);
    EXPECT_EQ(doc("/***/"), DocStyle::None);
    EXPECT_EQ(doc("/*** a */"), DocStyle::None);
}

TEST(Spacing, JointWhenNextCharacterIsPunctuation) {
    LexResult r = lex("a+=b +//c\n+/ d &'a - -");
    ASSERT_TRUE(r.ok());
    const auto& s = r.stream;
    EXPECT_EQ(s[1].spacing, Spacing::Joint); // + before =
    EXPECT_EQ(s[2].spacing, Spacing::Alone); // = before b
    EXPECT_EQ(s[4].spacing, Spacing::Alone); // + before a comment
    EXPECT_EQ(s[5].spacing, Spacing::Joint); // + before /
    EXPECT_EQ(s[6].spacing, Spacing::Alone);
    EXPECT_EQ(s[8].spacing, Spacing::Joint); // & before a lifetime's quote
    EXPECT_EQ(s[9].spacing, Spacing::Joint); // the quote itself
    EXPECT_EQ(s[11].spacing, Spacing::Alone);
}

TEST(Trees, GroupsNest) {
    LexResult r = lex("f(a, [b]) {}");
    ASSERT_TRUE(r.ok());
    const auto& s = r.stream;
    ASSERT_EQ(s.size(), 7u);
    EXPECT_EQ(s[1].delimiter, Delimiter::Parenthesis);
    EXPECT_EQ(s[1].end, 6u);
    EXPECT_EQ(s[4].delimiter, Delimiter::Bracket);
    EXPECT_EQ(s[4].end, 6u);
    EXPECT_EQ(s.next_sibling(1), 6u);
    EXPECT_EQ(s.top_level(), (std::vector<std::size_t>{0, 1, 6}));
}

TEST(Trees, SpansCountCharactersNotBytes) {
    LexResult r = lex("\"é\" x\n  y");
    ASSERT_TRUE(r.ok());
    const auto& s = r.stream;
    EXPECT_EQ(s[0].span.lo, 0u);
    EXPECT_EQ(s[0].span.hi, 4u);
    EXPECT_EQ(s[1].span.line, 1u);
    EXPECT_EQ(s[1].span.col, 5u); // the é is one column
    EXPECT_EQ(s[2].span.line, 2u);
    EXPECT_EQ(s[2].span.col, 3u);
    EXPECT_EQ(s[2].span.source, 1u);
}

TEST(Trees, GroupSpanCoversBothDelimiters) {
    LexResult r = lex("(\n a\n)");
    const Span& g = r.stream[0].span;
    EXPECT_EQ(g.lo, 0u);
    EXPECT_EQ(g.hi, 6u);
    EXPECT_EQ(g.end_line, 3u);
    EXPECT_EQ(g.end_col, 2u);
}

TEST(DocComments, DesugarAsRustcDoes) {
    LexResult r = lex("//! inner\n/// say \"#hi\"\nx");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(to_string(r.stream), "# ! [doc = r\" inner\"] # [doc = r##\" say \"#hi\"\"##] x");
    EXPECT_TRUE(r.stream[0].from_doc);
    EXPECT_FALSE(r.stream.nodes().back().from_doc);
}

TEST(DocComments, LiteralHashesStopAtTheRawStringLimit) {
    // rustc saturates at 255 rather than writing a raw string no lexer takes.
    LexResult r = lex("/// \"" + std::string(300, '#') + "\nx");
    ASSERT_TRUE(r.ok());
    std::string_view literal = r.stream[4].text();
    EXPECT_EQ(literal.substr(0, 257), "r" + std::string(255, '#') + "\"");
    EXPECT_EQ(literal.size(), 1 + 255 + 1 + 302 + 1 + 255);
}

TEST(DocComments, BlockDocKeepsInnerText) {
    LexResult r = lex("/** a\n * b */ x");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.stream[4].text(), "r\" a\n * b \"");
}

TEST(Editions, ReservedPrefixesFrom2021) {
    EXPECT_FALSE(lex("k#x", Edition::E2021).ok());
    EXPECT_TRUE(lex("k#x", Edition::E2018).ok());
    EXPECT_EQ(lex("c\"x\"", Edition::E2018).stream.size(), 2u);
    EXPECT_EQ(lex("c\"x\"", Edition::E2021).stream.size(), 1u);
}

TEST(Editions, RawLifetimesFrom2021) {
    EXPECT_EQ(lex("'r#a", Edition::E2021).stream.size(), 2u);
    EXPECT_EQ(lex("'r#a", Edition::E2015).stream.size(), 4u);
}

TEST(Errors, ThrowWithFileLineColumn) {
    try {
        tokenize_or_throw(src("fn f() {\n  let s = \"x;\n}", "lib.rs"));
        FAIL() << "no error";
    } catch (const LexError& e) {
        EXPECT_STREQ(e.what(), "lib.rs:2:11: error: unterminated double quote string");
        ASSERT_EQ(e.diagnostics.size(), 2u);
        EXPECT_EQ(e.diagnostics[1].message, "this file contains an unclosed delimiter");
    }
}

TEST(Errors, AreWasmacroErrors) {
    EXPECT_THROW(tokenize_or_throw(src(")")), wasmacro::Error);
    EXPECT_THROW(SourceFile::load("/nonexistent/file.rs"), IoError);
}

TEST(Errors, ColumnsAfterMultibyteCharacters) {
    LexResult r = lex("\"é\" \\");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].col, 5u);
    EXPECT_EQ(r.errors[0].message, "unknown start of token: \\");
}

TEST(ParseText, GivesEveryTokenTheSpan) {
    auto s = parse_text("a (b)", Edition::E2021, Span::host(7));
    ASSERT_TRUE(s);
    for (const Tree& t : s->nodes()) {
        EXPECT_TRUE(t.span.is_host());
        EXPECT_EQ(t.span.host_handle(), 7u);
    }
    EXPECT_FALSE(parse_text("a )", Edition::E2021, Span{}));
    // Text handed to a macro is not a file: `#!` there is code.
    auto bang = parse_text("#!x", Edition::E2021, Span{});
    ASSERT_TRUE(bang);
    EXPECT_EQ(bang->size(), 3u);
}

TEST(StringLiteralValue, ResolvesEscapesAsRustcReadsThem) {
    EXPECT_EQ(string_literal_value(R"("a\nb\t\"c\" \\ \x41\u{e9}\u{1_F600}")"),
              "a\nb\t\"c\" \\ A\u00e9\U0001F600");
    EXPECT_EQ(string_literal_value("\"one \\\n    two\""), "one two");
    EXPECT_EQ(string_literal_value(R"(r#"a "quoted" \n"#)"), "a \"quoted\" \\n");
    EXPECT_EQ(string_literal_value(R"(r"plain")"), "plain");
    EXPECT_EQ(string_literal_value(R"("")"), "");
    // Not string literals, or not valid ones.
    EXPECT_FALSE(string_literal_value("'c'"));
    EXPECT_FALSE(string_literal_value("b\"bytes\""));
    EXPECT_FALSE(string_literal_value("42"));
    EXPECT_FALSE(string_literal_value(R"("bad \q escape")"));
    EXPECT_FALSE(string_literal_value(R"("a" "b")"));
    EXPECT_FALSE(string_literal_value(R"("unterminated)"));
}

TEST(Building, StreamsFromAHost) {
    TokenStream s;
    s.push_ident("fn", Span::host(1));
    s.push_ident("match", Span::host(2), true);
    s.open_group(Delimiter::Parenthesis, Span::host(3));
    s.push_punct('&', Spacing::Joint, Span::host(4));
    s.push_punct('&', Spacing::Alone, Span::host(4));
    s.push_literal(LitKind::Str, s.keep("\"x\""), Span::host(5));
    s.close_group(Span::host(3));
    s.open_group(Delimiter::Brace, Span{});
    s.close_group(Span{});
    s.open_group(Delimiter::None, Span{});
    s.push_ident("y", Span{});
    s.close_group(Span{});
    // A None-delimited group prints its contents only, as proc_macro does.
    EXPECT_EQ(to_string(s), "fn r#match (&& \"x\") { } y");
    EXPECT_EQ(s[2].end, 6u);
    EXPECT_EQ(s[2].span.host_handle(), 3u);
}

TEST(Building, AppendSharesText) {
    TokenStream tail;
    {
        LexResult r = lex("(a b) c");
        tail.append(r.stream);
        tail.append_tree(r.stream, 0);
    }
    EXPECT_EQ(to_string(tail), "(a b) c (a b)");
    EXPECT_EQ(tail[4].end, 7u);
}

TEST(Printer, DisplayMatchesProcMacro) {
    LexResult r = lex("fn f<'a>(x: &'a mut T) -> Vec<u8> { x.0 += 1; }");
    EXPECT_EQ(to_string(r.stream), "fn f <'a > (x : &'a mut T) -> Vec < u8 > { x . 0 += 1 ; }");
}

TEST(Printer, PrettyLayout) {
    LexResult r = lex("#[derive(Debug)] struct S { a: u8 } impl S { fn f(&self) -> u8 { "
                      "let x = 1; if x > 0 { x } else { 0 } } }");
    EXPECT_EQ(to_pretty_string(r.stream), R"(#[derive(Debug)]
struct S {
    a: u8
}
impl S {
    fn f(&self) -> u8 {
        let x = 1;
        if x > 0 {
            x
        } else {
            0
        }
    }
}
)");
}

TEST(Printer, PrettyKeepsDocComments) {
    LexResult r = lex("/// hi\n/** a\nb */ fn f() {}");
    EXPECT_EQ(to_pretty_string(r.stream), "/// hi\n/** a\nb */\nfn f() {}\n");
    PrettyOptions o;
    o.doc_comments = false;
    EXPECT_EQ(to_pretty_string(r.stream, o).substr(0, 16), "#[doc = r\" hi\"]\n");
}

TEST(Printer, DeepNestingNeedsNoDeepStack) {
    std::string text = std::string(100000, '(') + "x" + std::string(100000, ')');
    text += "{" + std::string(100000, '[') + std::string(100000, ']') + "}";
    LexResult r = lex(text);
    ASSERT_TRUE(r.ok());
    for (const std::string& printed : {to_string(r.stream), to_pretty_string(r.stream)}) {
        auto again = parse_text(printed, Edition::E2021, Span{});
        ASSERT_TRUE(again);
        EXPECT_TRUE(same_trees(r.stream, *again));
    }
}

// `wasmacro tokens --print` and `--pretty` built the whole text in memory;
// written as they go, in pieces, they must give the same bytes.
TEST(Printer, WrittenAsItGoesIsTheSameText) {
    auto file = SourceFile::load("/usr/share/cargo/registry/syn-1.0.107/src/expr.rs");
    std::string text(*file.text);
    text += std::string(100000, '(') + "x" + std::string(100000, ')');
    LexResult r = lex(text);
    ASSERT_TRUE(r.ok());
    std::ostringstream plain, pretty;
    write_text(r.stream, plain);
    write_pretty(r.stream, pretty);
    ASSERT_GT(plain.str().size(), 4 * 64u * 1024); // several pieces
    EXPECT_EQ(plain.str(), to_string(r.stream));
    EXPECT_EQ(pretty.str(), to_pretty_string(r.stream));
}

TEST(Printer, TreeToString) {
    LexResult r = lex("a {b c} d");
    EXPECT_EQ(tree_to_string(r.stream, 1), "{ b c }");
}

TEST(Source, BomAndCrlfAreNormalised) {
    SourceFile f = src("\xEF\xBB\xBF"
                       "a\r\nb\rc");
    EXPECT_EQ(*f.text, "a\nb\rc");
}

TEST(Source, Shebang) {
    EXPECT_EQ(shebang_length("#!/bin/sh\nx"), 9u);
    EXPECT_EQ(shebang_length("#![allow(x)]"), 0u);
    EXPECT_EQ(shebang_length("#! // c\n [x]"), 0u);
    EXPECT_EQ(shebang_length("fn"), 0u);
}

TEST(Unicode, IdentifierClasses) {
    EXPECT_TRUE(is_ident_start(U'_'));
    EXPECT_TRUE(is_ident_start(U'Σ'));
    EXPECT_FALSE(is_ident_start(U'1'));
    EXPECT_TRUE(is_ident_continue(U'1'));
    EXPECT_FALSE(is_ident_start(U'🦀'));
    EXPECT_TRUE(is_xid_continue(0x0301)); // combining acute accent
    EXPECT_FALSE(is_xid_start(0x0301));
}

TEST(Unicode, NormalizationFormC) {
    std::string out;
    EXPECT_FALSE(to_nfc("abc", out));
    EXPECT_FALSE(to_nfc("é", out)); // already composed
    ASSERT_TRUE(to_nfc("e\u0301", out));
    EXPECT_EQ(out, "é");
    // Combining marks are put in canonical order before composing: dot below
    // (class 220) then circumflex (230) on `a` gives U+1EAD.
    ASSERT_TRUE(to_nfc("a\u0302\u0323", out));
    EXPECT_EQ(out, "\u1EAD");
    // Hangul jamo compose by arithmetic.
    ASSERT_TRUE(to_nfc("\u1100\u1161\u11A8", out));
    EXPECT_EQ(out, "\uAC01");
    // Singletons such as the Ångström sign decompose and do not come back.
    ASSERT_TRUE(to_nfc("\u212B", out));
    EXPECT_EQ(out, "\u00C5");
}

TEST(Trees, IdentifiersAreNfc) {
    LexResult r = lex("cafe\u0301 r#e\u0301 'e\u0301");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.stream[0].text(), "café");
    EXPECT_EQ(r.stream[1].text(), "é");
    EXPECT_EQ(r.stream[3].text(), "é");
    EXPECT_EQ(r.stream[0].span.hi, 6u); // the span still covers the source text
}

// One set of rules for the lexer, the wire format, the decls section and
// `wasmacro rustc`'s crate names.
TEST(Unicode, TokenRules) {
    for (char c : std::string("=<>!~+-*/%^&|@.,;:#$?'")) EXPECT_TRUE(is_punct_char(c)) << c;
    for (char c : std::string("a0_\"()[]{}` \\")) EXPECT_FALSE(is_punct_char(c)) << c;
    EXPECT_TRUE(is_ident_token("_"));
    EXPECT_TRUE(is_ident_token("r#fn"));
    EXPECT_TRUE(is_ident_token("ünï"));
    EXPECT_TRUE(is_ident_token("self"));
    EXPECT_FALSE(is_ident_token("r#crate"));
    EXPECT_FALSE(is_ident_token("r#_"));
    EXPECT_FALSE(is_ident_token("a-b"));
    EXPECT_FALSE(is_ident_token("'a"));
    EXPECT_FALSE(is_ident_token(""));
    EXPECT_TRUE(is_identifier_text("Σx1"));
    EXPECT_FALSE(is_identifier_text("r#fn"));
    EXPECT_FALSE(is_identifier_text("1x"));
    EXPECT_FALSE(is_identifier_text("x\xFF")); // not UTF-8
    EXPECT_TRUE(is_crate_name("serde_derive"));
    EXPECT_TRUE(is_crate_name("_x9"));
    EXPECT_FALSE(is_crate_name("_"));
    EXPECT_FALSE(is_crate_name("9x"));
    EXPECT_FALSE(is_crate_name("serde-derive"));
    EXPECT_FALSE(is_crate_name("ünï")); // crate names on the command line are ASCII
    EXPECT_FALSE(is_crate_name(""));
}

TEST(Unicode, Utf8) {
    std::size_t len;
    EXPECT_EQ(decode_utf8("é", 0, len), U'é');
    EXPECT_EQ(len, 2u);
    EXPECT_EQ(decode_utf8("\xED\xA0\x80", 0, len), 0xFFFDu); // a surrogate
    EXPECT_EQ(len, 1u);
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));
    EXPECT_TRUE(is_valid_utf8("ok 🦀"));
    std::string s;
    append_utf8(s, U'🦀');
    EXPECT_EQ(s, "🦀");
}

} // namespace
