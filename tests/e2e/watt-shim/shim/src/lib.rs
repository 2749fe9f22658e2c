// As a watt shim crate is written: the module in a static, each macro
// forwarding to its wasm export by name.
use proc_macro::TokenStream;
use watt::WasmMacro;

static MACRO: WasmMacro = WasmMacro::new(include_bytes!(env!("DEMO_WASM")));

#[proc_macro_derive(Demo)]
pub fn demo(input: TokenStream) -> TokenStream {
    MACRO.proc_macro_derive("derive_demo", input)
}
