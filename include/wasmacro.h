/*
 * wasmacro.h: the C API of wasmacro, for hosts that are not written in C++
 * (the Rust proc-macro bridge, a patched rustc, an editor).
 *
 * Load a procedural-macro library compiled to WebAssembly (the watt-0.5 host
 * ABI), list the macros its `.rustc_proc_macro_decls` section declares, and
 * expand them. Token streams cross this API in the wire format of DESIGN.md,
 * in the guest-to-host style in both directions:
 *
 *   stream  := tree* 0x00
 *   tree    := 0x01 delimiter:u8 span stream          group (0 paren, 1 brace,
 *                                                      2 bracket, 3 none)
 *            | 0x02 span len:u32 utf8[len]             ident (`r#` prefix if raw)
 *            | 0x03 char:u32 spacing:u8 span           punct (0 alone, 1 joint)
 *            | 0x04 span 0x00 len:u32 utf8[len]        literal, as source text
 *   span    := u32                                    the caller's handle;
 *                                                      0xFFFFFFFF is the call site
 *
 * (u32 little-endian). Span handles are opaque to wasmacro: an output token
 * that the macro took from its input carries the input token's handle, new
 * tokens carry WASMACRO_CALL_SITE. A caller typically numbers its own spans
 * in a table and looks the handles up again in the output.
 *
 * Rules:
 * - No function lets a C++ exception or a crash escape: every failure is a
 *   status code plus, when the caller passes a non-NULL `message`, a
 *   NUL-terminated UTF-8 message the caller frees with wasmacro_message_free.
 * - Pointers returned inside structs (names, helpers) live as long as the
 *   object they came from.
 * - An engine may be shared by modules; a module is not thread-safe: callers
 *   serialise expansions on one module (different modules may run at once).
 * - Freeing NULL is a no-op everywhere.
 *
 * The header is plain C99 (and C11, C++).
 */
#ifndef WASMACRO_H
#define WASMACRO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The span handle meaning "the macro's call site". */
#define WASMACRO_CALL_SITE 0xFFFFFFFFu

typedef enum wasmacro_status {
    WASMACRO_OK = 0,
    /** A NULL pointer or otherwise invalid argument. */
    WASMACRO_ERROR_ARGUMENT = 1,
    /** The bytes are not a valid WebAssembly module, or it imports something
     *  other than watt-0.5's functions, or instantiating it trapped. */
    WASMACRO_ERROR_LOAD = 2,
    /** The decls section is missing (see `wasmacro annotate`) or malformed. */
    WASMACRO_ERROR_DECLS = 3,
    /** No macro of that name (or export, of that kind's signature) in the
     *  module. */
    WASMACRO_ERROR_NO_SUCH_MACRO = 4,
    /** The input token stream is not valid wire format. */
    WASMACRO_ERROR_INPUT = 5,
    /** The macro panicked; the message is its panic message. */
    WASMACRO_ERROR_PANIC = 6,
    /** The macro trapped or hit a limit (fuel, memory, call depth). */
    WASMACRO_ERROR_TRAP = 7,
    /** The macro broke the watt-0.5 ABI (bad handle, pointer, wire bytes). */
    WASMACRO_ERROR_ABI = 8,
    /** Out of host memory, or an unexpected internal failure (a bug: the
     *  message says what it was). */
    WASMACRO_ERROR_INTERNAL = 9,
    /** The expansion cache's directory cannot be made or written. */
    WASMACRO_ERROR_CACHE = 10
} wasmacro_status;

/** A short constant name for a status, e.g. "panic". */
const char* wasmacro_status_name(wasmacro_status status);

/** Frees a message returned through a `char** message` parameter. */
void wasmacro_message_free(char* message);

/** Sandbox limits applied to every expansion. */
typedef struct wasmacro_limits {
    /** Work budget of one expansion (function calls and loop iterations). */
    uint64_t fuel;
    /** Cap on the module's linear memory, in 64 KiB pages. */
    uint32_t max_memory_pages;
    /** Cap on nested wasm calls. */
    uint32_t max_call_depth;
} wasmacro_limits;

/** Fills `limits` with the defaults (generous enough for serde_derive). */
void wasmacro_limits_default(wasmacro_limits* limits);

typedef struct wasmacro_engine wasmacro_engine;

