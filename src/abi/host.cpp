#include "abi/host.hpp"

#include "abi/wire.hpp"
#include "tokens/tokenize.hpp"
#include "tokens/unicode.hpp"
#include "wasi/wasi.hpp"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace wasmacro::abi {

namespace {

using tokens::Span;
using tokens::TokenStream;
using wasm::FuncType;
using wasm::ValType;

struct ImportSpec {
    std::string_view module;
    std::string_view name;
    uint8_t params;
    uint8_t results;
};

// The ten watt-0.5 imports, and wasmacro's own beside them; every parameter
// and result is an i32.
constexpr std::array<ImportSpec, 11> kImports{{
    {kImportModule, "token_stream_serialize", 1, 1},
    {kImportModule, "token_stream_deserialize", 2, 1},
    {kImportModule, "token_stream_parse", 2, 1},
    {kImportModule, "literal_to_string", 1, 1},
    {kImportModule, "string_new", 2, 1},
    {kImportModule, "string_len", 1, 1},
    {kImportModule, "string_read", 2, 0},
    {kImportModule, "bytes_len", 1, 1},
    {kImportModule, "bytes_read", 2, 0},
    {kImportModule, "print_panic", 1, 0},
    {kExtensionModule, "finish", 1, 0},
}};

/// Thrown by `finish` to leave the guest: the expansion's output is the
/// stream it named, not an error.
struct Finished {
    uint32_t stream;
};

/// The index in kImports of what `import` names, or nullopt.
std::optional<size_t> import_index(const wasm::Import& import) {
    for (size_t i = 0; i < kImports.size(); ++i)
        if (kImports[i].module == import.module && kImports[i].name == import.name) return i;
    return std::nullopt;
}

FuncType i32_type(size_t params, size_t results) {
    return FuncType{std::vector<ValType>(params, ValType::I32),
                    std::vector<ValType>(results, ValType::I32)};
}

const wasm::Export* find_function_export(const wasm::Module& module, std::string_view name) {
    for (const wasm::Export& e : module.exports)
        if (e.name == name && e.kind == wasm::ExternKind::Func) return &e;
    return nullptr;
}

// Handles carry their table in the top bits, so that a handle of one kind
// passed where another belongs is caught rather than silently aliasing.
enum class HandleKind : uint32_t { Stream = 1, Literal = 2, String = 3, Bytes = 4, Span = 5 };
constexpr uint32_t kKindShift = 28;
constexpr uint32_t kIndexMask = (uint32_t{1} << kKindShift) - 1;

const char* kind_name(uint32_t tag) {
    switch (tag) {
    case 1: return "token stream";
    case 2: return "literal";
    case 3: return "string";
    case 4: return "bytes";
    case 5: return "span";
    default: return nullptr;
    }
}

// Buffers bigger than this are freed after an expansion rather than kept for reuse.
constexpr size_t kKeepBufferBytes = size_t{1} << 20;
// Likewise for string and bytes slots: a macro makes one per literal it reads.
constexpr size_t kKeepSlots = 4096;

// Worst-case host bytes per input byte: a deserialized tree takes 6 wire bytes
// and a Tree plus its text; lexed text can make a Tree of every byte.
constexpr size_t kParseBytesPerTextByte = sizeof(tokens::Tree) + 1;

// Fuel for host work that the bytes touched do not measure: making a handle
// (an allocation and a slot, some 100-300 ns with its first touches of
// memory) and encoding or decoding a tree (some 30-60 ns), where a unit of
// fuel is a few ns of wasm. Without them, a loop of string_new or of
// token_stream_serialize ran for 3.5 s of CPU before the store's budget
// stopped it (bench/limits/run.sh).
constexpr int64_t kFuelPerHandle = 32;
constexpr int64_t kFuelPerTree = 16;

} // namespace

