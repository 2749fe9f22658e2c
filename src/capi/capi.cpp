// The C API (include/wasmacro.h) over macros::Library. Every entry point
// catches everything: a C or Rust caller cannot unwind a C++ exception, and
// an expansion error must reach it as a status and a message.
#include "wasmacro.h"

#include "abi/host.hpp"
#include "abi/wire.hpp"
#ifdef WASMACRO_HAVE_CACHE
#include "cache/expansion.hpp"
#endif
#include "macros/library.hpp"
#include "wasm/engine.hpp"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct wasmacro_engine {
    wasmacro::wasm::SandboxLimits limits;
#ifdef WASMACRO_HAVE_CACHE
    std::shared_ptr<wasmacro::cache::Store> cache; ///< for modules loaded from now on
#endif
};

#ifdef WASMACRO_HAVE_CACHE
struct wasmacro_cache {
    std::shared_ptr<wasmacro::cache::Store> store;
};
#endif

struct wasmacro_module {
    std::unique_ptr<wasmacro::macros::Library> library;
    // Loaded with WASMACRO_LOAD_ALLOW_NO_DECLS from a module without decls:
    // the records were made up from its exports and are not listed.
    bool synthetic_decls = false;
    // C views of the decls, built once so that info pointers stay valid.
    std::vector<std::vector<const char*>> helpers;
    // What the last expansion ran into, if it failed.
    wasmacro_error_info last_error{};
#ifdef WASMACRO_HAVE_CACHE
    std::optional<wasmacro::cache::ModuleCache> cache;
#endif
};

