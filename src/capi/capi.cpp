// The C API (include/wasmacro.h) over macros::Library. Every entry point
// catches everything: a C or Rust caller cannot unwind a C++ exception, and
// an expansion error must reach it as a status and a message.
#include "wasmacro.h"

#include "abi/wire.hpp"
#include "macros/library.hpp"
#include "wasm/engine.hpp"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct wasmacro_engine {
    wasmacro::wasm::SandboxLimits limits;
};

struct wasmacro_module {
    std::unique_ptr<wasmacro::macros::Library> library;
    // Loaded with WASMACRO_LOAD_ALLOW_NO_DECLS from a module without decls:
    // the records were made up from its exports and are not listed.
    bool synthetic_decls = false;
    // C views of the decls, built once so that info pointers stay valid.
    std::vector<std::vector<const char*>> helpers;
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

/// Maps the exception in flight to a status; the one place that knows which
/// failure is which.
wasmacro_status from_current_exception(char** message) noexcept {
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
    } catch (const wasm::Trap& e) {
        return fail(message, WASMACRO_ERROR_TRAP, e.what());
    } catch (const Error& e) {
        // Decode, validation and link errors: everything else wasmacro throws
        // comes from loading.
        return fail(message, WASMACRO_ERROR_LOAD, e.what());
    } catch (const std::bad_alloc&) {
        return fail(message, WASMACRO_ERROR_INTERNAL, "out of memory");
    } catch (const std::exception& e) {
        return fail(message, WASMACRO_ERROR_INTERNAL, e.what());
    } catch (...) {
        return fail(message, WASMACRO_ERROR_INTERNAL, "unknown internal error");
    }
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

// --- Modules built for plain watt ---------------------------------------
//
// Such a module has no decls section, and Library::load needs one. watt's API
// names exports directly, so a section listing every exported function (the
// kind is irrelevant: wasmacro_expand_export passes its own) is appended to a
// copy of the bytes. Only the section framing is read here; everything else is
// checked by Library::load as usual.

constexpr std::string_view kDeclsSection = ".rustc_proc_macro_decls";

class SectionReader {
public:
    explicit SectionReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
    bool done() const { return pos_ >= bytes_.size(); }
    bool u8(uint8_t& v) {
        if (done()) return false;
        v = bytes_[pos_++];
        return true;
    }
    bool leb(uint32_t& v) {
        v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            uint8_t b;
            if (!u8(b)) return false;
            v |= static_cast<uint32_t>(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return true;
        }
        return false;
    }
    bool name(std::string_view& out) {
        uint32_t n;
        if (!leb(n) || n > bytes_.size() - pos_) return false;
        out = {reinterpret_cast<const char*>(bytes_.data() + pos_), n};
        pos_ += n;
        return true;
    }
    bool skip(uint32_t n) {
        if (n > bytes_.size() - pos_) return false;
        pos_ += n;
        return true;
    }
    size_t pos() const { return pos_; }

private:
    std::span<const uint8_t> bytes_;
    size_t pos_ = 0;
};

/// If `wasm` is a well-framed module without a decls section, the section text
/// that declares every exported function; nullopt otherwise (Library::load
/// then reports whatever is wrong).
std::optional<std::string> synthesize_decls(std::span<const uint8_t> wasm) {
    if (wasm.size() < 8) return std::nullopt;
    SectionReader r(wasm.subspan(8));
    std::string text;
    while (!r.done()) {
        uint8_t id;
        uint32_t size;
        if (!r.u8(id) || !r.leb(size)) return std::nullopt;
        size_t end = r.pos() + size;
        if (id == 0) {
            std::string_view section_name;
            if (!r.name(section_name)) return std::nullopt;
            if (section_name == kDeclsSection) return std::nullopt;
        } else if (id == 7) { // exports
            uint32_t count;
            if (!r.leb(count)) return std::nullopt;
            for (uint32_t i = 0; i < count; ++i) {
                std::string_view export_name;
                uint8_t kind;
                uint32_t index;
                if (!r.name(export_name) || !r.u8(kind) || !r.leb(index)) return std::nullopt;
                if (kind == 0 && export_name != "raw_to_token_stream" &&
                    export_name != "token_stream_into_raw") {
                    text += "bang:";
                    text += export_name;
                    text += ':';
                    text += export_name;
                    text += '\n';
                }
            }
        }
        if (end < r.pos() || !r.skip(static_cast<uint32_t>(end - r.pos()))) return std::nullopt;
    }
    return text;
}

void append_leb(std::vector<uint8_t>& out, uint32_t v) {
    do {
        uint8_t b = v & 0x7F;
        v >>= 7;
        out.push_back(v != 0 ? (b | 0x80) : b);
    } while (v != 0);
}

std::vector<uint8_t> with_decls_section(std::span<const uint8_t> wasm, std::string_view text) {
    std::vector<uint8_t> payload;
    append_leb(payload, static_cast<uint32_t>(kDeclsSection.size()));
    payload.insert(payload.end(), kDeclsSection.begin(), kDeclsSection.end());
    payload.insert(payload.end(), text.begin(), text.end());
    std::vector<uint8_t> out(wasm.begin(), wasm.end());
    out.push_back(0);
    append_leb(out, static_cast<uint32_t>(payload.size()));
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
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
    auto decode = [&](const uint8_t* data, size_t len) {
        return abi::decode({data, len}, abi::Direction::GuestToHost, tables, options);
    };
    tokens::TokenStream in = decode(input, input_len);
    tokens::TokenStream attr;
    const bool is_attr = macro.kind == macros::MacroKind::Attribute;
    if (is_attr && args != nullptr) attr = decode(args, args_len);
    tokens::TokenStream out = module->library->expand(macro, in, is_attr ? &attr : nullptr);
    std::vector<uint8_t> bytes = abi::encode(out, abi::Direction::GuestToHost, tables);
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
        std::optional<std::string> made_up;
        if ((flags & WASMACRO_LOAD_ALLOW_NO_DECLS) != 0) made_up = synthesize_decls(bytes);
        if (made_up) {
            module->library =
                macros::Library::load(with_decls_section(bytes, *made_up), display, engine->limits);
            module->synthetic_decls = true;
        } else {
            module->library = macros::Library::load(bytes, display, engine->limits);
        }
        for (const macros::MacroDecl& m : module->library->decls().macros) {
            auto& c = module->helpers.emplace_back();
            for (const std::string& h : m.helpers) c.push_back(h.c_str());
        }
        *out = module.release();
        return WASMACRO_OK;
    } catch (...) {
        return from_current_exception(message);
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
    try {
        const macros::MacroDecl* macro =
            module->synthetic_decls ? nullptr : module->library->decls().find(macro_name);
        if (macro == nullptr)
            return fail(message, WASMACRO_ERROR_NO_SUCH_MACRO,
                        std::string(module->library->display_name()) + " has no macro named `" +
                            macro_name + "`");
        return run_expansion(module, *macro, input, input_len, args, args_len, output, message);
    } catch (...) {
        return from_current_exception(message);
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
    try {
        macro.name = export_name;
        macro.export_name = export_name;
        return run_expansion(module, macro, input, input_len, args, args_len, output, message);
    } catch (...) {
        return from_current_exception(message);
    }
}

} // extern "C"
