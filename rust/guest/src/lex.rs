//! A guest-side lexer for the simplest single tokens, so that the common
//! `"text".parse::<TokenStream>()` calls (quote! does one per literal in its
//! templates) need no host round trip. Anything it does not fully understand
//! goes to the host's lexer instead: this only has to be right for what it
//! accepts.

use crate::{is_ascii_ident, Ident, Literal, Span, TokenTree};

/// The single token `src` consists of, if it is a plain ASCII identifier, a
/// decimal integer (no suffix), a string literal without escapes, or a
/// character literal without escapes. `None` means "ask the host".
pub(crate) fn single_token(src: &str) -> Option<TokenTree> {
    let src = src.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\n');
    let bytes = src.as_bytes();
    let first = *bytes.first()?;
    if first.is_ascii_digit() {
        if bytes.iter().all(|b| b.is_ascii_digit() || *b == b'_') {
            return Some(TokenTree::Literal(Literal::from_text(src.to_owned())));
        }
        return None;
    }
    if first == b'"' {
        let inner = src[1..].strip_suffix('"')?;
        if inner.contains(|c: char| c == '"' || c == '\\' || c == '\r') {
            return None;
        }
        return Some(TokenTree::Literal(Literal::from_text(src.to_owned())));
    }
    if first == b'\'' {
        let inner = src[1..].strip_suffix('\'')?;
        let mut chars = inner.chars();
        let c = chars.next()?;
        if chars.next().is_some() || matches!(c, '\\' | '\'' | '\n' | '\r' | '\t') {
            return None;
        }
        return Some(TokenTree::Literal(Literal::from_text(src.to_owned())));
    }
    if is_ascii_ident(src) == Some(true) {
        return Some(TokenTree::Ident(Ident::from_wire(src, Span::call_site())));
    }
    None
}
