//! Native unit tests of the parts that need no host: the wire format, the
//! printer, identifier and literal rules, the guest-side lexer, the handle
//! table and the decls records.

use crate::wire::{decode, encode, DecodeError};
use crate::*;

fn le(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}

/// Host -> guest bytes for `struct S { x : 1 }`-like input, built by hand.
fn sample_host_bytes() -> Vec<u8> {
    let mut b = Vec::new();
    // ident `struct`, span 7
    b.push(2);
    b.extend(le(7));
    b.extend(le(6));
    b.extend(b"struct");
    // ident `r#S`, span 8
    b.push(2);
    b.extend(le(8));
    b.extend(le(3));
    b.extend(b"r#S");
    // brace group, spans 9 10 11
    b.push(1);
    b.push(1);
    b.extend(le(9));
    b.extend(le(10));
    b.extend(le(11));
    //   punct ':' joint, span call site
    b.push(3);
    b.extend(le(':' as u32));
    b.push(1);
    b.extend(le(u32::MAX));
    //   literal handle 5, span 12
    b.push(4);
    b.extend(le(12));
    b.push(1);
    b.extend(le(5));
    b.push(0); // end of group
    b.push(0); // end of stream
    b
}

#[test]
fn decode_host_stream() {
    let stream = decode(&sample_host_bytes()).unwrap();
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    assert_eq!(trees.len(), 3);
    match &trees[0] {
        TokenTree::Ident(i) => {
            assert!(i == "struct");
            assert_eq!(i.span().handle(), 7);
        }
        t => panic!("{:?}", t),
    }
    match &trees[1] {
        TokenTree::Ident(i) => {
            assert!(i.is_raw());
            assert!(i == "r#S");
            assert_eq!(i.to_string(), "r#S");
        }
        t => panic!("{:?}", t),
    }
    match &trees[2] {
        TokenTree::Group(g) => {
            assert_eq!(g.delimiter(), Delimiter::Brace);
            assert_eq!(g.span().handle(), 9);
            assert_eq!(g.span_open().handle(), 10);
            assert_eq!(g.span_close().handle(), 11);
            let inner: Vec<TokenTree> = g.stream().into_iter().collect();
            assert_eq!(inner.len(), 2);
            match &inner[0] {
                TokenTree::Punct(p) => {
                    assert_eq!(p.as_char(), ':');
                    assert_eq!(p.spacing(), Spacing::Joint);
                    assert_eq!(p.span().handle(), CALL_SITE);
                }
                t => panic!("{:?}", t),
            }
            match &inner[1] {
                TokenTree::Literal(l) => match l.repr() {
                    LiteralRepr::Host { handle, .. } => assert_eq!(*handle, 5),
                    _ => panic!("literal should stay a host handle"),
                },
                t => panic!("{:?}", t),
            }
        }
        t => panic!("{:?}", t),
    }
}

