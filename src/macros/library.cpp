// A loaded macro module: its decls and one reusable watt-0.5 host instance.
#include "macros/library.hpp"

#include "abi/host.hpp"
#include "wasi/wasi.hpp"

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>

namespace wasmacro::macros {

namespace {

/// The limit behind a trap of `kind`, if one is: the machine stack is not a
/// limit a caller can raise.
std::optional<LimitHit> limit_hit(wasm::TrapKind kind, const wasm::SandboxLimits& limits) {
    switch (kind) {
    case wasm::TrapKind::FuelExhausted: return LimitHit{LimitHit::Kind::Fuel, limits.fuel};
    case wasm::TrapKind::MemoryLimitExceeded:
        return LimitHit{LimitHit::Kind::MemoryPages, limits.max_memory_pages};
    case wasm::TrapKind::CallStackExhausted:
        return LimitHit{LimitHit::Kind::CallDepth, limits.max_call_depth};
    default: return std::nullopt;
    }
}

/// Whether a string of the module's data names one of Cargo's variables for
/// the crate being compiled: a macro that may read them as it expands.
bool names_cargo_variable(std::string_view text) {
    return text.find("CARGO_PKG_") != std::string_view::npos ||
           text.find("CARGO_CRATE_NAME") != std::string_view::npos;
}
bool data_names_cargo_variable(const wasm::Module& module) {
    const auto* bytes = reinterpret_cast<const char*>(module.bytes.data());
    return std::any_of(module.data.begin(), module.data.end(), [&](const wasm::DataSegment& d) {
        return names_cargo_variable({bytes + d.data_offset, d.size});
    });
}

/// Why a macro built for wasm32-unknown-unknown fails where it needs Cargo's
/// variables, and what to do about it: std there has no environment.
std::string cargo_environment_advice(std::string_view display_name) {
    return fmt::format("{} was built for wasm32-unknown-unknown, where a macro cannot read "
                       "Cargo's CARGO_PKG_* variables; rebuild it for wasm32-wasip1 (`wasmacro "
                       "build --target wasm32-wasip1`) to give it the calling crate's values",
                       display_name);
}

class WasmLibrary final : public Library {
public:
    WasmLibrary(Decls decls, std::string display_name, std::shared_ptr<const wasm::Module> module,
                wasm::SandboxLimits limits)
        : Library(std::move(decls), std::move(display_name)),
          host_(std::move(module), limits, this->decls().edition),
          lacks_cargo_environment_(!reads_environment() &&
                                   data_names_cargo_variable(host_.module())) {}

    tokens::TokenStream expand(const MacroDecl& macro, const tokens::TokenStream& input,
                               const tokens::TokenStream* attr_args) override {
        using Cause = ExpansionError::Cause;
        tokens::TokenStream no_args;
        if (macro.kind == MacroKind::Attribute && !attr_args) attr_args = &no_args;
        if (macro.kind != MacroKind::Attribute && attr_args)
            throw Error(fmt::format("{} macro `{}` takes no attribute arguments", name(macro.kind),
                                    macro.name));
        auto what = [&] {
            return fmt::format("{}: {} macro `{}`", display_name(), name(macro.kind), macro.name);
        };
        // A wasm32-wasip1 macro may have said why on stderr before failing.
        auto stderr_note = [&] {
            std::string_view text = host_.guest_stderr();
            if (text.ends_with('\n')) text.remove_suffix(1);
            return text.empty() ? std::string() : fmt::format("\nthe macro's stderr:\n{}", text);
        };
        try {
            tokens::TokenStream output = host_.expand(macro.export_name, input, attr_args);
            if (lacks_cargo_environment_) explain_missing_cargo_variables(output);
            return output;
        } catch (const abi::GuestPanic& e) {
            std::string advice =
                lacks_cargo_environment_
                    ? fmt::format("\nif it failed for want of Cargo's variables: {}",
                                  cargo_environment_advice(display_name()))
                    : std::string();
            throw ExpansionError(Cause::Panic, fmt::format("{} panicked: {}{}{}", what(), e.what(),
                                                           advice, stderr_note()));
        } catch (const abi::AbiError& e) {
            throw ExpansionError(Cause::Abi, fmt::format("{} broke the watt-0.5 ABI: {}{}", what(),
                                                         e.what(), stderr_note()));
        } catch (const wasm::Trap& e) {
            std::string message = fmt::format("{} trapped: {}", what(), e.what());
            size_t hint_at = message.size();
            throw ExpansionError(message + stderr_note(), e.kind(),
                                 limit_hit(e.kind(), host_.limits()), hint_at);
        }
    }

    abi::Host& host() { return host_; }

    bool reads_environment() const override {
        const std::vector<wasm::Import>& imports = host_.module().imports;
        return std::any_of(imports.begin(), imports.end(), wasi::is_wasi_import);
    }

private:
    void apply_environment(const std::vector<std::string>& environment) override {
        host_.set_environment(environment);
    }

