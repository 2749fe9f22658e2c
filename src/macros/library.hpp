// Macro libraries: a wasm module with its `.rustc_proc_macro_decls` records,
// instantiated once and reused for every expansion (see DESIGN.md).
#pragma once

#include "common/error.hpp"
#include "tokens/lexer.hpp"
#include "tokens/token.hpp"
#include "wasm/engine.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wasmacro::macros {

enum class MacroKind : uint8_t { Derive, Attribute, Bang };
std::string_view name(MacroKind kind); ///< "derive", "attr", "bang"

struct MacroDecl {
    MacroKind kind = MacroKind::Derive;
    std::string name;                 ///< the derived trait, or the macro's name
    std::string export_name;          ///< the wasm export that implements it
    std::vector<std::string> helpers; ///< a derive's helper attributes
};

/// The records of a decls section.
struct Decls {
    std::vector<MacroDecl> macros;
    tokens::Edition edition = tokens::Edition::E2021;

    const MacroDecl* find(std::string_view macro_name) const;
};

/// A missing, malformed or inconsistent decls section; names the line or export.
class DeclsError : public Error {
public:
    using Error::Error;
};

/// Parses the text of a decls section. Throws DeclsError naming the line.
Decls parse_decls(std::string_view text);
/// The section text for `decls`, one record a line.
std::string format_decls(const Decls& decls);

/// Macro and helper names may not start with this: the crates wasmacro
/// generates name their own items so.
inline constexpr std::string_view kReservedPrefix = "__wasmacro";

/// The custom section that holds the decls records.
inline constexpr std::string_view kDeclsSection = ".rustc_proc_macro_decls";

/// The module's decls, or nullopt if it has no decls section. Throws
/// DeclsError for a malformed record.
std::optional<Decls> read_decls(const wasm::Module& module);

/// Checks the names of `decls` as parse_decls checks those of a section
/// (identifiers, no keywords, no reserved prefix, no two alike). Throws
/// DeclsError naming the first that is wrong.
void check_names(const Decls& decls);

/// Checks that every record names an exported function with the entry point
/// signature of its kind. Throws DeclsError naming the first that does not.
void check_exports(const wasm::Module& module, const Decls& decls);

/// `wasm` with its decls section (if any) replaced by one holding `decls`,
/// appended at the end; every other byte is kept. Throws wasm::DecodeError if
/// the section structure of `wasm` is malformed.
std::vector<uint8_t> with_decls_section(std::span<const uint8_t> wasm, const Decls& decls);

/// A sandbox limit that stopped an expansion, as data: each front end words
/// its own advice (a command-line flag, an environment variable).
struct LimitHit {
    enum class Kind : uint8_t { Fuel, MemoryPages, CallDepth };
    Kind kind = Kind::Fuel;
    uint64_t value = 0; ///< the limit in force
};

/// One expansion failed. The message names the macro and says what happened:
/// the macro's panic message, the trap (with the limit, where one was hit),
/// or the ABI rule the macro broke.
class ExpansionError : public Error {
public:
    enum class Cause : uint8_t { Panic, Trap, Abi };
    ExpansionError(Cause cause, const std::string& message) : Error(message), cause_(cause) {}
    /// A trap; `limit` if it was a sandbox limit's. `hint_at` is where in
    /// `message` advice on the limit belongs (before the macro's stderr).
    ExpansionError(const std::string& message, wasm::TrapKind trap, std::optional<LimitHit> limit,
                   size_t hint_at)
        : Error(message), cause_(Cause::Trap), trap_(trap), limit_(limit), hint_at_(hint_at) {}
    Cause cause() const { return cause_; }
    std::optional<wasm::TrapKind> trap() const { return trap_; }
    std::optional<LimitHit> limit() const { return limit_; }
    size_t hint_at() const { return hint_at_; }
    /// Whether the same call under the same limits fails so on any machine:
    /// false where the thread's own stack ran out, which the expansion cache
    /// must not record.
    bool replayable() const { return trap_ != wasm::TrapKind::MachineStackExhausted; }
    /// The message with `hint` (e.g. "; raise the limit with --fuel") where
    /// it belongs.
    std::string with_hint(std::string_view hint) const;

private:
    Cause cause_;
    std::optional<wasm::TrapKind> trap_;
    std::optional<LimitHit> limit_;
    size_t hint_at_ = 0;
};

