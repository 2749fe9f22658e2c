//! thiserror-impl 1.0.38 compiled natively: the same modules as the wasm
//! fixture (rust/fixtures/thiserror), with the same entry point.

// Warnings in the unchanged registry sources are not ours to fix.
#![allow(warnings, clippy::all)]

#[path = "/usr/share/cargo/registry/thiserror-impl-1.0.38/src/ast.rs"]
mod ast;
#[path = "/usr/share/cargo/registry/thiserror-impl-1.0.38/src/attr.rs"]
mod attr;
#[path = "/usr/share/cargo/registry/thiserror-impl-1.0.38/src/expand.rs"]
mod expand;
#[path = "/usr/share/cargo/registry/thiserror-impl-1.0.38/src/fmt.rs"]
mod fmt;
#[path = "/usr/share/cargo/registry/thiserror-impl-1.0.38/src/generics.rs"]
mod generics;
#[path = "/usr/share/cargo/registry/thiserror-impl-1.0.38/src/prop.rs"]
mod prop;
#[path = "/usr/share/cargo/registry/thiserror-impl-1.0.38/src/valid.rs"]
mod valid;

use proc_macro2::TokenStream;
use syn::DeriveInput;

pub fn derive_error(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(err) => return err.to_compile_error(),
    };
    expand::derive(&input).unwrap_or_else(|err| err.to_compile_error())
}
