#include "cache/expansion.hpp"

#include "abi/wire.hpp"
#include "cache/engine_digest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

namespace wasmacro::cache {

namespace {

using tokens::Span;
using tokens::TokenStream;

// A cached message either starts with the module's display name, which is
// put back as the module is named now, or is kept as it was.
constexpr uint8_t kNamed = 1;
constexpr uint8_t kVerbatim = 0;
// A trap's message follows its kind, whether a limit was hit, the limit's
// kind and value and where advice goes in the message.
constexpr size_t kTrapHeader = 3 + 8 + 8;
constexpr uint8_t kNoTrapKind = 0xff;

void put_u64(std::vector<uint8_t>& out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t get_u64(std::span<const uint8_t> bytes, size_t at) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{bytes[at + i]} << (8 * i);
    return v;
}

Outcome::Kind outcome_kind(macros::ExpansionError::Cause cause) {
    switch (cause) {
    case macros::ExpansionError::Cause::Panic: return Outcome::Kind::Panic;
    case macros::ExpansionError::Cause::Trap: return Outcome::Kind::Trap;
    case macros::ExpansionError::Cause::Abi: return Outcome::Kind::Abi;
    }
    return Outcome::Kind::Abi;
}

} // namespace

ModuleCache::ModuleCache(std::shared_ptr<Store> store, std::span<const uint8_t> wasm,
                         std::string_view variant, const wasm::SandboxLimits& limits,
                         std::string display_name)
    : store_(std::move(store)), limits_(limits), display_name_(std::move(display_name)) {
    module_ = Sha256().add(wasm).add(variant).finish();
}

Key ModuleCache::key(std::string_view form, const macros::MacroDecl& macro,
                     std::span<const uint8_t> input, std::span<const uint8_t> args,
                     const std::vector<std::string>& environment) const {
    Key k;
    // The engine's sources and the format of the key: a wasmacro whose
    // engine counts fuel differently must not replay this one's results.
    k.add(std::string_view("wasmacro expansion v2")).add(kEngineDigest).add(form);
    k.add(module_);
    k.add_u64(limits_.fuel)
        .add_u64(limits_.max_memory_pages)
        .add_u64(limits_.max_call_depth)
        .add_u64(limits_.store_bytes());
    k.add_u64(static_cast<uint64_t>(macro.kind)).add(macro.name).add(macro.export_name);
    k.add_u64(environment.size());
    for (const std::string& entry : environment) k.add(entry);
    k.add(args).add(input);
    k.seal();
    return k;
}

void ModuleCache::put_output(Key key, std::span<const uint8_t> output) {
    Outcome o;
    o.bytes.assign(output.begin(), output.end());
    store_->put(std::move(key), std::move(o));
}

void ModuleCache::put_error(Key key, const macros::ExpansionError& error) {
    if (!error.replayable()) return;
    std::string_view message = error.what();
    Outcome o;
    o.kind = outcome_kind(error.cause());
    bool named = message.starts_with(display_name_);
    if (named) message.remove_prefix(display_name_.size());
    o.bytes.push_back(named ? kNamed : kVerbatim);
    if (error.cause() == macros::ExpansionError::Cause::Trap) {
        // The trap and its limit as data, so that a replayed error gives each
        // front end what the first one did to word its advice.
        o.bytes.push_back(error.trap() ? static_cast<uint8_t>(*error.trap()) : kNoTrapKind);
        std::optional<macros::LimitHit> limit = error.limit();
        o.bytes.push_back(limit ? 1 : 0);
        o.bytes.push_back(limit ? static_cast<uint8_t>(limit->kind) : 0);
        put_u64(o.bytes, limit ? limit->value : 0);
        put_u64(o.bytes, error.hint_at() - (named ? display_name_.size() : 0));
    }
    o.bytes.insert(o.bytes.end(), message.begin(), message.end());
    store_->put(std::move(key), std::move(o));
}

macros::ExpansionError ModuleCache::error(const Outcome& outcome) const {
    using Cause = macros::ExpansionError::Cause;
    Cause cause = outcome.kind == Outcome::Kind::Panic  ? Cause::Panic
                  : outcome.kind == Outcome::Kind::Trap ? Cause::Trap
                                                        : Cause::Abi;
    std::span<const uint8_t> rest(outcome.bytes);
    std::string message;
    if (!rest.empty() && rest[0] == kNamed) message = display_name_;
    if (!rest.empty()) rest = rest.subspan(1);
    std::optional<wasm::TrapKind> trap;
    std::optional<macros::LimitHit> limit;
    size_t hint_at = 0;
    if (cause == Cause::Trap && rest.size() >= kTrapHeader) {
        if (rest[0] != kNoTrapKind) trap = static_cast<wasm::TrapKind>(rest[0]);
        if (rest[1] != 0)
            limit =
                macros::LimitHit{static_cast<macros::LimitHit::Kind>(rest[2]), get_u64(rest, 3)};
        hint_at = message.size() + get_u64(rest, 11);
        rest = rest.subspan(kTrapHeader);
    }
    message.append(reinterpret_cast<const char*>(rest.data()), rest.size());
    if (!trap) return macros::ExpansionError(cause, message);
    return macros::ExpansionError(message, *trap, limit, hint_at);
}

namespace {

struct SpanHash {
    size_t operator()(const Span& s) const noexcept {
        uint64_t h = s.source;
        for (uint32_t v : {s.lo, s.hi, s.line, s.col, s.end_line, s.end_col})
            h = (h ^ v) * 0x100000001b3ull;
        return static_cast<size_t>(h ^ (h >> 29));
    }
};

/// Spans numbered by value, in the order first met: equal spans share a
/// handle, so the numbering says which input tokens had the same span and
/// an output span maps back to exactly one handle. The call site is the
/// wire's call site. Encoding the input host->guest sends what the engine's
/// host would send (a group with a location has open and close spans of its
/// own), so the key sees all that the macro can. Every token's span is
/// looked up on a miss, so the index is a flat table of handles (open
/// addressing), without an allocation per span.
class CanonicalSpans final : public abi::WireTables {
public:
    /// Room for about `expected` spans before the table grows.
    explicit CanonicalSpans(size_t expected) {
        slots_.assign(std::bit_ceil(std::max<size_t>(64, expected * 2)), kEmpty);
        spans.reserve(expected);
    }

