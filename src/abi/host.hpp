// The watt-0.5 host: handle tables, the ten imports as host functions, and the
// expansion sequence (DESIGN.md, "The watt-0.5 ABI").
#pragma once

#include "common/error.hpp"
#include "tokens/lexer.hpp"
#include "tokens/token.hpp"
#include "wasm/engine.hpp"

#include <memory>
#include <string_view>

namespace wasmacro::abi {

/// The guest broke the ABI (a bad handle, pointer, length, UTF-8 string or
/// wire stream). The message starts with the import or export concerned.
class AbiError : public Error {
public:
    using Error::Error;
};

/// The guest called `print_panic`: the message is the macro's panic message.
class GuestPanic : public Error {
public:
    using Error::Error;
};

/// An expansion named an entry point the module does not export (with the
/// signature of its kind).
class NoSuchEntryPoint : public Error {
public:
    using Error::Error;
};

inline constexpr std::string_view kImportModule = "watt-0.5";
/// wasmacro's imports beside watt-0.5's, which a watt-built module never
/// imports: `finish(stream)` ends the expansion with host stream `stream` as
/// its output, for guests that cannot unwind (proc-macro-error's `abort!`
/// under `panic = "abort"`).
inline constexpr std::string_view kExtensionModule = "wasmacro-1";
inline constexpr std::string_view kRawToTokenStream = "raw_to_token_stream";
inline constexpr std::string_view kTokenStreamIntoRaw = "token_stream_into_raw";

/// Checks that every import of `module` is one of the ten watt-0.5 functions
/// or wasmacro-1's `finish`, with its signature. Throws wasm::LinkError naming the first that is
/// not.
void check_imports(const wasm::Module& module);

/// Checks that `module` exports raw_to_token_stream and token_stream_into_raw
/// with their signatures. Throws wasm::LinkError naming what is missing.
void check_helper_exports(const wasm::Module& module);

/// Whether export `name` is a function taking `params` i32s and returning one
/// i32 (a macro entry point: 1 for derive and function-like, 2 for attribute).
bool is_entry_point(const wasm::Module& module, std::string_view name, size_t params);

/// One instance of a macro module, reused for every expansion. Not thread-safe.
class Host {
public:
    /// Checks the imports and helper exports, and instantiates the module.
    /// Throws wasm::LinkError, or wasm::Trap if instantiation traps.
    /// `edition` is the one `token_stream_parse` lexes with.
    Host(std::shared_ptr<const wasm::Module> module, wasm::SandboxLimits limits,
         tokens::Edition edition);
    ~Host();
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    /// One expansion: raw_to_token_stream on each input (`args` first, if
    /// given), `entry` with one or two guest streams, token_stream_into_raw
    /// on its result, or the stream the guest passed to `finish`. Output spans map back to the
    /// input's spans; new tokens get the call site (Span{}). Throws GuestPanic, AbiError,
    /// wasm::Trap, or NoSuchEntryPoint. After any failure the module is instantiated afresh before
    /// the next expansion.
    tokens::TokenStream expand(std::string_view entry, const tokens::TokenStream& input,
                               const tokens::TokenStream* args = nullptr);

    /// The environment a wasm32-wasip1 macro sees (WASI's environ, "NAME=value"
    /// entries; none by default). A change takes a new instance, made before
    /// the next expansion (a libc reads the environment once).
    void set_environment(std::vector<std::string> environment);

    wasm::SandboxLimits& limits();
    const wasm::Module& module() const;
    /// How many times the module was instantiated (1 + one per failed expansion
    /// followed by another); for tests.
    uint32_t instantiations() const;
    /// What the module wrote to WASI stderr during the last expansion (for
    /// wasm32-wasip1 macros; a macro's `eprintln!` explains its failure).
    const std::string& guest_stderr() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace wasmacro::abi