void check_imports(const wasm::Module& module) {
    for (const wasm::Import& import : module.imports) {
        // Macros built for wasm32-wasip1 import WASI too; the shim links them.
        if (wasi::is_wasi_import(import)) {
            wasi::check_import(module, import);
            continue;
        }
        if (import.module != kImportModule && import.module != kExtensionModule)
            throw wasm::LinkError(
                fmt::format("the module imports {} \"{}\" \"{}\": a macro module may import only "
                            "the functions of \"{}\" (and \"{}\", \"{}\")",
                            name(import.kind), import.module, import.name, kImportModule,
                            kExtensionModule, wasi::kImportModule));
        if (import.kind != wasm::ExternKind::Func)
            throw wasm::LinkError(fmt::format("the module imports {} \"{}\" \"{}\": \"{}\" "
                                              "provides only functions",
                                              name(import.kind), import.module, import.name,
                                              import.module));
        std::optional<size_t> index = import_index(import);
        if (!index)
            throw wasm::LinkError(fmt::format("the module imports function \"{}\" \"{}\", which "
                                              "\"{}\" does not provide",
                                              import.module, import.name, import.module));
        const ImportSpec& spec = kImports[*index];
        FuncType want = i32_type(spec.params, spec.results);
        const FuncType& have = module.types[import.func_type];
        if (have != want)
            throw wasm::LinkError(fmt::format("the module imports \"{}\" \"{}\" with type {}; "
                                              "its type is {}",
                                              import.module, import.name, to_string(have),
                                              to_string(want)));
    }
}

void check_helper_exports(const wasm::Module& module) {
    for (std::string_view helper : {kRawToTokenStream, kTokenStreamIntoRaw}) {
        const wasm::Export* e = find_function_export(module, helper);
        if (!e)
            throw wasm::LinkError(fmt::format(
                "the module does not export function \"{}\", which every watt-0.5 macro module "
                "has",
                helper));
        const FuncType& type = module.type_of_function(e->index);
        if (type != i32_type(1, 1))
            throw wasm::LinkError(fmt::format(
                "export \"{}\" has type {}; it must be (i32) -> (i32)", helper, to_string(type)));
    }
}

bool is_entry_point(const wasm::Module& module, std::string_view name, size_t params) {
    const wasm::Export* e = find_function_export(module, name);
    return e && module.type_of_function(e->index) == i32_type(params, 1);
}

/// How deeply groups nest in `stream`.
static size_t nesting_depth(const TokenStream& stream) {
    std::vector<size_t> open_ends; // of the groups around the current tree
    size_t deepest = 0;
    for (size_t i = 0; i < stream.size(); ++i) {
        while (!open_ends.empty() && open_ends.back() == i) open_ends.pop_back();
        if (!stream[i].is_group()) continue;
        open_ends.push_back(stream[i].end);
        deepest = std::max(deepest, open_ends.size());
    }
    return deepest;
}

struct Host::State final : WireTables {
    std::shared_ptr<const wasm::Module> module;
    wasm::SandboxLimits limits;
    tokens::Edition edition;

    std::unique_ptr<wasm::Store> store;
    // No arguments or stdin, and only the environment the caller sets; its
    // stderr is shown with an error.
    wasi::Wasi wasi;
    wasm::Instance* instance = nullptr;
    wasm::Function* raw_to_token_stream = nullptr;
    wasm::Function* token_stream_into_raw = nullptr;
    // A module has a handful of entry points: a list beats a hash table.
    std::vector<std::pair<std::string, wasm::Function*>> entries;
    bool needs_instance = true;
    uint32_t instantiations = 0;

    // The handle tables of the running expansion. Strings and bytes keep their
    // buffers from one expansion to the next.
    std::vector<const TokenStream*> streams;
    std::deque<TokenStream> owned_streams;
    std::vector<LiteralRef> literals;
    std::vector<std::string> strings;
    size_t strings_used = 0;
    std::vector<std::vector<uint8_t>> bytes;
    size_t bytes_used = 0;
    std::vector<Span> spans;
    // What the tables hold, charged to the store's budget with the guest's
    // memory: a guest that calls the imports in a loop must not be able to
    // exhaust the host's memory.
    size_t table_bytes = 0;

    State(std::shared_ptr<const wasm::Module> m, wasm::SandboxLimits l, tokens::Edition e)
        : module(std::move(m)), limits(l), edition(e) {}

    // --- handles -------------------------------------------------------------

    static uint32_t make_handle(HandleKind kind, size_t index, const char* import) {
        if (index > kIndexMask)
            throw AbiError(fmt::format("{}: more than {} handles of one kind in one expansion",
                                       import, kIndexMask));
        return static_cast<uint32_t>(kind) << kKindShift | static_cast<uint32_t>(index);
    }