/** Creates an engine whose modules run under `limits` (NULL: the defaults).
 *  Returns NULL only when out of memory. */
wasmacro_engine* wasmacro_engine_new(const wasmacro_limits* limits);
/** Frees the engine. Its modules must have been freed first. */
void wasmacro_engine_free(wasmacro_engine* engine);

/**
 * The expansion cache (opt-in): a directory of expansions shared by every
 * process that opens it. A wasm macro sees only its input and runs
 * deterministically, so an expansion is stored under its module, macro,
 * input bytes (span handles included, as the caller numbered them) and
 * limits, and replayed when all of them are the same again: the output's
 * span handles refer to the input's, so they name the current call's spans.
 * Failures (a panic, a trap, a broken ABI rule) are replayed too, with their
 * message. A caller that numbers each call's spans 0, 1, 2, ... in order, as
 * the Rust bridge does, gets a hit for the same tokens anywhere.
 */
typedef struct wasmacro_cache wasmacro_cache;

/**
 * Opens the cache in the directory `dir`, creating it if need be, or, with
 * `dir` NULL, where the environment says: `$WASMACRO_CACHE_DIR/expansions`,
 * else `${XDG_CACHE_HOME:-~/.cache}/wasmacro/expansions`; with `dir` NULL
 * and WASMACRO_CACHE=off, returns WASMACRO_OK and stores NULL in `*out`.
 * WASMACRO_CACHE_MAX_SIZE (e.g. `500M`; default 1 GiB) caps its size.
 * Returns WASMACRO_ERROR_CACHE, naming the directory and the reason, if it
 * cannot be written; the caller then goes on without a cache.
 */
wasmacro_status wasmacro_cache_open(const char* dir, wasmacro_cache** out, char** message);
/** Frees the handle; engines and modules it was given to keep what they need. */
void wasmacro_cache_free(wasmacro_cache* cache);
/** Modules that `engine` loads from now on look their expansions up in
 *  `cache` and record them there; NULL turns that off for later loads. */
void wasmacro_engine_set_cache(wasmacro_engine* engine, wasmacro_cache* cache);

typedef struct wasmacro_module wasmacro_module;

/** Load flags. */
enum {
    /** Accept a module without a decls section (a module built for plain
     *  watt); its macros are then reachable only by export name, through
     *  wasmacro_expand_export, and it lists none. */
    WASMACRO_LOAD_ALLOW_NO_DECLS = 1
};

/**
 * Decodes, validates and instantiates the module in `wasm[0..len)` and reads
 * its decls. `name` (may be NULL) names the module in messages. The bytes are
 * copied. On success stores the module in `*out` and returns WASMACRO_OK;
 * otherwise `*out` is NULL and the status says why (LOAD or DECLS).
 * A module built for wasm32-wasip1 sees, as its environment, the CARGO_PKG_*
 * and CARGO_CRATE_NAME variables of this process's (those Cargo sets for the
 * crate rustc compiles), and nothing else of it.
 */
wasmacro_status wasmacro_module_load(wasmacro_engine* engine, const uint8_t* wasm, size_t len,
                                     const char* name, uint32_t flags, wasmacro_module** out,
                                     char** message);
void wasmacro_module_free(wasmacro_module* module);

typedef enum wasmacro_macro_kind {
    WASMACRO_DERIVE = 0,    /**< #[proc_macro_derive]: input is the item */
    WASMACRO_ATTRIBUTE = 1, /**< #[proc_macro_attribute]: arguments, then the item */
    WASMACRO_BANG = 2       /**< #[proc_macro]: input is the macro's input */
} wasmacro_macro_kind;

typedef struct wasmacro_macro_info {
    wasmacro_macro_kind kind;
    /** The derived trait's name, or the macro's name. */
    const char* name;
    /** The wasm export that implements it. */
    const char* export_name;
    /** A derive's helper attributes. */
    size_t helper_count;
    const char* const* helpers;
} wasmacro_macro_info;

/** The number of macros the module declares. */
size_t wasmacro_module_macro_count(const wasmacro_module* module);
/** Describes macro `index` (< wasmacro_module_macro_count). */
wasmacro_status wasmacro_module_macro(const wasmacro_module* module, size_t index,
                                      wasmacro_macro_info* info);
/** The Rust edition the macros were written for: 2015, 2018, 2021 or 2024. */
unsigned wasmacro_module_edition(const wasmacro_module* module);

