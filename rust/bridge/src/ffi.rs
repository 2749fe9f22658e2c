//! The declarations of include/wasmacro.h that the bridge uses.

use std::os::raw::{c_char, c_uint};

#[repr(C)]
pub struct Engine {
    _private: [u8; 0],
}

#[repr(C)]
pub struct Cache {
    _private: [u8; 0],
}

#[repr(C)]
pub struct Module {
    _private: [u8; 0],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Limits {
    pub fuel: u64,
    pub max_memory_pages: u32,
    pub max_call_depth: u32,
}

#[repr(C)]
pub struct Buffer {
    pub data: *mut u8,
    pub len: usize,
}

/// What the last expansion ran into (wasmacro_error_info).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct ErrorInfo {
    pub trap: c_uint,
    pub limit: c_uint,
    pub limit_value: u64,
}

pub type LimitKind = c_uint;
pub const LIMIT_FUEL: LimitKind = 1;
pub const LIMIT_MAX_MEMORY_PAGES: LimitKind = 2;
pub const LIMIT_MAX_CALL_DEPTH: LimitKind = 3;

pub type Status = c_uint;
pub const OK: Status = 0;
pub const LOAD_ALLOW_NO_DECLS: u32 = 1;

pub type MacroKind = c_uint;
pub const DERIVE: MacroKind = 0;
pub const ATTRIBUTE: MacroKind = 1;
pub const BANG: MacroKind = 2;

// The archive is bundled into this crate's rlib; the C++ runtime, fmt and
// OpenSSL's libcrypto (the expansion cache's SHA-256) are shared libraries of
// the system.
#[link(name = "wasmacro", kind = "static")]
extern "C" {
    pub fn wasmacro_limits_default(limits: *mut Limits);
    pub fn wasmacro_engine_new(limits: *const Limits) -> *mut Engine;
    pub fn wasmacro_cache_open(
        dir: *const c_char,
        out: *mut *mut Cache,
        message: *mut *mut c_char,
    ) -> Status;
    pub fn wasmacro_engine_set_cache(engine: *mut Engine, cache: *mut Cache);
    pub fn wasmacro_module_load(
        engine: *mut Engine,
        wasm: *const u8,
        len: usize,
        name: *const c_char,
        flags: u32,
        out: *mut *mut Module,
        message: *mut *mut c_char,
    ) -> Status;
    pub fn wasmacro_message_free(message: *mut c_char);
    pub fn wasmacro_module_last_error(module: *const Module, info: *mut ErrorInfo) -> Status;
    pub fn wasmacro_buffer_free(buffer: *mut Buffer);
    pub fn wasmacro_expand(
        module: *mut Module,
        macro_name: *const c_char,
        input: *const u8,
        input_len: usize,
        args: *const u8,
        args_len: usize,
        output: *mut Buffer,
        message: *mut *mut c_char,
    ) -> Status;
    pub fn wasmacro_expand_export(
        module: *mut Module,
        kind: MacroKind,
        export_name: *const c_char,
        input: *const u8,
        input_len: usize,
        args: *const u8,
        args_len: usize,
        output: *mut Buffer,
        message: *mut *mut c_char,
    ) -> Status;
}

#[link(name = "stdc++")]
#[link(name = "fmt")]
#[link(name = "crypto")]
extern "C" {}