    static size_t index_of(HandleKind kind, uint32_t handle, size_t count, const char* import) {
        uint32_t tag = handle >> kKindShift;
        const char* want = kind_name(static_cast<uint32_t>(kind));
        if (tag != static_cast<uint32_t>(kind)) {
            const char* have = kind_name(tag);
            if (have)
                throw AbiError(fmt::format("{}: {:#x} is a {} handle, not a {} handle", import,
                                           handle, have, want));
            throw AbiError(fmt::format("{}: {:#x} is not a {} handle", import, handle, want));
        }
        size_t index = handle & kIndexMask;
        if (index >= count)
            throw AbiError(fmt::format("{}: {} handle {:#x} does not exist ({} in this expansion)",
                                       import, want, handle, count));
        return index;
    }

    uint32_t add_stream(const TokenStream* stream, const char* import) {
        streams.push_back(stream);
        return make_handle(HandleKind::Stream, streams.size() - 1, import);
    }

    /// Refuses to go on if `more` bytes would take the store over budget.
    void check_budget(size_t more, const char* import) const {
        if (more > store->available_bytes()) over_budget(more, import);
    }
    void charge(size_t more, const char* import) {
        if (!store->charge_host_bytes(more)) over_budget(more, import);
        table_bytes += more;
    }
    [[noreturn]] void over_budget(size_t more, const char* import) const {
        throw AbiError(fmt::format(
            "{}: {} more bytes of host-side data would exceed the {} MiB that the macro's "
            "memory, tables and host data may hold together ({} bytes of host data so far)",
            import, more, store->limits().store_bytes() >> 20, table_bytes));
    }

    /// `shared_text` is source text the stream keeps alive (a parsed one
    /// keeps all of it, whitespace included). Trees are charged as made, not
    /// as reserved: a reservation nothing was written to costs no memory.
    uint32_t add_owned_stream(TokenStream stream, const char* import, size_t shared_text = 0) {
        size_t text = shared_text;
        if (shared_text == 0)
            for (const tokens::Tree& t : stream.nodes()) text += t.is_group() ? 0 : t.text().size();
        charge(stream.size() * sizeof(tokens::Tree) + text + sizeof(TokenStream), import);
        owned_streams.push_back(std::move(stream));
        return add_stream(&owned_streams.back(), import);
    }

    const TokenStream& stream(uint32_t handle, const char* import) const {
        return *streams[index_of(HandleKind::Stream, handle, streams.size(), import)];
    }

    std::string& new_string(uint32_t& handle, const char* import) {
        handle = make_handle(HandleKind::String, strings_used, import);
        if (strings_used == strings.size()) strings.emplace_back();
        return strings[strings_used++];
    }

    const std::string& string(uint32_t handle, const char* import) const {
        return strings[index_of(HandleKind::String, handle, strings_used, import)];
    }

    std::vector<uint8_t>& new_bytes(uint32_t& handle, const char* import) {
        handle = make_handle(HandleKind::Bytes, bytes_used, import);
        if (bytes_used == bytes.size()) bytes.emplace_back();
        std::vector<uint8_t>& b = bytes[bytes_used++];
        b.clear();
        return b;
    }

    const std::vector<uint8_t>& byte_buffer(uint32_t handle, const char* import) const {
        return bytes[index_of(HandleKind::Bytes, handle, bytes_used, import)];
    }

    void clear_tables() {
        streams.clear();
        owned_streams.clear();
        literals.clear();
        spans.clear();
        for (size_t i = 0; i < strings_used; ++i)
            if (strings[i].capacity() > kKeepBufferBytes) std::string().swap(strings[i]);
        for (size_t i = 0; i < bytes_used; ++i)
            if (bytes[i].capacity() > kKeepBufferBytes) std::vector<uint8_t>().swap(bytes[i]);
        // An expansion that made unusually many strings or buffers does not
        // leave its slots behind for the life of the library.
        if (strings.size() > kKeepSlots) {
            strings.resize(kKeepSlots);
            strings.shrink_to_fit();
        }
        if (bytes.size() > kKeepSlots) {
            bytes.resize(kKeepSlots);
            bytes.shrink_to_fit();
        }
        strings_used = 0;
        bytes_used = 0;
        store->release_host_bytes(table_bytes);
        table_bytes = 0;
    }

    // --- WireTables: spans and literals as the guest sees them --------------

