//! The watt-0.5 host imports, and the few operations built on them.
//!
//! Off wasm32 (native unit tests) there is no host: these panic.

use crate::TokenStream;

#[cfg(target_arch = "wasm32")]
mod imports {
    #[link(wasm_import_module = "watt-0.5")]
    extern "C" {
        pub fn token_stream_serialize(stream: u32) -> u32;
        pub fn token_stream_deserialize(ptr: *const u8, len: usize) -> u32;
        pub fn token_stream_parse(ptr: *const u8, len: usize) -> u32;
        pub fn literal_to_string(literal: u32) -> u32;
        pub fn string_new(ptr: *const u8, len: usize) -> u32;
        pub fn string_len(string: u32) -> usize;
        pub fn string_read(string: u32, ptr: *mut u8);
        pub fn bytes_len(bytes: u32) -> usize;
        pub fn bytes_read(bytes: u32, ptr: *mut u8);
        pub fn print_panic(string: u32);
    }
}

/// `token_stream_parse`'s answer for text that does not lex.
#[cfg(target_arch = "wasm32")]
const PARSE_ERROR: u32 = u32::MAX;

/// Decodes host stream `raw` into guest token trees.
#[cfg(target_arch = "wasm32")]
pub(crate) fn stream_from_host(raw: u32) -> TokenStream {
    let bytes = unsafe {
        let handle = imports::token_stream_serialize(raw);
        let len = imports::bytes_len(handle);
        let mut buf = Vec::<u8>::with_capacity(len);
        imports::bytes_read(handle, buf.as_mut_ptr());
        buf.set_len(len);
        buf
    };
    match crate::wire::decode(&bytes) {
        Ok(stream) => stream,
        Err(e) => panic!("malformed token stream from the host: {}", e),
    }
}

/// Hands `stream` to the host; returns the host stream handle.
#[cfg(target_arch = "wasm32")]
pub(crate) fn stream_to_host(stream: &TokenStream) -> u32 {
    let mut bytes = Vec::new();
    crate::wire::encode(stream, &mut bytes);
    unsafe { imports::token_stream_deserialize(bytes.as_ptr(), bytes.len()) }
}

/// Lexes `src` in the host; `None` if it is not valid Rust tokens.
#[cfg(target_arch = "wasm32")]
pub(crate) fn parse(src: &str) -> Option<TokenStream> {
    let raw = unsafe { imports::token_stream_parse(src.as_ptr(), src.len()) };
    if raw == PARSE_ERROR {
        None
    } else {
        Some(stream_from_host(raw))
    }
}

/// The source text of host literal `handle`.
#[cfg(target_arch = "wasm32")]
pub(crate) fn literal_text(handle: u32) -> String {
    let bytes = unsafe {
        let string = imports::literal_to_string(handle);
        let len = imports::string_len(string);
        let mut buf = Vec::<u8>::with_capacity(len);
        imports::string_read(string, buf.as_mut_ptr());
        buf.set_len(len);
        buf
    };
    String::from_utf8(bytes).expect("host literal text is not UTF-8")
}

/// Reports a panic message to the host, which ends the expansion with it.
#[cfg(target_arch = "wasm32")]
pub(crate) fn report_panic(message: &str) {
    unsafe {
        let string = imports::string_new(message.as_ptr(), message.len());
        imports::print_panic(string);
    }
}

#[cfg(not(target_arch = "wasm32"))]
const NO_HOST: &str = "the watt-0.5 host is only available on wasm32";

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn parse(_src: &str) -> Option<TokenStream> {
    panic!("{}", NO_HOST)
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn literal_text(_handle: u32) -> String {
    panic!("{}", NO_HOST)
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn report_panic(_message: &str) {}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn finish(_stream: &TokenStream) -> ! {
    panic!("{}", NO_HOST)
}

// wasmacro's own import beside watt-0.5's (src/abi/README.md). A module
// imports it only if it calls `finish_expansion`, so every other guest stays
// a plain watt-0.5 module.
#[cfg(target_arch = "wasm32")]
mod extension_imports {
    #[link(wasm_import_module = "wasmacro-1")]
    extern "C" {
        pub fn finish(stream: u32);
    }
}

/// Ends the running expansion with `stream` as its output.
#[cfg(target_arch = "wasm32")]
pub(crate) fn finish(stream: &TokenStream) -> ! {
    unsafe { extension_imports::finish(stream_to_host(stream)) };
    // wasmacro never returns from `finish`; a host that did gets a trap.
    std::process::abort()
}
