//! Procedural macros compiled to WebAssembly, run inside native rustc by
//! wasmacro's engine.
//!
//! The surface is watt's: a proc-macro crate keeps its WebAssembly module in a
//! static and forwards each macro to it.
//!
//! ```ignore
//! static MACRO: WasmMacro = WasmMacro::new(WASM);
//!
//! #[proc_macro_derive(Demo)]
//! pub fn demo(input: TokenStream) -> TokenStream {
//!     MACRO.proc_macro_derive("demo", input) // the wasm export
//! }
//! ```
//!
//! so a watt shim crate switches by changing its dependency line to
//! `watt = { package = "wasmacro-bridge", path = ".../rust/bridge" }`.
//! `WasmMacro::derive`, `attribute` and `bang` name a macro as the module's
//! `.rustc_proc_macro_decls` section declares it instead (what the crates
//! that `wasmacro rustc` generates use).
//!
//! Expansion errors (a panic, a trap or exhausted limit, a broken ABI rule)
//! become a `compile_error!` at the macro's call site carrying the message.
//! Limits can be set with the environment variables WASMACRO_FUEL,
//! WASMACRO_MAX_MEMORY_PAGES and WASMACRO_MAX_CALL_DEPTH, read when the module
//! is first used.
//!
//! Expansions go through wasmacro's expansion cache (WASMACRO_CACHE_DIR, or
//! ~/.cache/wasmacro; WASMACRO_CACHE=off turns it off): each call's spans are
//! numbered 0, 1, 2, ... in order, so the same tokens anywhere give the same
//! input bytes, and a cached output's span handles name the current call's
//! spans.

extern crate proc_macro;

mod ffi;
mod wire;

use proc_macro::TokenStream;
use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::ptr;
use std::sync::{Mutex, OnceLock};

/// A WebAssembly macro module, loaded on first use and kept for the rest of
/// the compiler process, so that every expansion in one rustc run reuses the
/// instance.
pub struct WasmMacro {
    wasm: &'static [u8],
    name: &'static str,
    loaded: OnceLock<Result<Mutex<Loaded>, String>>,
}

struct Loaded {
    module: *mut ffi::Module,
}

// The module is only touched under the mutex; the C API allows any thread.
unsafe impl Send for Loaded {}

enum Target<'a> {
    Name(&'a str),
    Export(ffi::MacroKind, &'a str),
}

impl WasmMacro {
    /// `wasm` is the module's bytes, typically `include_bytes!`.
    pub const fn new(wasm: &'static [u8]) -> WasmMacro {
        WasmMacro::named(wasm, "wasm macro module")
    }

    /// As `new`, with the name error messages give the module (its crate's).
    pub const fn named(wasm: &'static [u8], name: &'static str) -> WasmMacro {
        WasmMacro {
            wasm,
            name,
            loaded: OnceLock::new(),
        }
    }

    /// Runs the derive macro the decls section names `name` (the trait).
    pub fn derive(&self, name: &str, input: TokenStream) -> TokenStream {
        self.run(Target::Name(name), None, input)
    }

    /// Runs the attribute macro the decls section names `name`.
    pub fn attribute(&self, name: &str, args: TokenStream, input: TokenStream) -> TokenStream {
        self.run(Target::Name(name), Some(args), input)
    }

    /// Runs the function-like macro the decls section names `name`.
    pub fn bang(&self, name: &str, input: TokenStream) -> TokenStream {
        self.run(Target::Name(name), None, input)
    }

    /// watt: calls the function-like macro exported as `fun`.
    pub fn proc_macro(&self, fun: &str, input: TokenStream) -> TokenStream {
        self.run(Target::Export(ffi::BANG, fun), None, input)
    }

    /// watt: calls the derive macro exported as `fun`.
    pub fn proc_macro_derive(&self, fun: &str, input: TokenStream) -> TokenStream {
        self.run(Target::Export(ffi::DERIVE, fun), None, input)
    }

    /// watt: calls the attribute macro exported as `fun`.
    pub fn proc_macro_attribute(&self, fun: &str, args: TokenStream, input: TokenStream) -> TokenStream {
        self.run(Target::Export(ffi::ATTRIBUTE, fun), Some(args), input)
    }

    fn run(&self, target: Target, args: Option<TokenStream>, input: TokenStream) -> TokenStream {
        match self.expand(target, args, input) {
            Ok(tokens) => tokens,
            Err(message) => compile_error(&message),
        }
    }

    fn expand(
        &self,
        target: Target,
        args: Option<TokenStream>,
        input: TokenStream,
    ) -> Result<TokenStream, String> {
        let loaded = self
            .loaded
            .get_or_init(|| load(self.wasm, self.name).map(Mutex::new));
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(message) => return Err(message.clone()),
        };

        let mut encoder = wire::Encoder::default();
        let args_end = match args {
            Some(args) => {
                encoder.stream(args);
                encoder.bytes.len()
            }
            None => 0,
        };
        encoder.stream(input);
        let (args_bytes, input_bytes) = encoder.bytes.split_at(args_end);

        let mut output = ffi::Buffer {
            data: ptr::null_mut(),
            len: 0,
        };
        let mut message: *mut c_char = ptr::null_mut();
        let (args_ptr, args_len) = if args_end > 0 {
            (args_bytes.as_ptr(), args_bytes.len())
        } else {
            (ptr::null(), 0)
        };
        let (status, info) = {
            // A panic cannot happen while the lock is held, but a poisoned
            // lock (from a bug elsewhere) should not take every later
            // expansion down with it.
            let guard = loaded.lock().unwrap_or_else(|e| e.into_inner());
            let status = match target {
                Target::Name(name) => {
                    let name = c_string(name)?;
                    unsafe {
                        ffi::wasmacro_expand(
                            guard.module,
                            name.as_ptr(),
                            input_bytes.as_ptr(),
                            input_bytes.len(),
                            args_ptr,
                            args_len,
                            &mut output,
                            &mut message,
                        )
                    }
                }
                Target::Export(kind, export) => {
                    let export = c_string(export)?;
                    unsafe {
                        ffi::wasmacro_expand_export(
                            guard.module,
                            kind,
                            export.as_ptr(),
                            input_bytes.as_ptr(),
                            input_bytes.len(),
                            args_ptr,
                            args_len,
                            &mut output,
                            &mut message,
                        )
                    }
                }
            };
            // What it ran into, as data: the advice is ours to word.
            let mut info = ffi::ErrorInfo::default();
            if status != ffi::OK {
                unsafe { ffi::wasmacro_module_last_error(guard.module, &mut info) };
            }
            (status, info)
        };
        if status != ffi::OK {
            let mut message = take_message(message);
            if let Some(var) = limit_variable(info.limit) {
                // Inside rustc the limits come from the environment.
                message += &format!("; raise the limit with {} in rustc's environment", var);
            }
            return Err(message);
        }
        let bytes = unsafe { std::slice::from_raw_parts(output.data, output.len) };
        let result = wire::decode(bytes, &encoder.spans);
        unsafe { ffi::wasmacro_buffer_free(&mut output) };
        result
    }
}

