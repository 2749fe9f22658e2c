//! What a macro module exports: the two watt-0.5 helpers
//! (`raw_to_token_stream`, `token_stream_into_raw`), the glue the
//! registration macros expand to, and those macros.
//!
//! One expansion, as the host runs it: each input host stream goes through
//! `raw_to_token_stream`, which decodes it and returns a [`GuestStream`]
//! handle; the entry point turns its handles back into [`TokenStream`]s, runs
//! the macro, and returns a handle to the result; `token_stream_into_raw`
//! encodes that and returns the new host stream.

use crate::{host, TokenStream};
use std::cell::RefCell;

/// A token stream held by the guest between calls of one expansion, as the
/// host sees it: an index into a guest-side table (an `i32` in wasm). A bad
/// handle from the host is a panic, never a wild pointer.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuestStream(u32);

thread_local! {
    static STREAMS: RefCell<Vec<Option<TokenStream>>> = RefCell::new(Vec::new());
}

/// Stores `stream` for the host and returns its handle.
pub fn stream_into_guest_handle(stream: TokenStream) -> GuestStream {
    STREAMS.with(|table| {
        let mut table = table.borrow_mut();
        let index = match table.iter().position(Option::is_none) {
            Some(free) => {
                table[free] = Some(stream);
                free
            }
            None => {
                table.push(Some(stream));
                table.len() - 1
            }
        };
        GuestStream(index as u32)
    })
}

/// Takes the stream behind `handle` out of the table.
///
/// # Panics
/// If `handle` does not name a stored stream.
pub fn stream_from_guest_handle(handle: GuestStream) -> TokenStream {
    let stream = STREAMS.with(|table| {
        let mut table = table.borrow_mut();
        let stream = table.get_mut(handle.0 as usize).and_then(Option::take);
        if table.iter().all(Option::is_none) {
            table.clear();
        }
        stream
    });
    stream.unwrap_or_else(|| panic!("invalid guest token stream handle {}", handle.0))
}

/// Routes panic messages to the host's `print_panic`. Idempotent.
pub fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let payload = info.payload();
            let message = if let Some(s) = payload.downcast_ref::<&str>() {
                s
            } else if let Some(s) = payload.downcast_ref::<String>() {
                s.as_str()
            } else {
                "Box<dyn Any>"
            };
            host::report_panic(message);
        }));
    });
}

/// Decodes host stream `raw` into a guest stream (watt-0.5 export).
#[cfg(target_arch = "wasm32")]
#[no_mangle]
pub extern "C" fn raw_to_token_stream(raw: u32) -> GuestStream {
    install_panic_hook();
    stream_into_guest_handle(host::stream_from_host(raw))
}

/// Hands guest stream `stream` to the host (watt-0.5 export).
#[cfg(target_arch = "wasm32")]
#[no_mangle]
pub extern "C" fn token_stream_into_raw(stream: GuestStream) -> u32 {
    install_panic_hook();
    host::stream_to_host(&stream_from_guest_handle(stream))
}

/// Runs a derive or function-like macro on handles.
pub fn expand1<F>(input: GuestStream, f: F) -> GuestStream
where
    F: FnOnce(TokenStream) -> TokenStream,
{
    install_panic_hook();
    let input = stream_from_guest_handle(input);
    stream_into_guest_handle(f(input))
}

/// Runs an attribute macro on handles (`args`, then `item`).
pub fn expand2<F>(args: GuestStream, item: GuestStream, f: F) -> GuestStream
where
    F: FnOnce(TokenStream, TokenStream) -> TokenStream,
{
    install_panic_hook();
    let args = stream_from_guest_handle(args);
    let item = stream_from_guest_handle(item);
    stream_into_guest_handle(f(args, item))
}

/// The bytes of a decls record, as an array a `#[link_section]` static can
/// hold (no pointers). `N` must be `record.len()`.
pub const fn record_bytes<const N: usize>(record: &str) -> [u8; N] {
    let bytes = record.as_bytes();
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = bytes[i];
        i += 1;
    }
    out
}

/// Writes one line into the module's `.rustc_proc_macro_decls` section.
#[doc(hidden)]
#[macro_export]
macro_rules! __export_record {
    ($record:expr) => {
        const _: () = {
            const RECORD: &str = concat!($record, "\n");
            #[cfg_attr(target_arch = "wasm32", link_section = ".rustc_proc_macro_decls")]
            #[used]
            static RECORD_BYTES: [u8; RECORD.len()] =
                $crate::__private::record_bytes::<{ RECORD.len() }>(RECORD);
        };
    };
}