    uint32_t span_handle(const Span& span) override {
        if (span.source == 0) return kCallSiteSpan;
        spans.push_back(span);
        return make_handle(HandleKind::Span, spans.size() - 1, "token_stream_serialize");
    }

    Span span(uint32_t handle) override {
        if (handle == kCallSiteSpan) return Span{};
        if (handle >> kKindShift != static_cast<uint32_t>(HandleKind::Span) ||
            (handle & kIndexMask) >= spans.size())
            throw WireError(fmt::format("unknown span handle {:#x}", handle));
        return spans[handle & kIndexMask];
    }

    std::optional<uint32_t> literal_handle(const tokens::Tree& literal) override {
        literals.push_back({literal.lit, literal.text()});
        return make_handle(HandleKind::Literal, literals.size() - 1, "token_stream_serialize");
    }

    LiteralRef literal(uint32_t handle) override {
        if (handle >> kKindShift != static_cast<uint32_t>(HandleKind::Literal) ||
            (handle & kIndexMask) >= literals.size())
            throw WireError(fmt::format("unknown literal handle {:#x}", handle));
        return literals[handle & kIndexMask];
    }

    // --- guest memory --------------------------------------------------------

    std::span<uint8_t> guest_bytes(wasm::HostCall& call, const char* import, uint32_t ptr,
                                   uint32_t len) const {
        // Every import's work grows with the guest bytes it reads or writes.
        call.charge_for_bytes(len);
        try {
            return call.guest_bytes(ptr, len);
        } catch (const wasm::Trap&) {
            wasm::Memory* memory = instance ? instance->memory(0) : nullptr;
            size_t size = memory ? wasm::memory_bytes(*memory).size() : 0;
            throw AbiError(fmt::format("{}: {} bytes at {:#x} are outside guest memory ({} bytes)",
                                       import, len, ptr, size));
        }
    }

    std::string_view guest_text(wasm::HostCall& call, const char* import, uint32_t ptr,
                                uint32_t len) const {
        std::span<uint8_t> b = guest_bytes(call, import, ptr, len);
        std::string_view text(reinterpret_cast<const char*>(b.data()), b.size());
        if (!tokens::is_valid_utf8(text))
            throw AbiError(
                fmt::format("{}: the {} bytes at {:#x} are not valid UTF-8", import, len, ptr));
        return text;
    }

    // --- the ten imports -----------------------------------------------------

    static uint32_t arg(const wasm::HostCall& call, size_t i) {
        return static_cast<uint32_t>(call.args[i]);
    }

    void token_stream_serialize(wasm::HostCall& call) {
        const char* import = "token_stream_serialize";
        const TokenStream& s = stream(arg(call, 0), import);
        check_budget(s.size() * (sizeof(Span) * 3 + sizeof(LiteralRef) + 16), import);
        size_t spans_before = spans.size(), literals_before = literals.size();
        uint32_t handle;
        std::vector<uint8_t>& out = new_bytes(handle, import);
        encode(s, Direction::HostToGuest, *this, out);
        call.charge_for_bytes(out.size());
        call.charge_fuel(kFuelPerHandle + static_cast<int64_t>(s.size()) * kFuelPerTree);
        charge(out.size() + (spans.size() - spans_before) * sizeof(Span) +
                   (literals.size() - literals_before) * sizeof(LiteralRef),
               import);
        call.results[0] = handle;
    }

    void token_stream_deserialize(wasm::HostCall& call) {
        const char* import = "token_stream_deserialize";
        std::span<uint8_t> b = guest_bytes(call, import, arg(call, 0), arg(call, 1));
        // The literal texts are at most the wire bytes; the trees are counted
        // against what the budget has left as they are decoded.
        check_budget(b.size(), import);
        DecodeOptions options{edition};
        options.max_trees = (store->available_bytes() - b.size()) / sizeof(tokens::Tree);
        TokenStream s;
        try {
            s = decode(b, Direction::GuestToHost, *this, options);
        } catch (const WireTooLarge&) {
            over_budget((options.max_trees + 1) * sizeof(tokens::Tree), import);
        } catch (const WireError& e) {
            throw AbiError(fmt::format("{}: malformed token stream: {}", import, e.what()));
        }
        call.charge_fuel(kFuelPerHandle + static_cast<int64_t>(s.size()) * kFuelPerTree);
        call.results[0] = add_owned_stream(std::move(s), import);
    }