fn c_string(text: &str) -> Result<CString, String> {
    CString::new(text).map_err(|_| {
        format!(
            "wasmacro: macro name `{}` contains a NUL byte",
            text.escape_debug()
        )
    })
}

fn take_message(message: *mut c_char) -> String {
    if message.is_null() {
        return "wasmacro: expansion failed".to_owned();
    }
    let text = unsafe { CStr::from_ptr(message) }.to_string_lossy().into_owned();
    unsafe { ffi::wasmacro_message_free(message) };
    text
}

/// The environment variables that set the limits, read at first use.
const FUEL: &str = "WASMACRO_FUEL";
const MAX_MEMORY_PAGES: &str = "WASMACRO_MAX_MEMORY_PAGES";
const MAX_CALL_DEPTH: &str = "WASMACRO_MAX_CALL_DEPTH";

/// The variable that raises the limit an expansion ran into.
fn limit_variable(limit: ffi::LimitKind) -> Option<&'static str> {
    match limit {
        ffi::LIMIT_FUEL => Some(FUEL),
        ffi::LIMIT_MAX_MEMORY_PAGES => Some(MAX_MEMORY_PAGES),
        ffi::LIMIT_MAX_CALL_DEPTH => Some(MAX_CALL_DEPTH),
        _ => None,
    }
}

fn env_limit<T: std::str::FromStr>(name: &str, value: &mut T) {
    if let Some(parsed) = std::env::var(name).ok().and_then(|v| v.parse().ok()) {
        *value = parsed;
    }
}

fn load(wasm: &[u8], name: &str) -> Result<Loaded, String> {
    let mut limits = ffi::Limits::default();
    unsafe { ffi::wasmacro_limits_default(&mut limits) };
    env_limit(FUEL, &mut limits.fuel);
    env_limit(MAX_MEMORY_PAGES, &mut limits.max_memory_pages);
    env_limit(MAX_CALL_DEPTH, &mut limits.max_call_depth);
    // The engine only carries the limits; it lives as long as the module,
    // which lives as long as the compiler process.
    let engine = unsafe { ffi::wasmacro_engine_new(&limits) };
    if engine.is_null() {
        return Err("wasmacro: out of memory".to_owned());
    }
    open_cache(engine);
    let mut module: *mut ffi::Module = ptr::null_mut();
    let mut message: *mut c_char = ptr::null_mut();
    let name = c_string(name)?;
    let status = unsafe {
        ffi::wasmacro_module_load(
            engine,
            wasm.as_ptr(),
            wasm.len(),
            name.as_ptr(),
            ffi::LOAD_ALLOW_NO_DECLS,
            &mut module,
            &mut message,
        )
    };
    if status != ffi::OK {
        return Err(take_message(message));
    }
    Ok(Loaded { module })
}

/// Decodes and encodes the wire format's golden stream (rust/wire) with the
/// bridge's own code; tests/e2e (case wire_golden) calls it from a macro.
#[cfg(feature = "wire-golden")]
#[doc(hidden)]
pub fn __check_wire_golden() -> Result<(), String> {
    wire::check_golden()
}

/// Gives `engine` the expansion cache the environment names. One that cannot
/// be opened is a warning, once per process, and the build goes on without.
fn open_cache(engine: *mut ffi::Engine) {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let mut cache: *mut ffi::Cache = ptr::null_mut();
    let mut message: *mut c_char = ptr::null_mut();
    let status = unsafe { ffi::wasmacro_cache_open(ptr::null(), &mut cache, &mut message) };
    if status != ffi::OK {
        let message = take_message(message);
        if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
            eprintln!("warning: wasmacro: {}; expanding without the cache", message);
        }
        return;
    }
    // The engine keeps the cache for as long as it lives (the process).
    unsafe { ffi::wasmacro_engine_set_cache(engine, cache) };
}

/// `::core::compile_error! { "message" }` at the call site: valid both where
/// an item and where an expression is expected.
fn compile_error(message: &str) -> TokenStream {
    format!("::core::compile_error! {{ {:?} }}", message)
        .parse()
        .unwrap_or_default()
}