/** What stopped an expansion that trapped. */
typedef enum wasmacro_trap_kind {
    WASMACRO_TRAP_NONE = 0, /**< the last expansion did not trap */
    WASMACRO_TRAP_UNREACHABLE = 1,
    WASMACRO_TRAP_MEMORY_OUT_OF_BOUNDS = 2,
    WASMACRO_TRAP_TABLE_OUT_OF_BOUNDS = 3,
    WASMACRO_TRAP_UNDEFINED_ELEMENT = 4,
    WASMACRO_TRAP_UNINITIALIZED_ELEMENT = 5,
    WASMACRO_TRAP_INDIRECT_CALL_TYPE_MISMATCH = 6,
    WASMACRO_TRAP_INTEGER_DIVIDE_BY_ZERO = 7,
    WASMACRO_TRAP_INTEGER_OVERFLOW = 8,
    WASMACRO_TRAP_INVALID_CONVERSION = 9,
    /** The call-depth cap, or the machine stack, ran out. */
    WASMACRO_TRAP_CALL_STACK_EXHAUSTED = 10,
    WASMACRO_TRAP_FUEL_EXHAUSTED = 11,
    WASMACRO_TRAP_MEMORY_LIMIT_EXCEEDED = 12,
    /** A host function failed. */
    WASMACRO_TRAP_HOST_ERROR = 13,
    /** A wasm exception (exception handling's `throw`) that nothing caught. */
    WASMACRO_TRAP_UNCAUGHT_EXCEPTION = 14
} wasmacro_trap_kind;

/** The wasmacro_limits field whose value an expansion ran into. */
typedef enum wasmacro_limit_kind {
    WASMACRO_LIMIT_NONE = 0,
    WASMACRO_LIMIT_FUEL = 1,
    WASMACRO_LIMIT_MAX_MEMORY_PAGES = 2,
    WASMACRO_LIMIT_MAX_CALL_DEPTH = 3
} wasmacro_limit_kind;

/** What the last expansion on a module ran into, as data, so that a host
 *  can word its own advice (e.g. the setting that raises the limit). */
typedef struct wasmacro_error_info {
    /** The trap, for status WASMACRO_ERROR_TRAP; NONE otherwise. */
    wasmacro_trap_kind trap;
    /** The limit that stopped it, if a trap was a limit's; NONE otherwise. */
    wasmacro_limit_kind limit;
    /** That limit's value during the expansion. */
    uint64_t limit_value;
} wasmacro_error_info;

/** Describes the module's last wasmacro_expand or wasmacro_expand_export
 *  (all NONE if it succeeded, or failed otherwise than by a trap). */
wasmacro_status wasmacro_module_last_error(const wasmacro_module* module,
                                           wasmacro_error_info* info);

/** An expansion's output: wire-format bytes, freed with wasmacro_buffer_free. */
typedef struct wasmacro_buffer {
    uint8_t* data;
    size_t len;
} wasmacro_buffer;
void wasmacro_buffer_free(wasmacro_buffer* buffer);

/**
 * Expands the macro named `macro_name` (as declared: the derived trait, or the
 * macro's name). `input` is the item (derive, attribute) or the macro's input
 * (function-like); `args`/`args_len` the attribute's arguments (ignored for
 * the other kinds; NULL means an empty stream). Both in wire format.
 * On success fills `*output` (the caller frees it). On failure `*output` is
 * empty and the message says what happened: the panic message, the trap or
 * limit, the ABI rule broken. The module stays usable either way.
 */
wasmacro_status wasmacro_expand(wasmacro_module* module, const char* macro_name,
                                const uint8_t* input, size_t input_len, const uint8_t* args,
                                size_t args_len, wasmacro_buffer* output, char** message);

/**
 * As wasmacro_expand, naming the wasm export and its kind directly, as watt's
 * API does (for modules loaded with WASMACRO_LOAD_ALLOW_NO_DECLS).
 */
wasmacro_status wasmacro_expand_export(wasmacro_module* module, wasmacro_macro_kind kind,
                                       const char* export_name, const uint8_t* input,
                                       size_t input_len, const uint8_t* args, size_t args_len,
                                       wasmacro_buffer* output, char** message);

#ifdef __cplusplus
}
#endif

#endif /* WASMACRO_H */
