// `wasmacro call FILE.wasm NAME [--args TOKENS] < INPUT`: expands one macro of
// a module on the tokens read from stdin and prints the result, laid out for
// reading. The macro's failure (panic, trap, ABI violation) is the error, and
// so is a compile_error! in its output (exit status 1).
#include "driver/commands.hpp"

#include "expand/syntax.hpp"
#include "macros/library.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>
#include <sstream>

namespace wasmacro::driver {
namespace {

struct CallOptions {
    std::string file;
    std::string macro;
    std::optional<std::string> args;
    wasm::SandboxLimits limits;
    bool no_cache = false;
};

/// Lexes `text` as the macro's edition sees it; prints the diagnostics and
/// returns nullopt if it does not lex.
std::optional<tokens::TokenStream> lex(const std::string& name, std::string text,
                                       tokens::Edition edition, Context& ctx) {
    tokens::SourceFile file = tokens::SourceFile::from_bytes(name, std::move(text));
    tokens::LexOptions options;
    options.edition = edition;
    options.skip_shebang = false;
    tokens::LexResult r = tokens::tokenize(file, options);
    if (!r.ok()) {
        for (const tokens::Diagnostic& d : r.errors)
            ctx.err << "error: " << tokens::format_diagnostic(file.name, d) << "\n";
        return std::nullopt;
    }
    return std::move(r.stream);
}

void run_call(const CallOptions& o, Context& ctx) {
    std::unique_ptr<macros::Library> lib =
        load_library(o.file, o.limits, open_expansion_cache(o.no_cache, ctx.err));

    const macros::MacroDecl* macro = lib->decls().find(o.macro);
    if (!macro) {
        std::vector<std::string> names;
        for (const macros::MacroDecl& m : lib->decls().macros)
            names.push_back(fmt::format("{} ({})", m.name, macros::name(m.kind)));
        throw Error(fmt::format("{} has no macro `{}`; it has: {}", o.file, o.macro,
                                fmt::join(names, ", ")));
    }
    if (o.args && macro->kind != macros::MacroKind::Attribute)
        throw Error(fmt::format("--args is for attribute macros, and `{}` is a {} macro",
                                macro->name, macros::name(macro->kind)));

    std::ostringstream input;
    input << ctx.in.rdbuf();
    auto item = lex("<stdin>", input.str(), lib->decls().edition, ctx);
    if (!item) {
        ctx.exit_code = 1;
        return;
    }
    std::optional<tokens::TokenStream> args;
    if (o.args) {
        args = lex("<args>", *o.args, lib->decls().edition, ctx);
        if (!args) {
            ctx.exit_code = 1;
            return;
        }
    }
    tokens::TokenStream out = lib->expand(*macro, *item, args ? &*args : nullptr);
    // A macro reports the user's mistakes as compile_error!: to rustc an
    // error, so to this command too.
    std::vector<std::pair<std::string, tokens::Span>> errors;
    expand::find_compile_errors(out, errors);
    if (!errors.empty()) {
        for (auto& [message, span] : errors) {
            while (message.ends_with('\n')) message.pop_back();
            ctx.err << fmt::format("error: {}\n  = note: a compile_error! of {} macro `{}` ({})\n",
                                   message, macros::name(macro->kind), macro->name,
                                   lib->display_name());
        }
        ctx.exit_code = 1;
        return;
    }
    std::string text = tokens::to_pretty_string(out);
    ctx.out << text;
    if (!text.empty() && text.back() != '\n') ctx.out << "\n";
}

} // namespace

void add_call_command(CLI::App& app, Context& ctx) {
    auto opts = std::make_shared<CallOptions>();
    CLI::App* cmd = app.add_subcommand(
        "call", "Expand one macro of a module on the tokens read from stdin and print the result");
    cmd->add_option("FILE", opts->file, "The .wasm macro module")->required();
    cmd->add_option("NAME", opts->macro, "The macro's name, e.g. Serialize")->required();
    cmd->add_option("--args", opts->args, "An attribute macro's arguments, as Rust tokens");
    add_sandbox_options(*cmd, opts->limits);
    cmd->add_flag("--no-cache", opts->no_cache, "Run the macro even if its expansion is cached");
    cmd->callback([opts, &ctx] { run_call(*opts, ctx); });
}

} // namespace wasmacro::driver