/// A loaded macro module. Not thread-safe: one expansion at a time.
class Library {
public:
    /// Decodes, validates and instantiates `wasm`, and reads its decls.
    /// Throws wasm::DecodeError / ValidationError / LinkError (an import that
    /// is not one of watt-0.5's, named), or DeclsError (no section: suggests
    /// `wasmacro annotate`; a malformed record; an export the module lacks).
    static std::unique_ptr<Library> load(std::span<const uint8_t> wasm, std::string display_name,
                                         wasm::SandboxLimits limits = {});
    /// The same for a module already decoded.
    static std::unique_ptr<Library> load(std::shared_ptr<const wasm::Module> module,
                                         std::string display_name, wasm::SandboxLimits limits = {});
    /// Loads `module` with `decls` given, whatever its section says (e.g. a
    /// module built for plain watt, which has none). They are checked as a
    /// section's would be (check_names, check_exports).
    static std::unique_ptr<Library> load(std::shared_ptr<const wasm::Module> module, Decls decls,
                                         std::string display_name, wasm::SandboxLimits limits = {});
    virtual ~Library() = default;

    const Decls& decls() const { return decls_; }
    const std::string& display_name() const { return display_name_; }

    /// The environment a macro built for wasm32-wasip1 sees through WASI
    /// ("NAME=value" entries; none until set), for the expansions from now
    /// on. A module without WASI imports cannot read one and keeps none.
    void set_environment(std::vector<std::string> environment) {
        if (!reads_environment()) environment.clear();
        environment_ = std::move(environment);
        apply_environment(environment_);
    }
    /// What the macros see: their expansions are functions of it as well as
    /// of their input.
    const std::vector<std::string>& environment() const { return environment_; }
    /// Whether the module imports WASI, through which it may read it.
    virtual bool reads_environment() const = 0;

    /// Runs one expansion: `input` is the item (derive, attribute) or the
    /// macro's input (bang); `attr_args` the attribute's arguments. Spans of
    /// the input (host handles or source locations) come back on the output
    /// tokens the macro kept; new tokens get the call site. Throws
    /// ExpansionError; the library stays usable for the next expansion.
    virtual tokens::TokenStream expand(const MacroDecl& macro, const tokens::TokenStream& input,
                                       const tokens::TokenStream* attr_args = nullptr) = 0;

protected:
    Library(Decls decls, std::string display_name)
        : decls_(std::move(decls)), display_name_(std::move(display_name)) {}

private:
    virtual void apply_environment(const std::vector<std::string>& environment) = 0;

    Decls decls_;
    std::string display_name_;
    std::vector<std::string> environment_;
};

/// Cargo's variables for the crate being compiled that macros read while
/// they expand (clap's `#[command(version, author, about)]` reads
/// CARGO_PKG_VERSION, CARGO_PKG_AUTHORS, CARGO_PKG_DESCRIPTION): those of
/// Cargo's documented CARGO_PKG_* and CARGO_CRATE_NAME that this process's
/// environment sets, as "NAME=value", sorted. Nothing else of the
/// environment reaches a macro.
std::vector<std::string> cargo_package_environment();

/// Loaded libraries by crate name, and macro lookup across them (what a
/// pre-expander resolves `#[derive(Name)]`, `#[name]` and `name!` against).
class Registry {
public:
    /// Adds `library` as crate `crate_name`. Throws Error if the name is taken.
    Library& add(std::string crate_name, std::unique_ptr<Library> library);
    Library* find_crate(std::string_view crate_name) const;

    struct Found {
        Library* library = nullptr;
        const MacroDecl* macro = nullptr;
    };
    /// The first library, in the order added, that declares a macro of `kind`
    /// named `name`; {} if none does.
    Found find(MacroKind kind, std::string_view name) const;
    /// Whether some derive macro declares `attribute` as a helper attribute.
    bool is_derive_helper(std::string_view attribute) const;

    size_t size() const { return libraries_.size(); }

private:
    std::vector<std::pair<std::string, std::unique_ptr<Library>>> libraries_;
};

} // namespace wasmacro::macros
