//! Reading a derive's input with `proc_macro` alone.

use proc_macro::{Delimiter, Ident, TokenStream, TokenTree};

/// The identifier after `struct`, `enum` or `union`.
pub fn type_name(input: TokenStream) -> Option<Ident> {
    let mut trees = input.into_iter();
    while let Some(tree) = trees.next() {
        if let TokenTree::Ident(keyword) = &tree {
            let keyword = keyword.to_string();
            if keyword == "struct" || keyword == "enum" || keyword == "union" {
                if let Some(TokenTree::Ident(name)) = trees.next() {
                    return Some(name);
                }
            }
        }
    }
    None
}

/// `x` from an outer `#[hello(name = "x")]`.
pub fn hello_argument(input: TokenStream) -> Option<String> {
    let trees: Vec<TokenTree> = input.into_iter().collect();
    for pair in trees.windows(2) {
        let attr = match (&pair[0], &pair[1]) {
            (TokenTree::Punct(hash), TokenTree::Group(attr))
                if hash.as_char() == '#' && attr.delimiter() == Delimiter::Bracket =>
            {
                attr
            }
            _ => continue,
        };
        let inner: Vec<TokenTree> = attr.stream().into_iter().collect();
        if let [TokenTree::Ident(name), TokenTree::Group(args)] = &inner[..] {
            if name.to_string() != "hello" {
                continue;
            }
            let args: Vec<TokenTree> = args.stream().into_iter().collect();
            if let [TokenTree::Ident(key), TokenTree::Punct(eq), TokenTree::Literal(value)] = &args[..] {
                let text = value.to_string();
                if key.to_string() == "name" && eq.as_char() == '=' && text.starts_with('"') {
                    return Some(text[1..text.len() - 1].to_string());
                }
            }
        }
    }
    None
}