    void token_stream_parse(wasm::HostCall& call) {
        const char* import = "token_stream_parse";
        std::string_view text = guest_text(call, import, arg(call, 0), arg(call, 1));
        // Lexing a byte costs some sixteen times copying it (guest_text
        // charged the copy): a guest that lexes a lot pays for the time.
        call.charge_for_bytes(text.size() * 15);
        call.charge_fuel(kFuelPerHandle);
        check_budget(text.size() * kParseBytesPerTextByte, import);
        std::optional<TokenStream> s = tokens::parse_text(text, edition, Span{});
        if (size_t depth = s ? nesting_depth(*s) : 0; depth > kMaxNesting)
            throw AbiError(fmt::format("{}: the text nests groups {} deep; the host accepts at "
                                       "most {}, as for token_stream_deserialize",
                                       import, depth, kMaxNesting));
        call.results[0] = s ? add_owned_stream(std::move(*s), import, text.size()) : kCallSiteSpan;
    }

    void literal_to_string(wasm::HostCall& call) {
        const char* import = "literal_to_string";
        uint32_t h = arg(call, 0);
        const LiteralRef& lit = literals[index_of(HandleKind::Literal, h, literals.size(), import)];
        charge(lit.text.size() + sizeof(std::string), import);
        call.charge_for_bytes(lit.text.size());
        call.charge_fuel(kFuelPerHandle);
        uint32_t handle;
        new_string(handle, import).assign(lit.text);
        call.results[0] = handle;
    }

    void string_new(wasm::HostCall& call) {
        const char* import = "string_new";
        std::string_view text = guest_text(call, import, arg(call, 0), arg(call, 1));
        call.charge_fuel(kFuelPerHandle);
        charge(text.size() + sizeof(std::string), import);
        uint32_t handle;
        new_string(handle, import).assign(text);
        call.results[0] = handle;
    }

    void string_len(wasm::HostCall& call) {
        call.results[0] = string(arg(call, 0), "string_len").size();
    }

    void string_read(wasm::HostCall& call) {
        const char* import = "string_read";
        const std::string& s = string(arg(call, 0), import);
        std::span<uint8_t> dst =
            guest_bytes(call, import, arg(call, 1), static_cast<uint32_t>(s.size()));
        if (!s.empty()) std::memcpy(dst.data(), s.data(), s.size());
    }

    void bytes_len(wasm::HostCall& call) {
        call.results[0] = byte_buffer(arg(call, 0), "bytes_len").size();
    }

    void bytes_read(wasm::HostCall& call) {
        const char* import = "bytes_read";
        const std::vector<uint8_t>& b = byte_buffer(arg(call, 0), import);
        std::span<uint8_t> dst =
            guest_bytes(call, import, arg(call, 1), static_cast<uint32_t>(b.size()));
        if (!b.empty()) std::memcpy(dst.data(), b.data(), b.size());
    }

    void print_panic(wasm::HostCall& call) {
        // Unwinding out of the guest here is what ends the expansion: the
        // guest would otherwise go on to trap on `unreachable`.
        throw GuestPanic(string(arg(call, 0), "print_panic"));
    }

    void finish(wasm::HostCall& call) {
        // Checked here, so that a bad handle is reported by the import that got it.
        uint32_t handle = arg(call, 0);
        stream(handle, "finish");
        throw Finished{handle};
    }

    // --- instances -----------------------------------------------------------

    void instantiate() {
        entries.clear();
        instance = nullptr;
        raw_to_token_stream = token_stream_into_raw = nullptr;
        store.reset();
        store = std::make_unique<wasm::Store>(limits);
        using Method = void (State::*)(wasm::HostCall&);
        constexpr std::array<Method, kImports.size()> methods{
            &State::token_stream_serialize,
            &State::token_stream_deserialize,
            &State::token_stream_parse,
            &State::literal_to_string,
            &State::string_new,
            &State::string_len,
            &State::string_read,
            &State::bytes_len,
            &State::bytes_read,
            &State::print_panic,
            &State::finish,
        };
        std::array<wasm::Function*, kImports.size()> functions{};
        for (size_t i = 0; i < kImports.size(); ++i) {
            Method m = methods[i];
            functions[i] = store->create_host_function(
                i32_type(kImports[i].params, kImports[i].results),
                [this, m](wasm::HostCall& call) { (this->*m)(call); },
                std::string(kImports[i].name));
        }
        wasi.link(*store);
        wasi.begin_call();
        instance = &store->instantiate(
            module, [&](const wasm::Import& import) -> std::optional<wasm::Extern> {
                if (wasi::is_wasi_import(import)) return wasi.resolve(import);
                if (std::optional<size_t> i = import_index(import))
                    return wasm::Extern{functions[*i]};
                return std::nullopt;
            });
        // A wasm32-wasip1 library (a "reactor") initialises its libc here.
        if (wasm::Function* init = instance->exported_function("_initialize"))
            store->call(*init, {});
        raw_to_token_stream = instance->exported_function(kRawToTokenStream);
        token_stream_into_raw = instance->exported_function(kTokenStreamIntoRaw);
        needs_instance = false;
        ++instantiations;
    }

