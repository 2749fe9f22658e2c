// `wasmacro annotate IN.wasm -o OUT.wasm --derive Trait=export[:helper,...]
// --attr name=export --bang name=export`: gives a module built for plain watt
// the decls section that says which macros it exports. Every other byte of
// the module is kept.
#include "driver/commands.hpp"

#include "macros/library.hpp"
#include "wasm/engine.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>

namespace wasmacro::driver {
namespace {

struct AnnotateOptions {
    std::string input;
    std::string output;
    std::vector<std::string> derives, attrs, bangs;
    std::string edition = "2021";
};

macros::MacroDecl parse_spec(macros::MacroKind kind, const std::string& spec) {
    std::string_view option = kind == macros::MacroKind::Derive      ? "--derive"
                              : kind == macros::MacroKind::Attribute ? "--attr"
                                                                     : "--bang";
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw Error(fmt::format("{} {}: expected {}", option, spec,
                                kind == macros::MacroKind::Derive
                                    ? "Trait=export or Trait=export:helper,..."
                                    : "name=export"));
    macros::MacroDecl m;
    m.kind = kind;
    m.name = spec.substr(0, eq);
    std::string rest = spec.substr(eq + 1);
    if (kind == macros::MacroKind::Derive) {
        size_t colon = rest.find(':');
        if (colon != std::string::npos) {
            std::string_view helpers = std::string_view(rest).substr(colon + 1);
            while (true) {
                size_t comma = helpers.find(',');
                m.helpers.emplace_back(helpers.substr(0, comma));
                if (comma == std::string_view::npos) break;
                helpers.remove_prefix(comma + 1);
            }
            rest.resize(colon);
        }
    }
    m.export_name = rest;
    return m;
}

void run_annotate(const AnnotateOptions& o, Context& ctx) {
    macros::Decls decls;
    if (!tokens::parse_edition(o.edition, decls.edition))
        throw Error("unknown edition " + o.edition + " (2015, 2018, 2021 or 2024)");
    for (const std::string& s : o.derives)
        decls.macros.push_back(parse_spec(macros::MacroKind::Derive, s));
    for (const std::string& s : o.attrs)
        decls.macros.push_back(parse_spec(macros::MacroKind::Attribute, s));
    for (const std::string& s : o.bangs)
        decls.macros.push_back(parse_spec(macros::MacroKind::Bang, s));
    if (decls.macros.empty()) throw Error("nothing to declare: give --derive, --attr or --bang");
    // The section's own reader checks the names, so what is written reads back.
    std::string text = macros::format_decls(decls);
    macros::parse_decls(text);

    std::vector<uint8_t> bytes = read_file_bytes(o.input);
    std::shared_ptr<const wasm::Module> module;
    try {
        module = wasm::load_module(bytes);
        macros::check_exports(*module, decls);
    } catch (const Error& e) {
        throw Error(fmt::format("{}: {}", o.input, e.what()));
    }

    std::vector<uint8_t> annotated = macros::with_decls_section(bytes, decls);
    // Reload what will be written: the module must still decode and validate,
    // and its decls must read back as given.
    std::shared_ptr<const wasm::Module> again = wasm::load_module(annotated);
    std::optional<macros::Decls> back = macros::read_decls(*again);
    if (!back || macros::format_decls(*back) != text)
        throw Error("the annotated module does not read back as written");

    std::ofstream out(o.output, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(annotated.data()),
              static_cast<std::streamsize>(annotated.size()));
    out.close();
    if (!out) throw Error("cannot write " + o.output);
    ctx.out << fmt::format("{}: {} macro{} declared\n", o.output, decls.macros.size(),
                           decls.macros.size() == 1 ? "" : "s");
}

} // namespace

void add_annotate_command(CLI::App& app, Context& ctx) {
    auto opts = std::make_shared<AnnotateOptions>();
    CLI::App* cmd = app.add_subcommand(
        "annotate", "Add or replace the decls section (which macros a module exports) of a "
                    "module built for plain watt");
    cmd->add_option("IN", opts->input, "The .wasm module")->required();
    cmd->add_option("-o,--output", opts->output, "Where to write the annotated module")->required();
    // One value per occurrence, so that `--derive A=a IN.wasm` leaves IN alone.
    cmd->add_option("--derive", opts->derives, "A derive macro: Trait=export[:helper,...]")
        ->allow_extra_args(false);
    cmd->add_option("--attr", opts->attrs, "An attribute macro: name=export")
        ->allow_extra_args(false);
    cmd->add_option("--bang", opts->bangs, "A function-like macro: name=export")
        ->allow_extra_args(false);
    cmd->add_option("--edition", opts->edition, "The macro crate's Rust edition")
        ->capture_default_str();
    cmd->callback([opts, &ctx] { run_annotate(*opts, ctx); });
}

} // namespace wasmacro::driver