/// Exports a derive macro: `#[derive(Name)]`, run by `func`, a
/// `fn(TokenStream) -> TokenStream`, as the wasm export `export`.
///
/// ```ignore
/// proc_macro2::export_derive!(Serialize, attributes(serde) => derive_serialize, expand);
/// proc_macro2::export_derive!(Demo => derive_demo, expand_demo);
/// ```
///
/// Writes the record `derive:Name:export[:helper,...]`.
#[macro_export]
macro_rules! export_derive {
    ($name:ident => $export:ident, $func:expr $(,)?) => {
        $crate::__export_record!(concat!("derive:", stringify!($name), ":", stringify!($export)));
        $crate::__export_entry!(1 $export, $func);
    };
    // `attributes()`, as a macro_rules! that writes entry points may expand to.
    ($name:ident, attributes($(,)?) => $export:ident, $func:expr $(,)?) => {
        $crate::export_derive!($name => $export, $func);
    };
    ($name:ident, attributes($first:ident $(, $helper:ident)* $(,)?) => $export:ident, $func:expr $(,)?) => {
        $crate::__export_record!(concat!(
            "derive:", stringify!($name), ":", stringify!($export), ":",
            stringify!($first) $(, ",", stringify!($helper))*
        ));
        $crate::__export_entry!(1 $export, $func);
    };
}

/// Exports an attribute macro `#[name(args)]`, run by `func`, a
/// `fn(args: TokenStream, item: TokenStream) -> TokenStream`, as the wasm
/// export `export`. Writes the record `attr:name:export`.
#[macro_export]
macro_rules! export_attribute {
    ($name:ident => $export:ident, $func:expr $(,)?) => {
        $crate::__export_record!(concat!("attr:", stringify!($name), ":", stringify!($export)));
        $crate::__export_entry!(2 $export, $func);
    };
}

/// Exports a function-like macro `name!(...)`, run by `func`, a
/// `fn(TokenStream) -> TokenStream`, as the wasm export `export`. Writes the
/// record `bang:name:export`.
#[macro_export]
macro_rules! export_function {
    ($name:ident => $export:ident, $func:expr $(,)?) => {
        $crate::__export_record!(concat!("bang:", stringify!($name), ":", stringify!($export)));
        $crate::__export_entry!(1 $export, $func);
    };
}

/// Names the Rust edition the macro crate is written for (the host compiles
/// call-site tokens with it). Writes the record `edition:YYYY`.
#[macro_export]
macro_rules! export_edition {
    (2015) => { $crate::__export_record!("edition:2015"); };
    (2018) => { $crate::__export_record!("edition:2018"); };
    (2021) => { $crate::__export_record!("edition:2021"); };
    (2024) => { $crate::__export_record!("edition:2024"); };
}

/// The exported entry point. `$func` is evaluated outside the block that
/// defines the export, so the export name may equal the function's name.
#[doc(hidden)]
#[macro_export]
macro_rules! __export_entry {
    (1 $export:ident, $func:expr) => {
        const _: () = {
            const FUNC: fn($crate::TokenStream) -> $crate::TokenStream = $func;
            const _: () = {
                #[no_mangle]
                pub extern "C" fn $export(
                    input: $crate::__private::GuestStream,
                ) -> $crate::__private::GuestStream {
                    $crate::__private::expand1(input, FUNC)
                }
            };
        };
    };
    (2 $export:ident, $func:expr) => {
        const _: () = {
            const FUNC: fn($crate::TokenStream, $crate::TokenStream) -> $crate::TokenStream = $func;
            const _: () = {
                #[no_mangle]
                pub extern "C" fn $export(
                    args: $crate::__private::GuestStream,
                    item: $crate::__private::GuestStream,
                ) -> $crate::__private::GuestStream {
                    $crate::__private::expand2(args, item, FUNC)
                }
            };
        };
    };
}

/// Ends the running expansion at once, with `output` as the macro's result,
/// wherever the macro is: for code that would unwind to its entry point with
/// a result (proc-macro-error's `abort!`), which a wasm32 module built with
/// `panic = "abort"` cannot. Only wasmacro provides the import it uses
/// (`wasmacro-1.finish`); the module is instantiated afresh for the next
/// expansion.
pub fn finish_expansion(output: TokenStream) -> ! {
    host::finish(&output)
}