namespace {

using namespace wasmacro;

char* copy_message(std::string_view text) noexcept {
    char* p = static_cast<char*>(std::malloc(text.size() + 1));
    if (p == nullptr) return nullptr;
    std::memcpy(p, text.data(), text.size());
    p[text.size()] = '\0';
    return p;
}

wasmacro_status fail(char** message, wasmacro_status status, std::string_view text) noexcept {
    if (message != nullptr) *message = copy_message(text);
    return status;
}

/// Which entry point failed: a trap while loading is the module's start
/// function, a load error.
enum class Phase { Load, Expand };

/// Maps the exception in flight to a status; the one place that knows which
/// failure is which.
wasmacro_status from_current_exception(char** message, Phase phase) noexcept {
    try {
        throw;
    } catch (const macros::ExpansionError& e) {
        switch (e.cause()) {
        case macros::ExpansionError::Cause::Panic:
            return fail(message, WASMACRO_ERROR_PANIC, e.what());
        case macros::ExpansionError::Cause::Trap:
            return fail(message, WASMACRO_ERROR_TRAP, e.what());
        case macros::ExpansionError::Cause::Abi: return fail(message, WASMACRO_ERROR_ABI, e.what());
        }
        return fail(message, WASMACRO_ERROR_INTERNAL, e.what());
    } catch (const macros::DeclsError& e) {
        return fail(message, WASMACRO_ERROR_DECLS, e.what());
    } catch (const abi::WireError& e) {
        return fail(message, WASMACRO_ERROR_INPUT, e.what());
    } catch (const abi::NoSuchEntryPoint& e) {
        return fail(message, WASMACRO_ERROR_NO_SUCH_MACRO, e.what());
    } catch (const wasm::Trap& e) {
        return fail(message, phase == Phase::Load ? WASMACRO_ERROR_LOAD : WASMACRO_ERROR_TRAP,
                    e.what());
    } catch (const wasm::DecodeError& e) {
        return fail(message, WASMACRO_ERROR_LOAD, e.what());
    } catch (const wasm::ValidationError& e) {
        return fail(message, WASMACRO_ERROR_LOAD, e.what());
    } catch (const wasm::LinkError& e) {
        return fail(message, WASMACRO_ERROR_LOAD, e.what());
    } catch (const std::bad_alloc&) {
        return fail(message, WASMACRO_ERROR_INTERNAL, "out of memory");
    } catch (const std::exception& e) {
        return fail(message, WASMACRO_ERROR_INTERNAL, e.what());
    } catch (...) {
        return fail(message, WASMACRO_ERROR_INTERNAL, "unknown internal error");
    }
}

wasmacro_trap_kind to_c(wasm::TrapKind kind) {
    using K = wasm::TrapKind;
    switch (kind) {
    case K::Unreachable: return WASMACRO_TRAP_UNREACHABLE;
    case K::MemoryOutOfBounds: return WASMACRO_TRAP_MEMORY_OUT_OF_BOUNDS;
    case K::TableOutOfBounds: return WASMACRO_TRAP_TABLE_OUT_OF_BOUNDS;
    case K::UndefinedElement: return WASMACRO_TRAP_UNDEFINED_ELEMENT;
    case K::UninitializedElement: return WASMACRO_TRAP_UNINITIALIZED_ELEMENT;
    case K::IndirectCallTypeMismatch: return WASMACRO_TRAP_INDIRECT_CALL_TYPE_MISMATCH;
    case K::IntegerDivideByZero: return WASMACRO_TRAP_INTEGER_DIVIDE_BY_ZERO;
    case K::IntegerOverflow: return WASMACRO_TRAP_INTEGER_OVERFLOW;
    case K::InvalidConversion: return WASMACRO_TRAP_INVALID_CONVERSION;
    case K::CallStackExhausted:
    case K::MachineStackExhausted: return WASMACRO_TRAP_CALL_STACK_EXHAUSTED;
    case K::FuelExhausted: return WASMACRO_TRAP_FUEL_EXHAUSTED;
    case K::MemoryLimitExceeded: return WASMACRO_TRAP_MEMORY_LIMIT_EXCEEDED;
    case K::HostError: return WASMACRO_TRAP_HOST_ERROR;
    case K::UncaughtException: return WASMACRO_TRAP_UNCAUGHT_EXCEPTION;
    }
    return WASMACRO_TRAP_HOST_ERROR;
}

wasmacro_limit_kind to_c(macros::LimitHit::Kind kind) {
    switch (kind) {
    case macros::LimitHit::Kind::Fuel: return WASMACRO_LIMIT_FUEL;
    case macros::LimitHit::Kind::MemoryPages: return WASMACRO_LIMIT_MAX_MEMORY_PAGES;
    case macros::LimitHit::Kind::CallDepth: return WASMACRO_LIMIT_MAX_CALL_DEPTH;
    }
    return WASMACRO_LIMIT_NONE;
}

/// An expansion on `module` failed with the exception in flight: records
/// what it ran into for wasmacro_module_last_error, and maps it.
wasmacro_status expansion_failed(wasmacro_module* module, char** message) noexcept {
    try {
        throw;
    } catch (const macros::ExpansionError& e) {
        if (e.trap()) module->last_error.trap = to_c(*e.trap());
        if (e.limit()) {
            module->last_error.limit = to_c(e.limit()->kind);
            module->last_error.limit_value = e.limit()->value;
        }
    } catch (...) { // nothing to record: from_current_exception says what it was
    }
    return from_current_exception(message, Phase::Expand);
}

void clear(wasmacro_buffer* output) noexcept {
    if (output != nullptr) {
        output->data = nullptr;
        output->len = 0;
    }
}

wasmacro_macro_kind to_c(macros::MacroKind kind) {
    switch (kind) {
    case macros::MacroKind::Derive: return WASMACRO_DERIVE;
    case macros::MacroKind::Attribute: return WASMACRO_ATTRIBUTE;
    case macros::MacroKind::Bang: return WASMACRO_BANG;
    }
    return WASMACRO_BANG;
}

bool from_c(wasmacro_macro_kind kind, macros::MacroKind& out) {
    switch (kind) {
    case WASMACRO_DERIVE: out = macros::MacroKind::Derive; return true;
    case WASMACRO_ATTRIBUTE: out = macros::MacroKind::Attribute; return true;
    case WASMACRO_BANG: out = macros::MacroKind::Bang; return true;
    }
    return false;
}

/// The decls of a module built for plain watt, which has no section: watt's
/// API names exports directly, so every exported function but the two
/// helpers is declared (the kind is irrelevant: wasmacro_expand_export passes
/// its own).
macros::Decls exports_as_decls(const wasm::Module& module) {
    macros::Decls decls;
    for (const wasm::Export& e : module.exports)
        if (e.kind == wasm::ExternKind::Func && e.name != abi::kRawToTokenStream &&
            e.name != abi::kTokenStreamIntoRaw)
            decls.macros.push_back({macros::MacroKind::Bang, e.name, e.name, {}});
    return decls;
}

/// The common part of both expand entry points, once the macro is known.
wasmacro_status run_expansion(wasmacro_module* module, const macros::MacroDecl& macro,
                              const uint8_t* input, size_t input_len, const uint8_t* args,
                              size_t args_len, wasmacro_buffer* output, char** message) {
    // The caller's spans are opaque handles; literals cross as source text,
    // lexed with the macros' edition.
    abi::HostSpanTables tables;
    abi::DecodeOptions options;
    options.edition = module->library->decls().edition;
    // The caller's tokens, not a guest's: rustc held them already, and
    // pre-expand mode hands a macro its input at any depth too. The limit
    // is for what a guest returns.
    options.max_depth = UINT32_MAX;
    auto decode = [&](const uint8_t* data, size_t len) {
        return abi::decode({data, len}, abi::Direction::GuestToHost, tables, options);
    };
    const bool is_attr = macro.kind == macros::MacroKind::Attribute;
    auto expand_uncached = [&] {
        tokens::TokenStream in = decode(input, input_len);
        tokens::TokenStream attr;
        if (is_attr && args != nullptr) attr = decode(args, args_len);
        tokens::TokenStream out = module->library->expand(macro, in, is_attr ? &attr : nullptr);
        return abi::encode(out, abi::Direction::GuestToHost, tables);
    };
#ifdef WASMACRO_HAVE_CACHE
    // The caller's bytes are the key as they are (see src/cache/expansion.hpp);
    // a hit is handed back without decoding anything.
    std::optional<cache::Key> key;
    std::vector<uint8_t> bytes;
    bool hit = false;
    if (module->cache) {
        static constexpr uint8_t kEmpty[] = {0};
        std::span<const uint8_t> a;
        if (is_attr) a = args != nullptr ? std::span(args, args_len) : std::span(kEmpty);
        key = module->cache->key("caller's spans", macro, {input, input_len}, a,
                                 module->library->environment());
        if (std::optional<cache::Outcome> found = module->cache->lookup(*key)) {
            if (found->kind != cache::Outcome::Kind::Expansion) throw module->cache->error(*found);
            bytes = std::move(found->bytes);
            hit = true;
        }
    }
    if (!hit) {
        try {
            bytes = expand_uncached();
        } catch (const macros::ExpansionError& e) {
            if (key) module->cache->put_error(std::move(*key), e);
            throw;
        }
        if (key) module->cache->put_output(std::move(*key), bytes);
    }
#else
    std::vector<uint8_t> bytes = expand_uncached();
#endif
    auto* data = static_cast<uint8_t*>(std::malloc(bytes.empty() ? 1 : bytes.size()));
    if (data == nullptr) return fail(message, WASMACRO_ERROR_INTERNAL, "out of memory");
    std::memcpy(data, bytes.data(), bytes.size());
    output->data = data;
    output->len = bytes.size();
    return WASMACRO_OK;
}

} // namespace