    wasm::Function& entry(std::string_view name, size_t params) {
        for (auto& [entry_name, function] : entries)
            if (entry_name == name) return *function;
        if (!is_entry_point(*module, name, params))
            throw NoSuchEntryPoint(
                fmt::format("the module has no exported function \"{}\" of type {}", name,
                            to_string(i32_type(params, 1))));
        wasm::Function* f = instance->exported_function(name);
        entries.emplace_back(std::string(name), f);
        return *f;
    }

    uint32_t call(wasm::Function& f, std::initializer_list<uint64_t> args) {
        uint64_t result = 0;
        store->call_raw(f, std::span<const uint64_t>(args.begin(), args.size()),
                        std::span<uint64_t>(&result, 1));
        return static_cast<uint32_t>(result);
    }

    TokenStream take_stream(uint32_t handle) {
        const TokenStream& s = stream(handle, "token_stream_into_raw (its result)");
        for (TokenStream& owned : owned_streams)
            if (&owned == &s) return std::move(owned);
        return s;
    }
};

Host::Host(std::shared_ptr<const wasm::Module> module, wasm::SandboxLimits limits,
           tokens::Edition edition) {
    check_imports(*module);
    check_helper_exports(*module);
    state_ = std::make_unique<State>(std::move(module), limits, edition);
    state_->instantiate();
}

Host::~Host() = default;

void Host::set_environment(std::vector<std::string> environment) {
    if (environment == state_->wasi.environment()) return;
    state_->wasi.set_environment(std::move(environment));
    state_->needs_instance = true;
}

wasm::SandboxLimits& Host::limits() {
    return state_->store->limits();
}

const wasm::Module& Host::module() const {
    return *state_->module;
}

uint32_t Host::instantiations() const {
    return state_->instantiations;
}

const std::string& Host::guest_stderr() const {
    return state_->wasi.stderr_text();
}

TokenStream Host::expand(std::string_view entry, const TokenStream& input,
                         const TokenStream* args) {
    State& s = *state_;
    if (s.needs_instance) {
        s.limits = s.store->limits();
        s.instantiate();
    }
    wasm::Function& f = s.entry(entry, args ? 2 : 1);
    s.wasi.begin_call();
    struct Clear {
        State& s;
        ~Clear() { s.clear_tables(); }
    } clear{s};
    try {
        TokenStream out;
        const char* into = "raw_to_token_stream";
        if (args) {
            uint32_t guest_args = s.call(*s.raw_to_token_stream, {s.add_stream(args, into)});
            uint32_t guest_item = s.call(*s.raw_to_token_stream, {s.add_stream(&input, into)});
            uint32_t result = s.call(f, {guest_args, guest_item});
            out = s.take_stream(s.call(*s.token_stream_into_raw, {result}));
        } else {
            uint32_t guest_input = s.call(*s.raw_to_token_stream, {s.add_stream(&input, into)});
            uint32_t result = s.call(f, {guest_input});
            out = s.take_stream(s.call(*s.token_stream_into_raw, {result}));
        }
        return out;
    } catch (const Finished& finished) {
        // The guest stopped halfway, as after any failure, but on purpose.
        s.needs_instance = true;
        return s.take_stream(finished.stream);
    } catch (...) {
        // The guest stopped halfway (its allocator, its handle table, its
        // stack pointer): only a fresh instance is known to be sound.
        s.needs_instance = true;
        throw;
    }
}

} // namespace wasmacro::abi
