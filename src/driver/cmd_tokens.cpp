// `wasmacro tokens FILE.rs`: the token trees of a Rust file, as the token layer
// hands them to macros.
#include "driver/commands.hpp"

#include "tokens/dump.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <ostream>

namespace wasmacro::driver {
namespace {

using namespace wasmacro::tokens;

nlohmann::json span_json(const Span& s) {
    if (s.is_host()) return {{"host", s.host_handle()}};
    return {{"line", s.line},       {"col", s.col}, {"end_line", s.end_line},
            {"end_col", s.end_col}, {"lo", s.lo},   {"hi", s.hi}};
}

nlohmann::json trees_json(const TokenStream& s, std::size_t begin, std::size_t end) {
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = begin; i < end; i = s.next_sibling(i)) {
        const Tree& t = s[i];
        nlohmann::json j = {{"kind", kind_name(t.kind)}};
        switch (t.kind) {
        case TreeKind::Group:
            j["delimiter"] = t.delimiter == Delimiter::None ? "None" : open_char(t.delimiter);
            j["children"] = trees_json(s, i + 1, t.end);
            break;
        case TreeKind::Ident:
            j["text"] = std::string(t.text());
            j["raw"] = t.raw;
            break;
        case TreeKind::Punct:
            j["text"] = std::string(t.text());
            j["spacing"] = t.spacing == Spacing::Joint ? "Joint" : "Alone";
            break;
        case TreeKind::Literal:
            j["text"] = std::string(t.text());
            j["lit"] = lit_kind_name(t.lit);
            break;
        }
        if (t.from_doc) j["doc"] = true;
        j["span"] = span_json(t.span);
        out.push_back(std::move(j));
    }
    return out;
}

struct TokensOptions {
    std::string file;
    std::string edition = "2021";
    bool json = false;
    bool print = false;
    bool pretty = false;
};

void run_tokens(const TokensOptions& o, Context& ctx) {
    LexOptions lex;
    if (!parse_edition(o.edition, lex.edition))
        throw Error("unknown edition " + o.edition + " (2015, 2018, 2021 or 2024)");
    SourceFile file = SourceFile::load(o.file);
    LexResult r = tokenize(file, lex);
    if (!r.ok()) {
        for (const Diagnostic& d : r.errors) ctx.err << format_diagnostic(file.name, d) << "\n";
        ctx.exit_code = 1;
        return;
    }
    if (o.pretty)
        ctx.out << to_pretty_string(r.stream);
    else if (o.print)
        ctx.out << to_string(r.stream) << "\n";
    else if (o.json)
        ctx.out << trees_json(r.stream, 0, r.stream.size()).dump(1) << "\n";
    else
        ctx.out << dump_text(r.stream);
}

} // namespace

void add_tokens_command(CLI::App& app, Context& ctx) {
    auto opts = std::make_shared<TokensOptions>();
    CLI::App* cmd = app.add_subcommand(
        "tokens", "Dump the token trees of a Rust file (kind, text, spacing, line:col)");
    cmd->add_option("file", opts->file, "Rust source file")->required();
    cmd->add_option("--edition", opts->edition, "Rust edition: 2015, 2018, 2021 or 2024")
        ->capture_default_str();
    auto* json = cmd->add_flag("--json", opts->json, "Dump as JSON (nested trees)");
    auto* print = cmd->add_flag("--print", opts->print, "Print the trees as source text instead");
    auto* pretty =
        cmd->add_flag("--pretty", opts->pretty, "Print the trees as indented source text");
    json->excludes(print)->excludes(pretty);
    print->excludes(pretty);
    cmd->callback([opts, &ctx] { run_tokens(*opts, ctx); });
}

} // namespace wasmacro::driver
