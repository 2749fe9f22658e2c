//! A macro that does not compile: `wasmacro build` must show rustc's error.

use proc_macro::TokenStream;

#[proc_macro]
pub fn broken(input: TokenStream) -> TokenStream {
    let n: u32 = "not a number";
    input
}
