//! `wire_golden!()` is the string "golden ok" if the bridge decodes rust/wire's
//! golden stream and encodes it back to the same bytes, else a compile error
//! saying how it differs.
use proc_macro::TokenStream;

#[proc_macro]
pub fn wire_golden(_: TokenStream) -> TokenStream {
    match wasmacro_bridge::__check_wire_golden() {
        Ok(()) => "\"golden ok\"".parse().unwrap(),
        Err(e) => format!("::core::compile_error!({:?})", e).parse().unwrap(),
    }
}