extern "C" {

const char* wasmacro_status_name(wasmacro_status status) {
    switch (status) {
    case WASMACRO_OK: return "ok";
    case WASMACRO_ERROR_ARGUMENT: return "argument";
    case WASMACRO_ERROR_LOAD: return "load";
    case WASMACRO_ERROR_DECLS: return "decls";
    case WASMACRO_ERROR_NO_SUCH_MACRO: return "no-such-macro";
    case WASMACRO_ERROR_INPUT: return "input";
    case WASMACRO_ERROR_PANIC: return "panic";
    case WASMACRO_ERROR_TRAP: return "trap";
    case WASMACRO_ERROR_ABI: return "abi";
    case WASMACRO_ERROR_INTERNAL: return "internal";
    case WASMACRO_ERROR_CACHE: return "cache";
    }
    return "unknown";
}

void wasmacro_message_free(char* message) {
    std::free(message);
}

void wasmacro_limits_default(wasmacro_limits* limits) {
    if (limits == nullptr) return;
    wasm::SandboxLimits d;
    limits->fuel = d.fuel;
    limits->max_memory_pages = d.max_memory_pages;
    limits->max_call_depth = d.max_call_depth;
}

wasmacro_engine* wasmacro_engine_new(const wasmacro_limits* limits) {
    auto* engine = new (std::nothrow) wasmacro_engine{};
    if (engine != nullptr && limits != nullptr) {
        engine->limits.fuel = limits->fuel;
        engine->limits.max_memory_pages = limits->max_memory_pages;
        engine->limits.max_call_depth = limits->max_call_depth;
    }
    return engine;
}

void wasmacro_engine_free(wasmacro_engine* engine) {
    delete engine;
}

wasmacro_status wasmacro_cache_open(const char* dir, wasmacro_cache** out, char** message) {
    if (message != nullptr) *message = nullptr;
    if (out == nullptr) return fail(message, WASMACRO_ERROR_ARGUMENT, "out is NULL");
    *out = nullptr;
#ifdef WASMACRO_HAVE_CACHE
    try {
        cache::Config config = cache::config_from_environment();
        if (dir != nullptr)
            config.dir = dir;
        else if (!config.enabled)
            return WASMACRO_OK;
        *out = new wasmacro_cache{cache::Store::open(config.dir, config.max_bytes)};
        return WASMACRO_OK;
    } catch (const std::bad_alloc&) {
        return fail(message, WASMACRO_ERROR_INTERNAL, "out of memory");
    } catch (const std::exception& e) {
        return fail(message, WASMACRO_ERROR_CACHE, e.what());
    }
#else
    (void)dir;
    return fail(message, WASMACRO_ERROR_CACHE,
                "this build of wasmacro (wasm32-wasip1) has no expansion cache");
#endif
}

void wasmacro_cache_free(wasmacro_cache* cache) {
#ifdef WASMACRO_HAVE_CACHE
    delete cache;
#else
    (void)cache;
#endif
}

void wasmacro_engine_set_cache(wasmacro_engine* engine, wasmacro_cache* cache) {
#ifdef WASMACRO_HAVE_CACHE
    if (engine != nullptr) engine->cache = cache != nullptr ? cache->store : nullptr;
#else
    (void)engine;
    (void)cache;
#endif
}

wasmacro_status wasmacro_module_load(wasmacro_engine* engine, const uint8_t* wasm, size_t len,
                                     const char* name, uint32_t flags, wasmacro_module** out,
                                     char** message) {
    if (message != nullptr) *message = nullptr;
    if (out == nullptr) return fail(message, WASMACRO_ERROR_ARGUMENT, "out is NULL");
    *out = nullptr;
    if (engine == nullptr || (wasm == nullptr && len != 0))
        return fail(message, WASMACRO_ERROR_ARGUMENT, "engine or wasm is NULL");
    try {
        std::string display = name != nullptr ? name : "macro module";
        std::span<const uint8_t> bytes(wasm, len);
        auto module = std::make_unique<wasmacro_module>();
        std::shared_ptr<const wasm::Module> decoded = wasm::load_module(bytes);
        if ((flags & WASMACRO_LOAD_ALLOW_NO_DECLS) != 0 &&
            !decoded->custom_section(macros::kDeclsSection)) {
            macros::Decls decls = exports_as_decls(*decoded);
            module->library = macros::Library::load(std::move(decoded), std::move(decls), display,
                                                    engine->limits);
            module->synthetic_decls = true;
        } else {
            module->library = macros::Library::load(std::move(decoded), display, engine->limits);
        }
        module->library->set_environment(macros::cargo_package_environment());
#ifdef WASMACRO_HAVE_CACHE
        if (engine->cache)
            module->cache.emplace(engine->cache, bytes,
                                  module->synthetic_decls ? "decls made up" : "", engine->limits,
                                  display);
#endif
        for (const macros::MacroDecl& m : module->library->decls().macros) {
            auto& c = module->helpers.emplace_back();
            for (const std::string& h : m.helpers) c.push_back(h.c_str());
        }
        *out = module.release();
        return WASMACRO_OK;
    } catch (...) {
        return from_current_exception(message, Phase::Load);
    }
}

void wasmacro_module_free(wasmacro_module* module) {
    delete module;
}

size_t wasmacro_module_macro_count(const wasmacro_module* module) {
    if (module == nullptr || module->synthetic_decls) return 0;
    return module->library->decls().macros.size();
}

wasmacro_status wasmacro_module_macro(const wasmacro_module* module, size_t index,
                                      wasmacro_macro_info* info) {
    if (module == nullptr || info == nullptr) return WASMACRO_ERROR_ARGUMENT;
    const auto& macros = module->library->decls().macros;
    if (index >= wasmacro_module_macro_count(module)) return WASMACRO_ERROR_ARGUMENT;
    const macros::MacroDecl& m = macros[index];
    info->kind = to_c(m.kind);
    info->name = m.name.c_str();
    info->export_name = m.export_name.c_str();
    info->helper_count = module->helpers[index].size();
    info->helpers = module->helpers[index].data();
    return WASMACRO_OK;
}

unsigned wasmacro_module_edition(const wasmacro_module* module) {
    if (module == nullptr) return 0;
    switch (module->library->decls().edition) {
    case tokens::Edition::E2015: return 2015;
    case tokens::Edition::E2018: return 2018;
    case tokens::Edition::E2021: return 2021;
    case tokens::Edition::E2024: return 2024;
    }
    return 2021;
}

wasmacro_status wasmacro_module_last_error(const wasmacro_module* module,
                                           wasmacro_error_info* info) {
    if (module == nullptr || info == nullptr) return WASMACRO_ERROR_ARGUMENT;
    *info = module->last_error;
    return WASMACRO_OK;
}

void wasmacro_buffer_free(wasmacro_buffer* buffer) {
    if (buffer == nullptr) return;
    std::free(buffer->data);
    buffer->data = nullptr;
    buffer->len = 0;
}

wasmacro_status wasmacro_expand(wasmacro_module* module, const char* macro_name,
                                const uint8_t* input, size_t input_len, const uint8_t* args,
                                size_t args_len, wasmacro_buffer* output, char** message) {
    if (message != nullptr) *message = nullptr;
    clear(output);
    if (module == nullptr || macro_name == nullptr || input == nullptr || output == nullptr)
        return fail(message, WASMACRO_ERROR_ARGUMENT, "a required argument is NULL");
    module->last_error = wasmacro_error_info{};
    try {
        const macros::MacroDecl* macro =
            module->synthetic_decls ? nullptr : module->library->decls().find(macro_name);
        if (macro == nullptr)
            return fail(message, WASMACRO_ERROR_NO_SUCH_MACRO,
                        std::string(module->library->display_name()) + " has no macro named `" +
                            macro_name + "`");
        return run_expansion(module, *macro, input, input_len, args, args_len, output, message);
    } catch (...) {
        return expansion_failed(module, message);
    }
}

wasmacro_status wasmacro_expand_export(wasmacro_module* module, wasmacro_macro_kind kind,
                                       const char* export_name, const uint8_t* input,
                                       size_t input_len, const uint8_t* args, size_t args_len,
                                       wasmacro_buffer* output, char** message) {
    if (message != nullptr) *message = nullptr;
    clear(output);
    macros::MacroDecl macro;
    if (module == nullptr || export_name == nullptr || input == nullptr || output == nullptr ||
        !from_c(kind, macro.kind))
        return fail(message, WASMACRO_ERROR_ARGUMENT, "a required argument is NULL or invalid");
    module->last_error = wasmacro_error_info{};
    try {
        macro.name = export_name;
        macro.export_name = export_name;
        return run_expansion(module, macro, input, input_len, args, args_len, output, message);
    } catch (...) {
        return expansion_failed(module, message);
    }
}

} // extern "C"
