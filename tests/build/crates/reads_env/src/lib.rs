//! A derive that reads Cargo's environment while it expands, as clap_derive's
//! `#[command(version)]` does: `impl NAME { pub const VERSION: &'static str
//! = "..."; }` with CARGO_PKG_VERSION, or "unset".

extern crate proc_macro;

use proc_macro::{Literal, TokenStream, TokenTree};

#[proc_macro_derive(Version)]
pub fn derive_version(input: TokenStream) -> TokenStream {
    let mut trees = input
        .into_iter()
        .skip_while(|t| !matches!(t, TokenTree::Ident(i) if i.to_string() == "struct"));
    let name = trees.nth(1).expect("derive(Version) on a struct");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_else(|_| "unset".to_string());
    format!(
        "impl {} {{ pub const VERSION: &'static str = {}; }}",
        name,
        Literal::string(&version)
    )
    .parse()
    .unwrap()
}