    std::vector<Span> spans;
    bool frozen = false; ///< output: no new handles; a new span is `foreign`
    bool foreign = false;

    uint32_t span_handle(const Span& span) override {
        if (span.source == 0) return abi::kCallSiteSpan;
        size_t at = slot_of(span);
        if (slots_[at] != kEmpty) return slots_[at];
        if (frozen) {
            foreign = true;
            return abi::kCallSiteSpan;
        }
        auto handle = static_cast<uint32_t>(spans.size());
        spans.push_back(span);
        slots_[at] = handle;
        if (spans.size() * 2 > slots_.size()) grow();
        return handle;
    }
    Span span(uint32_t handle) override {
        if (handle == abi::kCallSiteSpan) return Span{};
        if (handle >= spans.size())
            throw abi::WireError(fmt::format("cached span handle {} of {}", handle, spans.size()));
        return spans[handle];
    }

private:
    static constexpr uint32_t kEmpty = UINT32_MAX;

    /// The slot that holds `span`'s handle, or the empty slot where it goes.
    size_t slot_of(const Span& span) const {
        size_t mask = slots_.size() - 1;
        size_t at = SpanHash{}(span)&mask;
        while (slots_[at] != kEmpty && !(spans[slots_[at]] == span)) at = (at + 1) & mask;
        return at;
    }
    void grow() {
        slots_.assign(slots_.size() * 2, kEmpty);
        for (uint32_t handle = 0; handle < spans.size(); ++handle)
            slots_[slot_of(spans[handle])] = handle;
    }

    std::vector<uint32_t> slots_;
};

class CachedLibrary final : public macros::Library {
public:
    CachedLibrary(std::unique_ptr<macros::Library> inner, ModuleCache cache)
        : Library(inner->decls(), inner->display_name()), inner_(std::move(inner)),
          cache_(std::move(cache)) {
        set_environment(inner_->environment());
    }

    TokenStream expand(const macros::MacroDecl& macro, const TokenStream& input,
                       const TokenStream* attr_args) override {
        // A token has a span, a group two.
        CanonicalSpans tables(2 * (input.size() + (attr_args ? attr_args->size() : 0)));
        std::vector<uint8_t> args_bytes, input_bytes;
        if (attr_args) abi::encode(*attr_args, abi::Direction::HostToGuest, tables, args_bytes);
        abi::encode(input, abi::Direction::HostToGuest, tables, input_bytes);
        Key key = cache_.key("canonical spans", macro, input_bytes, args_bytes, environment());
        if (std::optional<Outcome> hit = cache_.lookup(key)) {
            if (hit->kind != Outcome::Kind::Expansion) throw cache_.error(*hit);
            abi::DecodeOptions options;
            options.edition = decls().edition;
            try {
                return abi::decode(hit->bytes, abi::Direction::GuestToHost, tables, options);
            } catch (const abi::WireError&) {
                // Intact but unreadable here: run the macro, and rewrite it.
            }
        }
        TokenStream out;
        try {
            out = inner_->expand(macro, input, attr_args);
        } catch (const macros::ExpansionError& e) {
            cache_.put_error(std::move(key), e);
            throw;
        }
        tables.frozen = true;
        std::vector<uint8_t> output = abi::encode(out, abi::Direction::GuestToHost, tables);
        // A span the input did not have cannot be replayed onto another call.
        if (!tables.foreign) cache_.put_output(std::move(key), output);
        return out;
    }

    bool reads_environment() const override { return inner_->reads_environment(); }

private:
    void apply_environment(const std::vector<std::string>& environment) override {
        inner_->set_environment(environment);
    }

    std::unique_ptr<macros::Library> inner_;
    ModuleCache cache_;
};

} // namespace

std::unique_ptr<macros::Library> with_cache(std::unique_ptr<macros::Library> library,
                                            std::shared_ptr<Store> store,
                                            std::span<const uint8_t> wasm,
                                            const wasm::SandboxLimits& limits) {
    ModuleCache cache(std::move(store), wasm, "", limits, library->display_name());
    return std::make_unique<CachedLibrary>(std::move(library), std::move(cache));
}

} // namespace wasmacro::cache
