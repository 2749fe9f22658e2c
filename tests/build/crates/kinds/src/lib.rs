//! One macro of each kind, written against the compiler's `proc_macro` only
//! (no syn, no quote), so that building it exercises the facade's API.

extern crate proc_macro;

mod names;

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// `#[derive(Hello)]`: `impl NAME { pub const HELLO: &'static str = "..."; }`,
/// the greeting in upper case with the `shout` feature; `#[hello(name = "x")]`
/// names someone else.
#[proc_macro_derive(Hello, attributes(hello))]
pub fn derive_hello(input: TokenStream) -> TokenStream {
    let name = names::type_name(input.clone()).expect("derive(Hello) on a struct or an enum");
    let greeted = names::hello_argument(input).unwrap_or_else(|| name.to_string());
    let mut greeting = format!("Hello, {}!", greeted);
    if cfg!(feature = "shout") {
        greeting = greeting.to_uppercase();
    }
    format!(
        "impl {} {{ pub const HELLO: &'static str = {}; }}",
        name,
        Literal::string(&greeting)
    )
    .parse()
    .unwrap()
}

/// `#[twice] fn f() {}` keeps `f` and adds `f_twice`, which calls it twice;
/// built tree by tree.
#[proc_macro_attribute]
pub fn twice(args: TokenStream, item: TokenStream) -> TokenStream {
    assert!(args.is_empty(), "#[twice] takes no arguments");
    let trees: Vec<TokenTree> = item.clone().into_iter().collect();
    let fn_at = trees
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i.to_string() == "fn"))
        .expect("#[twice] on a function");
    let name = match &trees[fn_at + 1] {
        TokenTree::Ident(i) => i.clone(),
        _ => panic!("#[twice] on a function"),
    };
    let twice = Ident::new(&format!("{}_twice", name), name.span());
    let call = |out: &mut Vec<TokenTree>| {
        out.push(name.clone().into());
        out.push(Group::new(Delimiter::Parenthesis, TokenStream::new()).into());
        out.push(Punct::new(';', Spacing::Alone).into());
    };
    let mut body = Vec::new();
    call(&mut body);
    call(&mut body);
    let mut out = item;
    out.extend(vec![
        TokenTree::Ident(Ident::new("fn", Span::call_site())),
        TokenTree::Ident(twice),
        TokenTree::Group(Group::new(Delimiter::Parenthesis, TokenStream::new())),
        TokenTree::Group(Group::new(Delimiter::Brace, body.into_iter().collect())),
    ]);
    out
}

/// `count!(a b c)` is `3usize`: the number of top-level token trees.
#[proc_macro]
pub fn count(input: TokenStream) -> TokenStream {
    let n = input.into_iter().count();
    TokenStream::from(TokenTree::Literal(Literal::usize_suffixed(n)))
}

/// Only with the `shout` feature: `shout!()` is `"SHOUT"`.
#[cfg(feature = "shout")]
#[proc_macro]
pub fn shout(_input: TokenStream) -> TokenStream {
    TokenTree::Literal(Literal::string("SHOUT")).into()
}