    /// A compile_error! of the macro's that names one of Cargo's variables
    /// (clap's "`CARGO_PKG_VERSION` environment variable is not set") gets a
    /// second error beside it, at the same place, saying why and how to
    /// rebuild the macro.
    void explain_missing_cargo_variables(tokens::TokenStream& output) const {
        const tokens::Tree* named = nullptr;
        bool compile_error = false;
        for (const tokens::Tree& tree : output.nodes()) {
            if (tree.kind == tokens::TreeKind::Ident && tree.text() == "compile_error")
                compile_error = true;
            if (!named && tree.kind == tokens::TreeKind::Literal &&
                names_cargo_variable(tree.text()))
                named = &tree;
        }
        if (!compile_error || !named) return;
        tokens::Span span = named->span;
        std::string literal = fmt::format("\"{}\"", cargo_environment_advice(display_name()));
        output.push_ident("compile_error", span);
        output.push_punct('!', tokens::Spacing::Alone, span);
        output.open_group(tokens::Delimiter::Brace, span);
        output.push_literal(tokens::LitKind::Str, output.keep(std::move(literal)), span);
        output.close_group(span);
    }

    abi::Host host_;
    bool lacks_cargo_environment_;
};

} // namespace

std::vector<std::string> cargo_package_environment() {
    // Cargo's documented variables for the crate being compiled, sorted.
    static constexpr const char* kNames[] = {
        "CARGO_CRATE_NAME",        "CARGO_PKG_AUTHORS",       "CARGO_PKG_DESCRIPTION",
        "CARGO_PKG_HOMEPAGE",      "CARGO_PKG_LICENSE",       "CARGO_PKG_LICENSE_FILE",
        "CARGO_PKG_NAME",          "CARGO_PKG_README",        "CARGO_PKG_REPOSITORY",
        "CARGO_PKG_RUST_VERSION",  "CARGO_PKG_VERSION",       "CARGO_PKG_VERSION_MAJOR",
        "CARGO_PKG_VERSION_MINOR", "CARGO_PKG_VERSION_PATCH", "CARGO_PKG_VERSION_PRE"};
    std::vector<std::string> out;
    for (const char* name : kNames)
        if (const char* value = std::getenv(name)) out.push_back(std::string(name) + "=" + value);
    return out;
}

std::string ExpansionError::with_hint(std::string_view hint) const {
    std::string message = what();
    if (limit_) message.insert(std::min(hint_at_, message.size()), hint);
    return message;
}

std::unique_ptr<Library> Library::load(std::span<const uint8_t> wasm, std::string display_name,
                                       wasm::SandboxLimits limits) {
    return load(wasm::load_module(wasm), std::move(display_name), limits);
}

std::unique_ptr<Library> Library::load(std::shared_ptr<const wasm::Module> module,
                                       std::string display_name, wasm::SandboxLimits limits) {
    abi::check_imports(*module);
    std::optional<Decls> decls;
    try {
        decls = read_decls(*module);
        if (decls) check_exports(*module, *decls);
    } catch (const DeclsError& e) {
        throw DeclsError(fmt::format("{}: {}", display_name, e.what()));
    }
    if (!decls)
        throw DeclsError(fmt::format("{}: the module has no {} section saying which macros it "
                                     "exports; add one with `wasmacro annotate`",
                                     display_name, kDeclsSection));
    return std::make_unique<WasmLibrary>(std::move(*decls), std::move(display_name),
                                         std::move(module), limits);
}

std::unique_ptr<Library> Library::load(std::shared_ptr<const wasm::Module> module, Decls decls,
                                       std::string display_name, wasm::SandboxLimits limits) {
    abi::check_imports(*module);
    try {
        check_names(decls);
        check_exports(*module, decls);
    } catch (const DeclsError& e) {
        throw DeclsError(fmt::format("{}: {}", display_name, e.what()));
    }
    return std::make_unique<WasmLibrary>(std::move(decls), std::move(display_name),
                                         std::move(module), limits);
}

Library& Registry::add(std::string crate_name, std::unique_ptr<Library> library) {
    if (find_crate(crate_name))
        throw Error(fmt::format("a macro crate named `{}` is already registered", crate_name));
    libraries_.emplace_back(std::move(crate_name), std::move(library));
    return *libraries_.back().second;
}

Library* Registry::find_crate(std::string_view crate_name) const {
    for (const auto& [name, library] : libraries_)
        if (name == crate_name) return library.get();
    return nullptr;
}

Registry::Found Registry::find(MacroKind kind, std::string_view name) const {
    for (const auto& entry : libraries_)
        for (const MacroDecl& m : entry.second->decls().macros)
            if (m.kind == kind && m.name == name) return {entry.second.get(), &m};
    return {};
}

bool Registry::is_derive_helper(std::string_view attribute) const {
    for (const auto& entry : libraries_)
        for (const MacroDecl& m : entry.second->decls().macros)
            for (const std::string& h : m.helpers)
                if (h == attribute) return true;
    return false;
}

} // namespace wasmacro::macros
