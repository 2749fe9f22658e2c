// `wasmacro tokens FILE.rs`: the token trees of a Rust file, as the token layer
// hands them to macros.
#include "driver/commands.hpp"

#include "tokens/dump.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace wasmacro::driver {
namespace {

using namespace wasmacro::tokens;

nlohmann::json span_json(const Span& s) {
    if (s.is_host()) return {{"host", s.host_handle()}};
    return {{"line", s.line},       {"col", s.col}, {"end_line", s.end_line},
            {"end_col", s.end_col}, {"lo", s.lo},   {"hi", s.hi}};
}

nlohmann::json tree_json(const Tree& t) {
    nlohmann::json j = {{"kind", kind_name(t.kind)}};
    switch (t.kind) {
    case TreeKind::Group:
        j["delimiter"] = t.delimiter == Delimiter::None ? "None" : open_char(t.delimiter);
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
    return j;
}

/// The trees as a JSON array, one tree a line, a group's trees in its
/// "children". Written as it goes, without recursion and without indenting
/// by depth, so that a file of any nesting gives output of linear size.
void write_trees_json(const TokenStream& s, std::ostream& out) {
    std::vector<std::size_t> ends; // of the groups being written
    bool first = true;
    out << "[";
    for (std::size_t i = 0; i < s.size(); ++i) {
        for (; !ends.empty() && ends.back() == i; ends.pop_back()) {
            out << "\n]}";
            first = false;
        }
        const Tree& t = s[i];
        std::string text = tree_json(t).dump();
        out << (first ? "\n" : ",\n");
        if (t.is_group()) {
            text.pop_back(); // the closing brace: its children come first
            out << text << ",\"children\":[";
            ends.push_back(t.end);
            first = true;
        } else {
            out << text;
            first = false;
        }
    }
    for (; !ends.empty(); ends.pop_back()) out << "\n]}";
    out << "\n]\n";
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
    if (o.pretty) {
        write_pretty(r.stream, ctx.out);
    } else if (o.print) {
        write_text(r.stream, ctx.out);
        ctx.out << "\n";
    } else if (o.json) {
        write_trees_json(r.stream, ctx.out);
    } else {
        dump_text(r.stream, ctx.out);
    }
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
