//! A macro reporting through the compiler's unstable diagnostics, which a
//! wasm macro cannot have: `wasmacro build` must refuse it, naming the line.
#![feature(proc_macro_diagnostic)]

use proc_macro::TokenStream;

#[proc_macro]
pub fn warn_me(input: TokenStream) -> TokenStream {
    proc_macro::Diagnostic::new(proc_macro::Level::Warning, "warned").emit();
    input
}