#[test]
fn decode_rejects_malformed_bytes() {
    let full = sample_host_bytes();
    for cut in 0..full.len() {
        assert_eq!(decode(&full[..cut]).err(), Some(DecodeError::Truncated), "cut at {}", cut);
    }
    let mut trailing = full.clone();
    trailing.push(0);
    assert_eq!(decode(&trailing).err(), Some(DecodeError::TrailingBytes(1)));
    assert_eq!(decode(&[9, 0]).err(), Some(DecodeError::BadTag(9)));
    assert_eq!(
        decode(&[1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).err(),
        Some(DecodeError::BadDelimiter(4))
    );
    let mut bad_char = vec![3];
    bad_char.extend(le(0xD800));
    bad_char.extend([0, 0, 0, 0, 0, 0]);
    assert_eq!(decode(&bad_char).err(), Some(DecodeError::BadChar(0xD800)));
    let mut bad_utf8 = vec![2];
    bad_utf8.extend(le(0));
    bad_utf8.extend(le(1));
    bad_utf8.extend([0xFF, 0]);
    assert_eq!(decode(&bad_utf8).err(), Some(DecodeError::BadUtf8));
    let mut huge_len = vec![2];
    huge_len.extend(le(0));
    huge_len.extend(le(u32::MAX));
    assert_eq!(decode(&huge_len).err(), Some(DecodeError::Truncated));
}

#[test]
fn decode_deep_nesting_without_recursion() {
    let depth = 100_000;
    let mut b = Vec::new();
    for _ in 0..depth {
        b.push(1);
        b.push(0);
        b.extend([0xFF; 12]);
    }
    b.extend(std::iter::repeat(0).take(depth + 1));
    let stream = decode(&b).unwrap();
    assert_eq!(stream.trees().len(), 1);
    std::mem::forget(stream); // dropping 100k nested groups recurses
}

#[test]
fn encode_guest_stream() {
    let mut inner = TokenStream::new();
    inner.extend(vec![
        TokenTree::Literal(Literal::string("a\"b")),
        TokenTree::Literal(Literal::from_host(3, Span::from_handle(4))),
    ]);
    let stream: TokenStream = vec![
        TokenTree::Ident(Ident::new_raw("fn", Span::from_handle(2))),
        TokenTree::Punct(Punct::new('#', Spacing::Alone)),
        TokenTree::Group(Group::new(Delimiter::Parenthesis, inner)),
    ]
    .into_iter()
    .collect();
    let mut out = Vec::new();
    encode(&stream, &mut out);
    let mut want = vec![2];
    want.extend(le(2));
    want.extend(le(4));
    want.extend(b"r#fn");
    want.push(3);
    want.extend(le('#' as u32));
    want.push(0);
    want.extend(le(u32::MAX));
    want.push(1);
    want.push(0);
    want.extend(le(u32::MAX));
    want.push(4);
    want.extend(le(u32::MAX));
    want.push(0);
    want.extend(le(6));
    want.extend(b"\"a\\\"b\"");
    want.push(4);
    want.extend(le(4));
    want.push(1);
    want.extend(le(3));
    want.push(0);
    want.push(0);
    assert_eq!(out, want);
}

fn ident(s: &str) -> TokenTree {
    TokenTree::Ident(Ident::new(s, Span::call_site()))
}

fn punct(c: char, spacing: Spacing) -> TokenTree {
    TokenTree::Punct(Punct::new(c, spacing))
}

#[test]
fn display() {
    let body: TokenStream = vec![ident("x"), punct('+', Spacing::Joint), punct('=', Spacing::Alone)]
        .into_iter()
        .collect();
    let stream: TokenStream = vec![
        punct('\'', Spacing::Joint),
        ident("a"),
        ident("fn"),
        TokenTree::Group(Group::new(Delimiter::Parenthesis, TokenStream::new())),
        TokenTree::Group(Group::new(Delimiter::Brace, body)),
        TokenTree::Group(Group::new(Delimiter::Bracket, TokenStream::from(ident("y")))),
        TokenTree::Group(Group::new(Delimiter::None, TokenStream::from(ident("z")))),
    ]
    .into_iter()
    .collect();
    assert_eq!(stream.to_string(), "'a fn () { x += } [y] z");
}

#[test]
fn ident_rules() {
    assert_eq!(Ident::new("_", Span::call_site()).to_string(), "_");
    assert_eq!(Ident::new("héllo", Span::call_site()).to_string(), "héllo");
    for bad in ["", "1", "a-b", "r#x", "1a", " a"] {
        assert!(std::panic::catch_unwind(|| Ident::new(bad, Span::call_site())).is_err(), "{:?}", bad);
    }
    for bad in ["self", "Self", "super", "crate", "_"] {
        assert!(std::panic::catch_unwind(|| Ident::new_raw(bad, Span::call_site())).is_err());
    }
    let raw = Ident::new_raw("match", Span::call_site());
    let plain = Ident::new("match", Span::call_site());
    assert!(raw != plain);
    assert!(raw == "r#match" && raw != "match");
    assert!(plain == "match" && plain != "r#match");
    assert!(Ident::new("a", Span::call_site()) < Ident::new("b", Span::call_site()));
    assert!(raw > plain); // "r#match" > "match"
    assert!(std::panic::catch_unwind(|| Punct::new('a', Spacing::Alone)).is_err());
}

#[test]
fn literal_constructors() {
    assert_eq!(Literal::u8_suffixed(7).to_string(), "7u8");
    assert_eq!(Literal::i32_unsuffixed(-3).to_string(), "-3");
    assert_eq!(Literal::u128_suffixed(u128::MAX).to_string(), "340282366920938463463374607431768211455u128");
    assert_eq!(Literal::usize_unsuffixed(5).to_string(), "5");
    assert_eq!(Literal::f64_unsuffixed(1.0).to_string(), "1.0");
    assert_eq!(Literal::f64_unsuffixed(0.5).to_string(), "0.5");
    assert_eq!(Literal::f32_suffixed(2.0).to_string(), "2f32");
    assert_eq!(Literal::f64_suffixed(1.5).to_string(), "1.5f64");
    assert!(std::panic::catch_unwind(|| Literal::f64_unsuffixed(f64::NAN)).is_err());
    assert_eq!(Literal::string("a\"b\\c\n'\u{1}é").to_string(), "\"a\\\"b\\\\c\\n'\\u{1}é\"");
    assert_eq!(Literal::character('\'').to_string(), "'\\''");
    assert_eq!(Literal::character('"').to_string(), "'\"'");
    // As char::escape_debug (proc-macro2's escaping): combining marks and
    // non-printable characters (U+00A0 too: a space other than ' ') are
    // escaped, other non-ASCII text is not.
    assert_eq!(
        Literal::string("e\u{301} \u{200b}\u{ad}\u{feff}\u{e000}\u{7f}\0\t\r 🦀\u{a0}").to_string(),
        "\"e\\u{301} \\u{200b}\\u{ad}\\u{feff}\\u{e000}\\u{7f}\\0\\t\\r 🦀\\u{a0}\""
    );
    assert_eq!(Literal::character('\u{301}').to_string(), "'\\u{301}'");
    assert_eq!(Literal::byte_string(b"a\"\x00\xff\n").to_string(), "b\"a\\\"\\0\\xFF\\n\"");
    assert!(Literal::string("x").subspan(..).is_none());
}

// The ASCII shortcuts of identifiers and string literals must decide and
// escape exactly as the Unicode rules and char::escape_debug do.
#[test]
fn ascii_fast_paths_match_the_general_rules() {
    let general_ident = |s: &str| {
        let mut chars = s.chars();
        match chars.next() {
            Some(c) if crate::is_ident_start(c) => chars.all(crate::is_ident_continue),
            _ => false,
        }
    };
    let escaped = |c: char, quote: char| if c != quote && (c == '\'' || c == '"') { c.to_string() } else { c.escape_debug().to_string() };
    let mut all_ascii = String::new();
    for a in 0u8..128 {
        let c = a as char;
        all_ascii.push(c);
        assert_eq!(Literal::string(&c.to_string()).to_string(), format!("\"{}\"", escaped(c, '"')), "{:?}", c);
        assert_eq!(Literal::character(c).to_string(), format!("'{}'", escaped(c, '\'')), "{:?}", c);
        for b in 0u8..128 {
            let s: String = [c, b as char].iter().collect();
            assert_eq!(crate::is_ident(&s), general_ident(&s), "{:?}", s);
        }
    }
    let want: String = all_ascii.chars().map(|c| escaped(c, '"')).collect();
    assert_eq!(Literal::string(&all_ascii).to_string(), format!("\"{}\"", want));
    let printable: String = (b' '..=b'~').map(|b| b as char).collect();
    let want: String = printable.chars().map(|c| escaped(c, '"')).collect();
    assert_eq!(Literal::string(&printable).to_string(), format!("\"{}\"", want));
    assert_eq!(Literal::string("it's").to_string(), "\"it's\"");
}

#[test]
fn guest_lexer_fast_path() {
    let lit = |s: &str| match lex::single_token(s) {
        Some(TokenTree::Literal(l)) => l.to_string(),
        other => panic!("{:?}: {:?}", s, other),
    };
    assert_eq!(lit("1"), "1");
    assert_eq!(lit("1_000"), "1_000");
    assert_eq!(lit(" \"hi there\" "), "\"hi there\"");
    assert_eq!(lit("'x'"), "'x'");
    match lex::single_token("foo_1") {
        Some(TokenTree::Ident(i)) => assert!(i == "foo_1"),
        other => panic!("{:?}", other),
    }
    for host in ["", "1u8", "0x1", "1.0", "\"a\\n\"", "'\\n'", "'a", "a b", "r#a", "é", "a+b", "\"a\" \"b\"", "//"] {
        assert!(lex::single_token(host).is_none(), "{:?}", host);
    }
}

#[test]
fn handle_table() {
    let a = export::stream_into_guest_handle(TokenStream::from(ident("a")));
    let b = export::stream_into_guest_handle(TokenStream::from(ident("b")));
    assert_ne!(a, b);
    assert_eq!(export::stream_from_guest_handle(b).to_string(), "b");
    assert!(std::panic::catch_unwind(|| export::stream_from_guest_handle(b)).is_err());
    assert_eq!(export::stream_from_guest_handle(a).to_string(), "a");
}

#[test]
fn records() {
    const R: &str = "derive:Demo:derive_demo\n";
    const B: [u8; R.len()] = export::record_bytes::<{ R.len() }>(R);
    assert_eq!(&B, R.as_bytes());
}

#[test]
fn stream_sharing() {
    let mut a = TokenStream::from(ident("a"));
    let b = a.clone();
    a.extend(vec![ident("c")]);
    assert_eq!(a.to_string(), "a c");
    assert_eq!(b.to_string(), "a");
    let joined: TokenStream = vec![a, b].into_iter().collect();
    assert_eq!(joined.to_string(), "a c a");
}

#[test]
fn encode_negative_literal_as_two_tokens() {
    let mut lit = Literal::i32_suffixed(-5);
    lit.set_span(Span::from_handle(9));
    let mut out = Vec::new();
    encode(&TokenStream::from(TokenTree::Literal(lit)), &mut out);
    let mut want = vec![3];
    want.extend(le('-' as u32));
    want.push(0);
    want.extend(le(9));
    want.push(4);
    want.extend(le(9));
    want.push(0);
    want.extend(le(4));
    want.extend(b"5i32");
    want.push(0);
    assert_eq!(out, want);
}

#[test]
fn token_types_are_unwind_safe() {
    fn check<T: std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
    check::<TokenStream>();
    check::<TokenTree>();
    check::<Literal>();
    check::<Span>();
    check::<token_stream::IntoIter>();
}

/// The golden streams of rust/wire (one token stream in both forms), which
/// the bridge and the C++ host decode and encode too: the guest decodes the
/// host's form and encodes the same bytes the other two do.
#[test]
fn golden_wire_streams() {
    let host_to_guest = include_bytes!("../../wire/golden-host-to-guest.bin");
    let guest_to_host = include_bytes!("../../wire/golden-guest-to-host.bin");
    let stream = decode(host_to_guest).unwrap();
    let mut out = Vec::new();
    encode(&stream, &mut out);
    assert_eq!(out, guest_to_host.to_vec());
    let kinds: Vec<&str> = stream
        .clone()
        .into_iter()
        .map(|t| match t {
            TokenTree::Group(_) => "group",
            TokenTree::Ident(_) => "ident",
            TokenTree::Punct(_) => "punct",
            TokenTree::Literal(_) => "literal",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "punct", "group", "ident", "punct", "punct", "literal", "literal", "group", "group",
            "punct", "ident"
        ]
    );
    // Built by hand, the same tokens encode to the same bytes.
    let span = |handle| Span::from_handle(handle);
    let inner = |trees: Vec<TokenTree>| trees.into_iter().collect::<TokenStream>();
    let group = |d, h, trees| {
        let mut g = Group::new(d, inner(trees));
        g.set_span(span(h));
        TokenTree::Group(g)
    };
    let punct = |c, spacing, h| {
        let mut p = Punct::new(c, spacing);
        p.set_span(span(h));
        TokenTree::Punct(p)
    };
    let literal = |text: &str, h| {
        let mut l = Literal::from_text(text.to_owned());
        l.set_span(span(h));
        TokenTree::Literal(l)
    };
    let built = inner(vec![
        punct('#', Spacing::Alone, 0),
        group(
            Delimiter::Bracket,
            1,
            vec![
                TokenTree::Ident(Ident::new("derive", span(2))),
                group(
                    Delimiter::Parenthesis,
                    3,
                    vec![TokenTree::Ident(Ident::new("Debug", span(4)))],
                ),
            ],
        ),
        TokenTree::Ident(Ident::new_raw("fn", span(5))),
        punct('=', Spacing::Joint, 6),
        punct('>', Spacing::Alone, 7),
        literal("\"hi\"", 8),
        literal("1u8", 9),
        group(Delimiter::None, 10, vec![TokenTree::Ident(Ident::new("ünï", span(11)))]),
        group(Delimiter::Brace, 12, vec![]),
        punct('\'', Spacing::Joint, 13),
        TokenTree::Ident(Ident::new("a", span(14))),
    ]);
    let mut again = Vec::new();
    encode(&built, &mut again);
    assert_eq!(again, guest_to_host.to_vec());
}
