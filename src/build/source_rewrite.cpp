#include "build/source_rewrite.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>
#include <string_view>
#include <utility>

namespace wasmacro::build {
namespace {

using tokens::Delimiter;
using tokens::TokenStream;
using tokens::Tree;
using tokens::TreeKind;

/// The direct children of the group at `group`.
std::vector<size_t> children(const TokenStream& ts, size_t group) {
    std::vector<size_t> out;
    for (size_t i = group + 1; i < ts[group].end; i = ts.next_sibling(i)) out.push_back(i);
    return out;
}

bool is_ident(const Tree& t, std::string_view name) {
    return t.kind == TreeKind::Ident && !t.raw && t.text() == name;
}
bool is_punct(const Tree& t, char ch) {
    return t.kind == TreeKind::Punct && t.punct_char() == ch;
}
bool is_group(const Tree& t, Delimiter d) {
    return t.is_group() && t.delimiter == d;
}

std::string location(const std::string& file, const Tree& t) {
    return fmt::format("{}:{}:{}", file, t.span.line, t.span.col);
}

TokenStream lex(const tokens::SourceFile& file, tokens::Edition edition) {
    tokens::LexOptions options;
    options.edition = edition;
    tokens::LexResult lexed = tokens::tokenize(file, options);
    if (!lexed.ok())
        throw BuildError(tokens::format_diagnostic(file.name, lexed.errors.front()) +
                         " (rustc would not compile this file either)");
    return std::move(lexed.stream);
}

std::string_view text_of(const tokens::SourceFile& file, const Tree& t) {
    return std::string_view(*file.text).substr(t.span.lo, t.span.hi - t.span.lo);
}

/// One `#[...]` before an item: the indices of `#` and of its bracket group.
struct Attribute {
    size_t hash;
    size_t body;
};

/// The entry-point attribute kinds, by the attribute's name.
std::optional<macros::MacroKind> entry_kind(std::string_view name) {
    if (name == "proc_macro_derive") return macros::MacroKind::Derive;
    if (name == "proc_macro_attribute") return macros::MacroKind::Attribute;
    if (name == "proc_macro") return macros::MacroKind::Bang;
    return std::nullopt;
}

/// `Name` or `Name, attributes(a, b)` of a `#[proc_macro_derive(...)]`.
void parse_derive_args(const TokenStream& ts, size_t args, const std::string& where,
                       macros::MacroDecl& decl) {
    std::vector<size_t> parts = children(ts, args);
    auto malformed = [&]() {
        return BuildError(where + ": expected `#[proc_macro_derive(Name)]` or "
                                  "`#[proc_macro_derive(Name, attributes(helper, ...))]`");
    };
    if (parts.empty() || ts[parts[0]].kind != TreeKind::Ident) throw malformed();
    decl.name = std::string(ts[parts[0]].text());
    if (parts.size() == 1 || (parts.size() == 2 && is_punct(ts[parts[1]], ','))) return;
    if (parts.size() < 4 || !is_punct(ts[parts[1]], ',') || !is_ident(ts[parts[2]], "attributes") ||
        !is_group(ts[parts[3]], Delimiter::Parenthesis) ||
        (parts.size() > 4 && !(parts.size() == 5 && is_punct(ts[parts[4]], ','))))
        throw malformed();
    for (size_t helper : children(ts, parts[3])) {
        if (ts[helper].kind == TreeKind::Ident)
            decl.helpers.emplace_back(ts[helper].text());
        else if (!is_punct(ts[helper], ','))
            throw malformed();
    }
}

std::string export_prefix(macros::MacroKind kind) {
    switch (kind) {
    case macros::MacroKind::Derive: return "derive_";
    case macros::MacroKind::Attribute: return "attr_";
    case macros::MacroKind::Bang: return "bang_";
    }
    return {};
}

/// The registration that takes an entry-point attribute's place: the guest's
/// export macro, reached through the facade under a name of its own (the
/// crate's `proc_macro` may be renamed, or be a 2015 crate-relative path). A
/// function under `#[proc_macro_error]` runs inside proc-macro-error's entry
/// point, as the attribute would run it natively.
std::string registration(const macros::MacroDecl& decl, std::string_view function, bool error_entry,
                         bool error_entry_hack) {
    std::string callee(function);
    if (error_entry) {
        std::string_view inputs =
            decl.kind == macros::MacroKind::Attribute ? "args, item" : "input";
        // By the attribute's own name, which the crate has in scope (for
        // the attribute), so that its import is used on wasm too.
        callee = fmt::format("proc_macro_error!(entry {}, ({}), {})", function, inputs,
                             error_entry_hack);
    }
    std::string call;
    switch (decl.kind) {
    case macros::MacroKind::Derive:
        call = "export_derive!(" + decl.name;
        if (!decl.helpers.empty()) {
            call += ", attributes(";
            for (size_t i = 0; i < decl.helpers.size(); ++i)
                call += (i ? ", " : "") + decl.helpers[i];
            call += ")";
        }
        break;
    case macros::MacroKind::Attribute: call = "export_attribute!(" + decl.name; break;
    case macros::MacroKind::Bang: call = "export_function!(" + decl.name; break;
    }
    call += fmt::format(" => {}, {});", decl.export_name, callee);
    return "const _: () = { extern crate proc_macro as __wasmacro_proc_macro; "
           "__wasmacro_proc_macro::__wasmacro::" +
           call + " };";
}

} // namespace

std::string snake_case(std::string_view name) {
    std::string out;
    for (size_t i = 0; i < name.size(); ++i) {
        auto c = static_cast<unsigned char>(name[i]);
        if (std::isupper(c)) {
            bool after_lower = i > 0 && (std::islower(static_cast<unsigned char>(name[i - 1])) ||
                                         std::isdigit(static_cast<unsigned char>(name[i - 1])));
            bool before_lower = i > 0 && i + 1 < name.size() &&
                                std::isupper(static_cast<unsigned char>(name[i - 1])) &&
                                std::islower(static_cast<unsigned char>(name[i + 1]));
            if (!out.empty() && out.back() != '_' && (after_lower || before_lower)) out += '_';
            out += static_cast<char>(std::tolower(c));
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

RewrittenRoot rewrite_entry_points(const tokens::SourceFile& root, tokens::Edition edition) {
    const TokenStream ts = lex(root, edition);
    const std::string& text = *root.text;
    struct Edit {
        size_t at;
        size_t length; // bytes replaced; 0 inserts
        std::string with;
    };
    std::vector<Edit> edits;
    RewrittenRoot out;

    // The items of the crate root, or (`in_macro`) the body of one arm of a
    // root `macro_rules!` whose expansion defines entry points (derive_more's
    // `create_derive!`): their names are then the macro's metavariables, and
    // the registration is written into the body with them.
    size_t entry_points_in_macros = 0;
    auto rewrite_items = [&](const std::vector<size_t>& top, bool in_macro) {
        std::vector<Attribute> attributes; // those of the item being read
        for (size_t k = 0; k < top.size(); ++k) {
            const Tree& t = ts[top[k]];
            if (is_punct(t, '#') && k + 1 < top.size() &&
                is_group(ts[top[k + 1]], Delimiter::Bracket)) {
                attributes.push_back({top[k], top[k + 1]});
                ++k;
                continue;
            }
            if (is_punct(t, '#') && k + 2 < top.size() && is_punct(ts[top[k + 1]], '!')) {
                k += 2; // an inner attribute of the crate
                continue;
            }
            // An item: its attributes are those read so far; it ends at its first
            // top-level brace group or `;`.
            size_t end = k;
            while (end < top.size() && !is_group(ts[top[end]], Delimiter::Brace) &&
                   !is_punct(ts[top[end]], ';'))
                ++end;
            std::vector<std::string> cfgs;
            std::vector<Edit> item_edits;  // made only if the item is an entry point
            bool error_entry = false;      // under `#[proc_macro_error]`
            bool error_entry_hack = false; // with its `proc_macro_hack` setting
            struct Entry {
                Attribute attribute;
                macros::MacroDecl decl;
                std::string condition; // `#[cfg(...)] ` from a cfg_attr, or empty
            };
            std::vector<Entry> entries;
            for (const Attribute& a : attributes) {
                std::vector<size_t> inner = children(ts, a.body);
                if (inner.empty() || ts[inner[0]].kind != TreeKind::Ident) continue;
                std::string_view name = ts[inner[0]].text();
                std::string where = location(root.name, ts[a.hash]);
                if (name == "cfg")
                    cfgs.emplace_back(text_of(root, ts[a.hash]).data(),
                                      ts[a.body].span.hi - ts[a.hash].span.lo);
                if (name == "proc_macro_error") {
                    // On wasm, proc-macro-error is wasmacro's replacement
                    // (rust/proc_macro_error), which has no attribute: the
                    // registration calls its entry point instead. Natively the
                    // attribute stays, with the settings the removed
                    // `#[proc_macro*]` implied (allow_not_macro only skips
                    // looking for it).
                    std::string settings;
                    if (inner.size() == 2 && is_group(ts[inner[1]], Delimiter::Parenthesis)) {
                        const Tree& group = ts[inner[1]];
                        settings =
                            text.substr(group.span.lo + 1, group.span.hi - group.span.lo - 2);
                        for (size_t c : children(ts, inner[1]))
                            error_entry_hack |= is_ident(ts[c], "proc_macro_hack");
                    } else if (inner.size() != 1) {
                        throw BuildError(where + ": `#[proc_macro_error]` takes its settings in "
                                                 "parentheses");
                    }
                    while (!settings.empty() &&
                           std::isspace(static_cast<unsigned char>(settings.back())))
                        settings.pop_back();
                    if (!settings.empty() && settings.back() != ',') settings += ",";
                    if (!settings.empty()) settings += " ";
                    size_t lo = ts[a.hash].span.lo, hi = ts[a.body].span.hi;
                    item_edits.push_back(
                        {lo, hi - lo,
                         "#[cfg_attr(not(target_arch = \"wasm32\"), proc_macro_error(" + settings +
                             "allow_not_macro, assert_unwind_safe))]"});
                    error_entry = true;
                    continue;
                }
                // `#[cfg_attr(PRED, proc_macro_derive(...))]`: the entry point
                // exists when PRED holds, so its registration is under `#[cfg(PRED)]`.
                std::vector<size_t> entry_attr = inner;
                std::string condition;
                if (name == "cfg_attr") {
                    if (inner.size() != 2 || !is_group(ts[inner[1]], Delimiter::Parenthesis))
                        continue;
                    std::vector<size_t> parts = children(ts, inner[1]);
                    size_t at = 0;
                    while (at < parts.size() && !(ts[parts[at]].kind == TreeKind::Ident &&
                                                  entry_kind(ts[parts[at]].text())))
                        ++at;
                    if (at == parts.size()) continue;
                    size_t after = at + 1;
                    if (after < parts.size() && is_group(ts[parts[after]], Delimiter::Parenthesis))
                        ++after;
                    if (after < parts.size() && is_punct(ts[parts[after]], ',')) ++after;
                    if (at < 2 || !is_punct(ts[parts[at - 1]], ',') || after != parts.size())
                        throw BuildError(
                            where + ": `#[cfg_attr(..., " + std::string(ts[parts[at]].text()) +
                            ")]` is supported only as the one attribute of its cfg_attr");
                    const Tree& first = ts[parts[0]];
                    condition =
                        "#[cfg(" +
                        text.substr(first.span.lo, ts[parts[at - 1]].span.lo - first.span.lo) +
                        ")] ";
                    entry_attr.assign(parts.begin() + static_cast<std::ptrdiff_t>(at),
                                      parts.begin() +
                                          static_cast<std::ptrdiff_t>(std::min(at + 2, after)));
                    if (entry_attr.size() == 2 &&
                        !is_group(ts[entry_attr[1]], Delimiter::Parenthesis))
                        entry_attr.pop_back();
                    name = ts[entry_attr[0]].text();
                }
                auto kind = entry_kind(name);
                if (!kind || entry_attr.size() > 2) continue;
                macros::MacroDecl decl;
                decl.kind = *kind;
                if (*kind == macros::MacroKind::Derive) {
                    if (entry_attr.size() != 2 ||
                        !is_group(ts[entry_attr[1]], Delimiter::Parenthesis))
                        throw BuildError(where +
                                         ": `#[proc_macro_derive]` needs the derive's name");
                    const Tree& args = ts[entry_attr[1]];
                    if (in_macro) // as written, metavariables and all
                        decl.name = text.substr(args.span.lo + 1, args.span.hi - args.span.lo - 2);
                    else
                        parse_derive_args(ts, entry_attr[1], where, decl);
                } else if (entry_attr.size() != 1) {
                    throw BuildError(where + ": `#[" + std::string(name) + "]` takes no arguments");
                }
                entries.push_back({a, std::move(decl), std::move(condition)});
            }
            attributes.clear();
            if (!entries.empty()) {
                std::string where = location(root.name, ts[entries.front().attribute.hash]);
                size_t fn = k;
                while (fn < end && !is_ident(ts[top[fn]], "fn")) ++fn;
                // A macro's `fn $name`.
                bool metavariable = in_macro && fn + 2 < end && is_punct(ts[top[fn + 1]], '$');
                if (metavariable) ++fn;
                if (fn + 1 >= end || ts[top[fn + 1]].kind != TreeKind::Ident || end == top.size() ||
                    !is_group(ts[top[end]], Delimiter::Brace))
                    throw BuildError(where + ": an entry-point attribute must be on a function");
                if (entries.size() > 1 &&
                    std::any_of(entries.begin(), entries.end(),
                                [](const Entry& e) { return e.condition.empty(); }))
                    throw BuildError(where + ": one function with two entry-point attributes");
                std::string function =
                    (metavariable ? "$" : "") + std::string(ts[top[fn + 1]].text());
                edits.insert(edits.end(), item_edits.begin(), item_edits.end());
                std::string export_text;
                for (Entry& e : entries) {
                    macros::MacroDecl& decl = e.decl;
                    if (decl.kind != macros::MacroKind::Derive) decl.name = function;
                    // In a macro the name is known only once it expands: the
                    // function's own is the export's.
                    decl.export_name =
                        in_macro ? function : export_prefix(decl.kind) + snake_case(decl.name);
                    for (const macros::MacroDecl& seen : out.entry_points)
                        if (seen.export_name == decl.export_name)
                            throw BuildError(where +
                                             ": two entry points would both be exported as `" +
                                             decl.export_name + "`");
                    size_t lo = ts[e.attribute.hash].span.lo, hi = ts[e.attribute.body].span.hi;
                    std::string blank = text.substr(lo, hi - lo);
                    for (char& c : blank)
                        if (c != '\n') c = ' ';
                    edits.push_back({lo, hi - lo, std::move(blank)});
                    export_text += " ";
                    for (const std::string& cfg : cfgs) export_text += cfg + " ";
                    export_text +=
                        e.condition + registration(decl, function, error_entry, error_entry_hack);
                    if (in_macro)
                        ++entry_points_in_macros;
                    else
                        out.entry_points.push_back(std::move(decl));
                }
                edits.push_back({ts[top[end]].span.hi, 0, std::move(export_text)});
            }
            k = end;
        }
    };
    std::vector<size_t> top = ts.top_level();
    rewrite_items(top, false);
    // `macro_rules! NAME { (PATTERN) => { BODY }; ... }` at the root.
    for (size_t k = 0; k + 3 < top.size(); ++k) {
        if (!is_ident(ts[top[k]], "macro_rules") || !is_punct(ts[top[k + 1]], '!') ||
            ts[top[k + 2]].kind != TreeKind::Ident || !ts[top[k + 3]].is_group())
            continue;
        std::vector<size_t> arm = children(ts, top[k + 3]);
        for (size_t a = 0; a + 2 < arm.size(); ++a)
            if (is_punct(ts[arm[a]], '=') && is_punct(ts[arm[a + 1]], '>') &&
                ts[arm[a + 2]].is_group())
                rewrite_items(children(ts, arm[a + 2]), true);
    }
    if (out.entry_points.empty() && entry_points_in_macros == 0)
        throw BuildError(root.name + ": no `#[proc_macro_derive]`, `#[proc_macro_attribute]` or "
                                     "`#[proc_macro]` function at the crate root");

    std::sort(edits.begin(), edits.end(), [](const Edit& x, const Edit& y) { return x.at < y.at; });
    out.text.reserve(text.size() + 256 * edits.size());
    size_t copied = 0;
    for (const Edit& e : edits) {
        out.text.append(text, copied, e.at - copied);
        out.text += e.with;
        copied = e.at + e.length;
    }
    out.text.append(text, copied);
    if (!out.text.empty() && out.text.back() != '\n') out.text += '\n';
    out.text += fmt::format("const _: () = {{ extern crate proc_macro as __wasmacro_proc_macro; "
                            "__wasmacro_proc_macro::__wasmacro::export_edition!({}); }};\n",
                            tokens::edition_name(edition));
    return out;
}

std::optional<std::string> enable_proc_macro_on_wasm(const tokens::SourceFile& file) {
    // Cheap test first: syn has a hundred files and few have the cfg.
    if (file.text->find("target_os = \"unknown\"") == std::string::npos) return std::nullopt;
    const TokenStream ts = lex(file, tokens::Edition::E2018);
    auto has_os_unknown = [&](size_t group, auto& self) -> bool {
        std::vector<size_t> c = children(ts, group);
        for (size_t i = 0; i < c.size(); ++i) {
            if (i + 2 < c.size() && is_ident(ts[c[i]], "target_os") &&
                is_punct(ts[c[i + 1]], '=') && ts[c[i + 2]].text() == "\"unknown\"")
                return true;
            if (i + 1 < c.size() && is_ident(ts[c[i]], "any") &&
                is_group(ts[c[i + 1]], Delimiter::Parenthesis) && self(c[i + 1], self))
                return true;
        }
        return false;
    };
    std::vector<size_t> renamed; // the `"wasm32"` literals
    for (size_t g = 1; g < ts.size(); ++g) {
        if (!is_group(ts[g], Delimiter::Parenthesis) || !is_ident(ts[g - 1], "all")) continue;
        std::vector<size_t> c = children(ts, g);
        for (size_t i = 0; i + 2 < c.size(); ++i)
            if (is_ident(ts[c[i]], "target_arch") && is_punct(ts[c[i + 1]], '=') &&
                ts[c[i + 2]].text() == "\"wasm32\"" && has_os_unknown(g, has_os_unknown))
                renamed.push_back(c[i + 2]);
    }
    if (renamed.empty()) return std::nullopt;
    std::string out;
    size_t copied = 0;
    for (size_t lit : renamed) {
        out.append(*file.text, copied, ts[lit].span.lo - copied);
        out += "\"wasm32-with-wasmacro-proc-macro\"";
        copied = ts[lit].span.hi;
    }
    out.append(*file.text, copied);
    return out;
}

bool declares_proc_macro(const tokens::SourceFile& lib_root) {
    if (lib_root.text->find("proc_macro") == std::string::npos) return false;
    const TokenStream ts = lex(lib_root, tokens::Edition::E2018);
    std::vector<size_t> top = ts.top_level();
    bool wasm_cfg = false; // the attributes read since the last item mention wasm32
    for (size_t k = 0; k < top.size(); ++k) {
        const Tree& t = ts[top[k]];
        if (is_punct(t, '#') && k + 1 < top.size() &&
            is_group(ts[top[k + 1]], Delimiter::Bracket)) {
            const Tree& body = ts[top[k + 1]];
            for (size_t i = top[k + 1] + 1; i < body.end; ++i)
                wasm_cfg |= ts[i].kind == TreeKind::Literal && ts[i].text() == "\"wasm32\"";
            ++k;
            continue;
        }
        if (k + 2 < top.size() && is_ident(t, "extern") && is_ident(ts[top[k + 1]], "crate") &&
            is_ident(ts[top[k + 2]], "proc_macro") && !wasm_cfg)
            return true;
        if (is_punct(t, ';') || t.is_group()) wasm_cfg = false;
    }
    return false;
}

std::optional<std::string> find_environment_read(const tokens::SourceFile& file,
                                                 tokens::Edition edition,
                                                 const std::string& display_name) {
    if (file.text->find("env") == std::string::npos) return std::nullopt;
    const TokenStream ts = lex(file, edition);
    for (size_t i = 0; i + 3 < ts.size(); ++i)
        if (is_ident(ts[i], "env") && is_punct(ts[i + 1], ':') && is_punct(ts[i + 2], ':'))
            for (std::string_view read : {"var", "var_os", "vars", "vars_os"})
                if (is_ident(ts[i + 3], read))
                    return fmt::format("{}: `env::{}`", location(display_name, ts[i]), read);
    return std::nullopt;
}

bool names_cargo_package_variable(const tokens::SourceFile& file, tokens::Edition edition) {
    if (file.text->find("\"CARGO_") == std::string::npos) return false;
    const TokenStream ts = lex(file, edition);
    for (const Tree& t : ts.nodes())
        if (t.kind == TreeKind::Literal &&
            (t.text().starts_with("\"CARGO_PKG_") || t.text() == "\"CARGO_CRATE_NAME\""))
            return true;
    return false;
}

void check_wasm_api(const tokens::SourceFile& file, tokens::Edition edition,
                    const std::string& display_name) {
    struct Missing {
        std::string_view name;
        std::string_view why;
    };
    static constexpr std::array<Missing, 6> kMissing{{
        {"Diagnostic", "the host takes only tokens back from a wasm macro; report errors with "
                       "`compile_error!` (syn::Error::to_compile_error)"},
        {"Level", "the host takes only tokens back from a wasm macro; report errors with "
                  "`compile_error!` (syn::Error::to_compile_error)"},
        {"MultiSpan", "the host takes only tokens back from a wasm macro"},
        {"SourceFile", "spans reach a wasm macro as opaque handles, with no file"},
        {"tracked_env", "a wasm macro has no environment"},
        {"tracked_path", "a wasm macro reads no files"},
    }};
    const TokenStream ts = lex(file, edition);
    auto fail = [&](const Tree& at, std::string_view api, std::string_view why) {
        throw BuildError(fmt::format("{}: `{}` has no equivalent for a macro compiled to "
                                     "WebAssembly: {}",
                                     location(display_name, at), api, why));
    };
    // Reported where the path starts, as rustc would report it.
    auto check_name = [&](const Tree& path, const Tree& t) {
        if (t.kind != TreeKind::Ident) return;
        for (const Missing& m : kMissing)
            if (t.text() == m.name) fail(path, "proc_macro::" + std::string(m.name), m.why);
    };
    for (size_t i = 0; i < ts.size(); ++i) {
        const Tree& t = ts[i];
        if (is_ident(t, "source_file") && i > 0 && i + 1 < ts.size() &&
            (is_punct(ts[i - 1], '.') || is_punct(ts[i - 1], ':')) &&
            is_group(ts[i + 1], Delimiter::Parenthesis))
            fail(t, "Span::source_file",
                 "spans reach a wasm macro as opaque handles, with no file");
        if (i + 3 >= ts.size() || !is_ident(t, "proc_macro") || !is_punct(ts[i + 1], ':') ||
            !is_punct(ts[i + 2], ':'))
            continue;
        const Tree& next = ts[i + 3];
        if (is_group(next, Delimiter::Brace)) {
            for (size_t j = i + 4; j < next.end; ++j) check_name(t, ts[j]);
        } else {
            check_name(t, next);
        }
    }
}

} // namespace wasmacro::build
