//! serde_derive 1.0.152 compiled natively: the same modules as the wasm
//! fixture (rust/fixtures/serde_derive), with the same entry points.

// Warnings in the unchanged registry sources are not ours to fix.
#![allow(warnings, clippy::all)]

#[macro_use]
extern crate quote;
#[macro_use]
extern crate syn;

extern crate proc_macro2;

#[path = "/usr/share/cargo/registry/serde_derive-1.0.152/src/internals/mod.rs"]
mod internals;

use proc_macro2::TokenStream;
use syn::DeriveInput;

#[macro_use]
#[path = "/usr/share/cargo/registry/serde_derive-1.0.152/src/bound.rs"]
mod bound;
#[macro_use]
#[path = "/usr/share/cargo/registry/serde_derive-1.0.152/src/fragment.rs"]
mod fragment;

#[path = "/usr/share/cargo/registry/serde_derive-1.0.152/src/de.rs"]
mod de;
#[path = "/usr/share/cargo/registry/serde_derive-1.0.152/src/dummy.rs"]
mod dummy;
#[path = "/usr/share/cargo/registry/serde_derive-1.0.152/src/pretend.rs"]
mod pretend;
#[path = "/usr/share/cargo/registry/serde_derive-1.0.152/src/ser.rs"]
mod ser;
#[path = "/usr/share/cargo/registry/serde_derive-1.0.152/src/this.rs"]
mod this;
#[path = "/usr/share/cargo/registry/serde_derive-1.0.152/src/try.rs"]
mod try;

pub fn derive_serialize(input: TokenStream) -> TokenStream {
    let mut input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(err) => return err.to_compile_error(),
    };
    ser::expand_derive_serialize(&mut input).unwrap_or_else(to_compile_errors)
}

pub fn derive_deserialize(input: TokenStream) -> TokenStream {
    let mut input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(err) => return err.to_compile_error(),
    };
    de::expand_derive_deserialize(&mut input).unwrap_or_else(to_compile_errors)
}

fn to_compile_errors(errors: Vec<syn::Error>) -> TokenStream {
    let compile_errors = errors.iter().map(syn::Error::to_compile_error);
    quote!(#(#compile_errors)*)
}
