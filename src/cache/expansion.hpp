// The expansion cache on the expansion call: the key of one call of one
// module's macro, and replaying what the store holds for it.
//
// Two forms of input reach a macro. The C API gets wire bytes whose span
// handles the caller numbered (the Rust bridge numbers each call's spans
// 0, 1, 2, ... in order), so the same tokens anywhere in a file are the same
// bytes, and an output that refers to those handles refers to the current
// call's spans when it is handed back: ModuleCache works on those bytes as
// they are. In-process callers (`wasmacro call`, pre-expand mode) hold token
// streams whose spans are source locations: with_cache numbers their spans
// canonically for the key and maps the output's spans back (expansion.cpp).
#pragma once

#include "cache/store.hpp"
#include "macros/library.hpp"
#include "wasm/engine.hpp"

#include <memory>
#include <optional>
#include <span>
#include <string>

namespace wasmacro::cache {

/// The cache as one loaded module sees it.
class ModuleCache {
public:
    /// `wasm` is the module's bytes as the caller gave them; `variant` names
    /// anything else the caller derived from them (the C API's made-up decls).
    ModuleCache(std::shared_ptr<Store> store, std::span<const uint8_t> wasm,
                std::string_view variant, const wasm::SandboxLimits& limits,
                std::string display_name);

    /// The key of expanding `macro` on `input` (and an attribute's `args`)
    /// in wire form, with `environment` (macros::Library::environment);
    /// `form` says which numbering the spans follow.
    Key key(std::string_view form, const macros::MacroDecl& macro, std::span<const uint8_t> input,
            std::span<const uint8_t> args, const std::vector<std::string>& environment) const;

    std::optional<Outcome> lookup(const Key& key) { return store_->lookup(key); }
    void put_output(Key key, std::span<const uint8_t> output);
    /// Records `error` unless it depends on more than the call (see
    /// ExpansionError::replayable).
    void put_error(Key key, const macros::ExpansionError& error);
    /// The error a cached failure replays as, naming this module as loaded
    /// now. Only for an outcome that is not Kind::Expansion.
    macros::ExpansionError error(const Outcome& outcome) const;

private:
    std::shared_ptr<Store> store_;
    std::array<uint8_t, 32> module_;
    wasm::SandboxLimits limits_;
    std::string display_name_;
};

/// `library` with every expansion looked up in `store` first and recorded
/// there after; `wasm` and `limits` are what it was loaded from and with.
std::unique_ptr<macros::Library> with_cache(std::unique_ptr<macros::Library> library,
                                            std::shared_ptr<Store> store,
                                            std::span<const uint8_t> wasm,
                                            const wasm::SandboxLimits& limits);

} // namespace wasmacro::cache
