// The source rewrites `wasmacro build` makes, all through the token layer so
// that they touch only the tokens they mean to: the entry-point attributes of
// a proc-macro crate's root, syn's "no proc_macro on wasm32" cfg, and the
// check for compiler APIs a wasm macro cannot have.
#pragma once

#include "common/error.hpp"
#include "macros/library.hpp"
#include "tokens/tokenize.hpp"

#include <optional>
#include <string>
#include <vector>

namespace wasmacro::build {

/// What cannot be built, or the build that failed; names the crate, file and
/// line, or the command whose output says why.
class BuildError : public Error {
public:
    using Error::Error;
};

/// A crate root with its entry points made into wasm exports.
struct RewrittenRoot {
    std::string text;
    /// In source order, as the decls records are written; not those that a
    /// root `macro_rules!` writes, which only the built module names.
    std::vector<macros::MacroDecl> entry_points;
};

/// Rewrites `root` (a proc-macro crate's lib.rs, lexed as `edition`): each
/// `#[proc_macro_derive(Name, attributes(...))]`, `#[proc_macro_attribute]`
/// and `#[proc_macro]` is blanked (its newlines kept, so every other token
/// keeps its line and column), and after its function's body comes the
/// registration of the export (with the function's `#[cfg]`s), through the
/// proc_macro facade; the edition record ends the file. An entry point in an
/// arm of a root `macro_rules!` is rewritten so in the arm, with its
/// metavariables (the function's name is then the export's). Every other byte is
/// unchanged. Throws BuildError (naming the file and line) for an entry-point
/// attribute that cannot be rewritten, or a root without entry points.
RewrittenRoot rewrite_entry_points(const tokens::SourceFile& root, tokens::Edition edition);

/// syn 1.x turns off its `proc_macro` API (`syn::parse`, `parse_macro_input!`)
/// on wasm32-unknown-unknown, where the compiler's crate does nothing. The
/// build crate gives it the facade instead, so the cfg
/// `all(target_arch = "wasm32", any(target_os = "unknown", ...))` is made
/// never true by renaming its `"wasm32"`. Returns the new text, or nullopt if
/// the file has no such cfg.
std::optional<std::string> enable_proc_macro_on_wasm(const tokens::SourceFile& file);

/// Whether a library's root declares `extern crate proc_macro` for wasm32
/// too (not behind a `target_arch = "wasm32"` cfg): such a crate (e.g.
/// proc-macro-error) gets the facade as its `proc_macro` in the build crate,
/// or its types would be the compiler's crate's.
bool declares_proc_macro(const tokens::SourceFile& lib_root);

/// Where `file` first reads the process environment at run time
/// (`env::var`, `var_os`, `vars`, `vars_os`), as `display_name:line:column:
/// `env::var``; nullopt if it does not. (`env!` reads it when the macro is
/// compiled, and is not one.)
std::optional<std::string> find_environment_read(const tokens::SourceFile& file,
                                                 tokens::Edition edition,
                                                 const std::string& display_name);
/// Whether `file` has a string literal naming one of Cargo's variables for
/// the crate being compiled (`"CARGO_PKG_..."`, `"CARGO_CRATE_NAME"`).
bool names_cargo_package_variable(const tokens::SourceFile& file, tokens::Edition edition);

/// Throws BuildError at the first use in `file` of compiler API that a wasm
/// macro cannot have (`proc_macro::Diagnostic`, `SourceFile`, `tracked_env`,
/// `tracked_path`, `Span::source_file`, ...), naming the API and
/// `display_name:line:column`.
void check_wasm_api(const tokens::SourceFile& file, tokens::Edition edition,
                    const std::string& display_name);

/// `Name` as the snake_case part of an export name (`ValueEnum` -> `value_enum`).
std::string snake_case(std::string_view name);

} // namespace wasmacro::build
