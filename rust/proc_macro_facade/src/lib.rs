//! The stable `proc_macro` API of the compiler, for a procedural macro crate
//! compiled to WebAssembly unchanged by `wasmacro build`.
//!
//! The types are the guest proc-macro2's own (`rust/guest`), re-exported:
//! the guest already has the compiler's API (TokenStream, TokenTree, Group,
//! Ident, Punct, Literal, Span, Delimiter, Spacing, LexError, with their
//! `FromStr`, `Display`, `Debug`, `Extend`, `FromIterator` and `From` impls),
//! and with one type on both sides the conversions a macro writes between
//! `proc_macro` and `proc_macro2` (`.into()`, `TokenStream::from`, syn's
//! `parse` and `parse_macro_input!`) are the identity: no copy of the trees.
//!
//! What the compiler's crate has and a wasm module cannot (`Diagnostic`,
//! `SourceFile`, `tracked_env`, `tracked_path`) is absent, and `wasmacro
//! build` names such a use before compiling.

pub use proc_macro2::{
    token_stream, Delimiter, Group, Ident, LexError, Literal, Punct, Spacing, Span, TokenStream,
    TokenTree,
};

/// What `wasmacro build` writes in place of the entry-point attributes
/// (`#[proc_macro_derive]`, `#[proc_macro_attribute]`, `#[proc_macro]`): the
/// guest's registration macros, reached through this crate so that the
/// rewritten crate needs no dependency of its own on proc-macro2.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod __wasmacro {
    pub use proc_macro2::{export_attribute, export_derive, export_edition, export_function};
}

/// Natively (over the real proc-macro2, outside the compiler) the rewritten
/// crate is a library whose entry points are plain functions, as the native
/// harness of the tests calls them: the registrations are no-ops.
#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
pub mod __wasmacro {
    pub use crate::__wasmacro_no_export as export_attribute;
    pub use crate::__wasmacro_no_export as export_derive;
    pub use crate::__wasmacro_no_export as export_edition;
    pub use crate::__wasmacro_no_export as export_function;
}

#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __wasmacro_no_export {
    ($($registration:tt)*) => {};
}
