// The expansion loop: walks the module tree, finds invocations of registered
// macros in each file's token trees, runs them with rustc's order and cfg
// semantics, expands their output again, and turns what changed into text
// edits that keep every other line where it was.
#include "expand/expand.hpp"

#include "expand/syntax.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>

namespace wasmacro::expand {

namespace fs = std::filesystem;
using macros::MacroKind;
using tokens::Delimiter;
using tokens::Spacing;
using tokens::Span;
using tokens::TreeKind;

namespace {

/// Where a macro's output goes, which decides how it is scanned and printed.
enum class Context : uint8_t {
    Items, ///< a module, impl, trait or extern block
    Block, ///< statements of a function body or block
    Expr,  ///< an expression, pattern or type: the output is parenthesised
};

struct Binding {
    std::string crate;
    std::string name;
};

/// Names that `use` (or `#[macro_use]`) brought into one module or block.
struct Scope {
    const Scope* parent = nullptr;
    std::map<std::string, Binding, std::less<>> names;
    std::vector<std::string> globs;
};

struct Edit {
    std::size_t first = 0, end = 0; ///< sibling nodes replaced
    /// Printed one after the other: an item and its derives' outputs stay
    /// separate streams, since serde's are large and would only be copied.
    std::vector<TokenStream> parts;
    std::string text; ///< a source file's edit: its parts printed (add_edit)
    bool wrap = false;
    bool invocation = false; ///< false for a removed `use` or `extern crate`
    std::string macro, kind;
    Span at;
};

struct FileState {
    uint32_t id = 0;
    fs::path path;
    std::string rel;     ///< relative to the root's directory: the name in OUT_DIR
    std::string display; ///< as rustc would name it: joined to the root as given
    std::string raw;
    tokens::SourceFile source;
    TokenStream stream;
    std::vector<Edit> edits;
};

/// Where a scan is: the file (for `mod m;`, null in a macro's output), the
/// directories of module files, and the expansion depth and chain.
struct Where {
    FileState* file = nullptr;
    fs::path file_dir;  ///< directory of the current file
    fs::path child_dir; ///< where `mod m;` looks for m.rs and m/mod.rs
    bool inline_mod = false;
    unsigned depth = 0;
    std::vector<std::string> chain; ///< the invocations whose output this is
    Span site;                      ///< the outermost invocation, for call-site spans
};

/// Adds an edit. A source file's edits are printed at once: the trees of a
/// crate's macro outputs take many times the memory of their text (600 serde
/// derives: some 60 MB of trees for 4 MB of text), and first touches of that
/// memory were a third of the time `expand` took. Edits inside a macro's
/// output stay trees, for rebuild().
void add_edit(std::vector<Edit>& edits, Edit e, const Where& w) {
    if (w.file) {
        for (const TokenStream& part : e.parts) {
            std::string printed = tokens::to_string(part);
            if (!e.text.empty() && !printed.empty()) e.text += ' ';
            e.text += printed;
        }
        if (e.wrap) e.text = "(" + e.text + ")";
        e.parts = {};
    }
    edits.push_back(std::move(e));
}

std::string path_text(const Path& p) {
    return fmt::format("{}{}", p.global ? "::" : "", fmt::join(p.segments, "::"));
}

Span located(Span s, const Span& fallback) {
    return s.has_location() ? s : fallback;
}

/// A copy of the sibling trees s[lo, hi).
TokenStream copy_range(const TokenStream& s, std::size_t lo, std::size_t hi) {
    TokenStream out;
    for (std::size_t i = lo; i < hi; i = s.next_sibling(i)) out.append_tree(s, i);
    return out;
}

/// `#[` contents `]` built from s[lo, hi).
TokenStream make_attr(const TokenStream& s, std::size_t lo, std::size_t hi, Span span) {
    TokenStream out;
    out.push_punct('#', Spacing::Alone, span);
    out.open_group(Delimiter::Bracket, span);
    for (std::size_t i = lo; i < hi; i = s.next_sibling(i)) out.append_tree(s, i);
    out.close_group(Span{});
    return out;
}

class Expander {
public:
    Expander(const macros::Registry& registry, const Options& options)
        : registry_(registry), options_(options) {}

    CrateExpansion run(const std::string& root_path);

private:
    struct Resolved {
        macros::Library* library = nullptr;
        const macros::MacroDecl* decl = nullptr;
        std::string written; ///< the path as written
    };

    // Module walker.
    void process_file(const fs::path& path, const Where& parent, const std::string& mod_name,
                      Span decl_site, bool owns_dir);
    void load_module(const TokenStream& s, const Item& item, const std::vector<Attr>& attrs,
                     const Where& w, std::vector<Edit>& edits);

    // Invocation finder.
    void scan_seq(const TokenStream& s, std::size_t lo, std::size_t hi, Context cx,
                  const Scope& parent, const Where& w, std::vector<Edit>& edits);
    void scan_tokens(const TokenStream& s, std::size_t lo, std::size_t hi, const Scope& scope,
                     const Where& w, std::vector<Edit>& edits);
    void prepass(const TokenStream& s, std::size_t lo, std::size_t hi, Scope& scope);
    void handle_item(const TokenStream& s, std::size_t start, const std::vector<Attr>& attrs,
                     const Item& item, Context cx, const Scope& scope, const Where& w,
                     std::vector<Edit>& edits);
    bool handle_bang(const TokenStream& s, const Path& path, std::size_t end, Context cx,
                     const Scope& scope, const Where& w, std::vector<Edit>& edits);
    void recurse_item(const TokenStream& s, const Item& item, const Scope& scope, const Where& w,
                      std::vector<Edit>& edits);
    void warn_in_macro_rules(const TokenStream& s, std::size_t lo, std::size_t hi,
                             const Scope& scope, const Where& w);

    // Names.
    const macros::MacroDecl* find_decl(const macros::Library& lib, MacroKind kind,
                                       std::string_view name) const;
    std::optional<Resolved> resolve(const Path& path, MacroKind kind, const Scope& scope) const;
    bool is_macro_crate(std::string_view name) const { return registry_.find_crate(name); }
    /// Binds the macros that a use tree imports (into `scope`, if given);
    /// whether every name it imports is a macro of `crate`.
    bool import_tree(const TokenStream& s, std::size_t lo, std::size_t hi, const std::string& crate,
                     Scope* scope) const;
    /// One name of a use tree, `NAME` or `NAME as ALIAS`.
    bool import_leaf(const TokenStream& s, std::size_t lo, std::size_t hi,
                     const macros::Library& lib, const std::string& crate, Scope* scope) const;
    /// Whether `item` is a `use` of macros of a registered crate only.
    bool imports_macros(const TokenStream& s, const Item& item, Scope* scope) const;

    // cfg.
    bool configure_attr(const TokenStream& s, const Attr& a, std::vector<TokenStream>& out);
    bool configure_attrs(const TokenStream& s, const std::vector<Attr>& attrs,
                         std::vector<TokenStream>& out);
    void configure_body(const TokenStream& s, const Item& item, const std::set<std::string>& strip,
                        TokenStream& out);
    void configure_fields(const TokenStream& s, std::size_t group, bool variants,
                          const std::set<std::string>& strip, TokenStream& out);

    // Expansion.
    TokenStream expand_output(TokenStream out, Context cx, const Scope& scope, const Where& w,
                              std::string link, Span at);
    TokenStream call(const Resolved& r, const TokenStream& input, const TokenStream* args,
                     const Where& w, Span at);
    bool expand_attribute(const TokenStream& s, std::size_t start, const Item& item,
                          const std::vector<TokenStream>& attrs, Context cx, const Scope& scope,
                          const Where& w, std::vector<Edit>& edits);

    void error(const std::string& message, Span at, std::vector<std::string> notes = {}) {
        diagnostics_.push_back({Diagnostic::Level::Error, message, at, std::move(notes)});
    }
    void warning(const std::string& message, Span at) {
        diagnostics_.push_back({Diagnostic::Level::Warning, message, at, {}});
    }

    void finish_file(FileState& f, CrateExpansion& out) const;

    /// How deep the invocation finder may descend into nested groups and
    /// items. It recurses, on up to some 1.6 KB of stack a level (it
    /// overflowed an 8 MiB stack at 5,200 nested modules, and at 4,640 nested
    /// blocks, two levels each), so this keeps it within some 3.3 MB. rustc's
    /// own parser overflows sooner in each such shape (720 nested modules,
    /// 780 blocks, 1,190 parentheses).
    static constexpr unsigned kMaxWalkDepth = 2048;
    /// One level of the finder's descent, from `lo` in `s`; deeper than
    /// kMaxWalkDepth it throws an ExpandError there.
    class WalkLevel {
    public:
        WalkLevel(Expander& e, const TokenStream& s, std::size_t lo, const Where& w) : e_(e) {
            if (++e_.walk_depth_ > kMaxWalkDepth) {
                --e_.walk_depth_;
                Span at = lo > 0 && lo <= s.size() ? s[lo - 1].span : Span{};
                throw ExpandError(fmt::format("the code nests too deeply here for wasmacro "
                                              "expand, which follows at most {} levels of "
                                              "groups, items and statements",
                                              kMaxWalkDepth),
                                  located(at, w.site));
            }
        }
        ~WalkLevel() { --e_.walk_depth_; }
        WalkLevel(const WalkLevel&) = delete;
        WalkLevel& operator=(const WalkLevel&) = delete;

    private:
        Expander& e_;
    };
    unsigned walk_depth_ = 0;

    const macros::Registry& registry_;
    const Options& options_;
    fs::path root_dir_;
    fs::path display_dir_; ///< the root's directory as the command line gave it
    Scope crate_scope_;    ///< `#[macro_use] extern crate` names, seen everywhere
    std::vector<std::unique_ptr<FileState>> files_;
    std::set<fs::path> seen_;
    std::vector<Diagnostic> diagnostics_;
};

// ---------------------------------------------------------------------------
// Module walker

CrateExpansion Expander::run(const std::string& root_path) {
    fs::path root = fs::absolute(root_path).lexically_normal();
    root_dir_ = root.parent_path();
    display_dir_ = fs::path(root_path).parent_path();
    Where w;
    w.file_dir = root_dir_;
    w.child_dir = root_dir_;
    process_file(root, w, "", Span{}, true);

    CrateExpansion out;
    for (auto& f : files_) {
        out.source_names.push_back(f->display);
        out.source_texts.push_back(*f->source.text);
    }
    for (auto& f : files_) finish_file(*f, out);
    out.diagnostics = std::move(diagnostics_);
    return out;
}

void Expander::process_file(const fs::path& path, const Where& parent, const std::string& mod_name,
                            Span decl_site, bool owns_dir) {
    fs::path norm = path.lexically_normal();
    if (!seen_.insert(norm).second) return;
    std::string rel = norm.lexically_relative(root_dir_).generic_string();
    if (rel.empty() || rel.starts_with(".."))
        throw ExpandError(fmt::format("module file `{}` is outside the crate root's directory {}, "
                                      "so it has no place in the expanded crate",
                                      norm.string(), root_dir_.string()),
                          decl_site);
    std::error_code ec;
    if (!fs::is_regular_file(norm, ec)) {
        auto shown = [&](const fs::path& p) {
            return (display_dir_ / p.lexically_relative(root_dir_)).generic_string();
        };
        if (mod_name.empty())
            throw ExpandError(fmt::format("couldn't read `{}`: no such file", path.string()),
                              decl_site);
        std::string note =
            owns_dir && path != parent.child_dir / mod_name / "mod.rs"
                ? fmt::format("the `#[path]` attribute names \"{}\"", shown(norm))
                : fmt::format("to create the module `{}`, create file \"{}\" or \"{}\"", mod_name,
                              shown(parent.child_dir / (mod_name + ".rs")),
                              shown(parent.child_dir / mod_name / "mod.rs"));
        throw ExpandError(fmt::format("file not found for module `{}`", mod_name), decl_site,
                          {note});
    }
    auto state = std::make_unique<FileState>();
    FileState& f = *state;
    f.id = static_cast<uint32_t>(files_.size() + 1);
    f.path = norm;
    f.rel = rel;
    f.display = (display_dir_ / rel).generic_string();
    {
        std::ifstream in(norm, std::ios::binary);
        f.raw.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (!in && !in.eof())
            throw ExpandError(fmt::format("cannot read {}", norm.string()), decl_site);
    }
    f.source = tokens::SourceFile::from_bytes(f.display, f.raw, f.id);
    files_.push_back(std::move(state));

    tokens::LexOptions lex;
    lex.edition = options_.edition;
    tokens::LexResult r = tokens::tokenize(f.source, lex);
    if (!r.ok()) {
        for (const tokens::Diagnostic& d : r.errors) {
            Span s;
            s.source = f.id;
            s.lo = d.offset;
            s.hi = d.offset + 1;
            s.line = s.end_line = d.line;
            s.col = d.col;
            s.end_col = d.col + 1;
            error(d.message, s);
        }
        return;
    }
    f.stream = std::move(r.stream);

    Where w;
    w.file = &f;
    w.file_dir = norm.parent_path();
    w.child_dir = owns_dir ? norm.parent_path() : norm.parent_path() / norm.stem();
    scan_seq(f.stream, 0, f.stream.size(), Context::Items, crate_scope_, w, f.edits);
}

void Expander::load_module(const TokenStream& s, const Item& item, const std::vector<Attr>& attrs,
                           const Where& w, std::vector<Edit>& edits) {
    if (item.name == npos) return;
    std::string name(s[item.name].text());
    Span at = s[item.name].span;
    std::optional<std::string> path_attr;
    for (const Attr& a : attrs) {
        if (a.path.segments.size() == 1 && a.path.segments[0] == "path" &&
            a.form == Attr::Form::NameValue && a.args_hi == a.args_lo + 1 &&
            s[a.args_lo].kind == TreeKind::Literal) {
            path_attr = tokens::string_literal_value(s[a.args_lo].text());
        }
    }
    if (item.body != npos) { // an inline module
        Where inner = w;
        inner.inline_mod = true;
        inner.child_dir = path_attr ? w.child_dir / *path_attr : w.child_dir / name;
        scan_seq(s, item.body + 1, s[item.body].end, Context::Items, crate_scope_, inner, edits);
        return;
    }
    if (w.file == nullptr)
        throw ExpandError(
            fmt::format("`mod {};` in a macro's output: only rustc can load it", name),
            located(at, w.site));
    if (path_attr) {
        // rustc: relative to the file's directory, or to an inline module's.
        fs::path base = w.inline_mod ? w.child_dir : w.file_dir;
        process_file(base / *path_attr, w, name, at, true);
        return;
    }
    fs::path flat = w.child_dir / (name + ".rs");
    fs::path nested = w.child_dir / name / "mod.rs";
    std::error_code ec;
    if (fs::is_regular_file(flat, ec))
        process_file(flat, w, name, at, false);
    else if (fs::is_regular_file(nested, ec))
        process_file(nested, w, name, at, true);
    else
        process_file(flat, w, name, at, false); // reports the missing file
}

// ---------------------------------------------------------------------------
// Names

const macros::MacroDecl* Expander::find_decl(const macros::Library& lib, MacroKind kind,
                                             std::string_view name) const {
    for (const macros::MacroDecl& m : lib.decls().macros)
        if (m.kind == kind && m.name == name) return &m;
    return nullptr;
}

std::string macro_list(const macros::Library& lib) {
    std::vector<std::string> names;
    for (const macros::MacroDecl& m : lib.decls().macros)
        names.push_back(fmt::format("{} ({})", m.name, macros::name(m.kind)));
    return fmt::format("{}", fmt::join(names, ", "));
}

std::optional<Expander::Resolved> Expander::resolve(const Path& path, MacroKind kind,
                                                    const Scope& scope) const {
    const auto& seg = path.segments;
    if (seg.size() == 2) {
        macros::Library* lib = registry_.find_crate(seg[0]);
        if (lib == nullptr) return std::nullopt;
        const macros::MacroDecl* decl = find_decl(*lib, kind, seg[1]);
        if (decl == nullptr)
            throw ExpandError(fmt::format("cannot find {} macro `{}` in `{}`: the crate `{}` "
                                          "({}) has {}",
                                          macros::name(kind), seg[1], seg[0], seg[0],
                                          lib->display_name(), macro_list(*lib)),
                              path.span);
        return Resolved{lib, decl, path_text(path)};
    }
    if (seg.size() != 1 || path.global) return std::nullopt;
    for (const Scope* sc = &scope; sc != nullptr; sc = sc->parent) {
        if (auto it = sc->names.find(seg[0]); it != sc->names.end()) {
            macros::Library* lib = registry_.find_crate(it->second.crate);
            const macros::MacroDecl* decl = find_decl(*lib, kind, it->second.name);
            if (decl != nullptr) return Resolved{lib, decl, path_text(path)};
        }
        for (const std::string& crate : sc->globs) {
            macros::Library* lib = registry_.find_crate(crate);
            if (const macros::MacroDecl* decl = find_decl(*lib, kind, seg[0]))
                return Resolved{lib, decl, path_text(path)};
        }
    }
    return std::nullopt;
}

bool Expander::import_tree(const TokenStream& s, std::size_t lo, std::size_t hi,
                           const std::string& crate, Scope* scope) const {
    macros::Library* lib = registry_.find_crate(crate);
    // The trees still to look at, next on top: braces nest as deep as the
    // source does, so without recursion.
    std::vector<std::pair<std::size_t, std::size_t>> todo{{lo, hi}};
    bool all = true;
    while (!todo.empty()) {
        auto [a, b] = todo.back();
        todo.pop_back();
        if (a >= b) continue;
        if (is_punct(s[a], '*')) {
            if (scope) scope->globs.push_back(crate);
            continue;
        }
        if (is_group(s[a], Delimiter::Brace)) {
            auto parts = split_commas(s, a + 1, s[a].end);
            todo.insert(todo.end(), parts.rbegin(), parts.rend());
            continue;
        }
        all &= import_leaf(s, a, b, *lib, crate, scope);
    }
    return all;
}

bool Expander::import_leaf(const TokenStream& s, std::size_t lo, std::size_t hi,
                           const macros::Library& lib, const std::string& crate,
                           Scope* scope) const {
    if (s[lo].kind != TreeKind::Ident) return false;
    std::string name(s[lo].text());
    if (name == "self" && lo + 1 == hi) return true;
    // A module path (`thiserror::__private::...`, which thiserror's own
    // output uses) is the runtime crate's business, not a macro.
    if (lo + 1 < hi && is_punct(s[lo + 1], ':')) return false;
    bool known = false;
    for (const macros::MacroDecl& m : lib.decls().macros) known |= m.name == name;
    if (!known) return false;
    std::string as = name;
    if (lo + 2 < hi && is_ident(s[lo + 1], "as") && s[lo + 2].kind == TreeKind::Ident)
        as = std::string(s[lo + 2].text());
    if (scope && as != "_") scope->names[as] = Binding{crate, name};
    return true;
}

bool Expander::imports_macros(const TokenStream& s, const Item& item, Scope* scope) const {
    auto path = parse_path(s, item.keyword + 1, item.end);
    if (!path || !is_macro_crate(path->segments[0])) return false;
    // The tree after `NAME::` (or `::NAME::`).
    std::size_t k = item.keyword + 1 + (path->global ? 2 : 0) + 3;
    std::size_t stop = item.end - (is_punct(s[item.end - 1], ';') ? 1 : 0);
    return import_tree(s, std::min(k, stop), stop, std::string(path->segments[0]), scope);
}

void Expander::prepass(const TokenStream& s, std::size_t lo, std::size_t hi, Scope& scope) {
    for (std::size_t i = lo; i < hi;) {
        std::vector<Attr> attrs;
        i = take_attrs(s, i, hi, attrs);
        if (i >= hi) break;
        Item item = classify_item(s, i, hi);
        if (item.kind == ItemKind::None) {
            i = statement_end(s, i, hi);
            continue;
        }
        i = std::max(item.end, i + 1);
        try {
            std::vector<TokenStream> configured;
            if ((item.kind != ItemKind::Use && item.kind != ItemKind::ExternCrate) ||
                !configure_attrs(s, attrs, configured))
                continue;
            if (item.kind == ItemKind::Use) {
                imports_macros(s, item, &scope);
            } else if (item.name != npos && is_macro_crate(s[item.name].text())) {
                for (const TokenStream& a : configured) {
                    auto pa = parse_attr(a, 0, a.size());
                    if (pa && pa->path.segments.size() == 1 && pa->path.segments[0] == "macro_use")
                        crate_scope_.globs.emplace_back(s[item.name].text());
                }
            }
        } catch (const ExpandError& e) {
            error(e.what(), e.span, e.notes);
        }
    }
}

// ---------------------------------------------------------------------------
// cfg and cfg_attr, as rustc applies them before a macro sees its input

bool is_named(const Attr& a, std::string_view name) {
    return a.path.segments.size() == 1 && !a.path.global && a.path.segments[0] == name;
}

bool Expander::configure_attr(const TokenStream& s, const Attr& a, std::vector<TokenStream>& out) {
    Span at = s[a.group].span;
    if (is_named(a, "cfg")) {
        if (a.form != Attr::Form::List || s[a.list_group].delimiter != Delimiter::Parenthesis)
            throw ExpandError("malformed `cfg` attribute: expected `#[cfg(predicate)]`", at);
        if (!eval_cfg(s, a.args_lo, a.args_hi, options_.cfg, at)) return false;
        out.push_back(copy_range(s, a.begin, a.end));
        return true;
    }
    if (is_named(a, "cfg_attr")) {
        if (a.form != Attr::Form::List)
            throw ExpandError("malformed `cfg_attr` attribute: expected "
                              "`#[cfg_attr(predicate, attribute, ...)]`",
                              at);
        auto parts = split_commas(s, a.args_lo, a.args_hi);
        if (parts.empty())
            throw ExpandError("malformed `cfg_attr` attribute: expected "
                              "`#[cfg_attr(predicate, attribute, ...)]`",
                              at);
        const Span& pred_at = s[parts[0].first].span;
        if (!eval_cfg(s, parts[0].first, parts[0].second, options_.cfg, pred_at)) return true;
        for (std::size_t p = 1; p < parts.size(); ++p) {
            TokenStream one = make_attr(s, parts[p].first, parts[p].second, s[a.begin].span);
            auto inner = parse_attr(one, 0, one.size());
            if (!inner)
                throw ExpandError("expected an attribute inside `cfg_attr`",
                                  s[parts[p].first].span);
            if (!configure_attr(one, *inner, out)) return false;
        }
        return true;
    }
    out.push_back(copy_range(s, a.begin, a.end));
    return true;
}

bool Expander::configure_attrs(const TokenStream& s, const std::vector<Attr>& attrs,
                               std::vector<TokenStream>& out) {
    for (const Attr& a : attrs)
        if (!configure_attr(s, a, out)) return false;
    return true;
}

/// Whether attribute `a` is a single-identifier path in `names`.
bool named_in(const TokenStream& a, const std::set<std::string>& names) {
    if (names.empty()) return false;
    auto pa = parse_attr(a, 0, a.size());
    return pa && pa->path.segments.size() == 1 && !pa->path.global &&
           names.count(std::string(pa->path.segments[0])) != 0;
}

void Expander::configure_fields(const TokenStream& s, std::size_t g, bool variants,
                                const std::set<std::string>& strip, TokenStream& out) {
    out.open_group(s[g].delimiter, s[g].span);
    std::size_t hi = s[g].end;
    for (auto [a, b] : split_commas(s, g + 1, hi)) {
        std::vector<Attr> attrs;
        std::size_t k = take_attrs(s, a, b, attrs);
        std::vector<TokenStream> configured;
        if (!configure_attrs(s, attrs, configured)) continue; // a field rustc never sees
        for (const TokenStream& attr : configured)
            if (!named_in(attr, strip)) out.append(attr);
        for (std::size_t j = k; j < b; j = s.next_sibling(j)) {
            if (variants &&
                (is_group(s[j], Delimiter::Brace) || is_group(s[j], Delimiter::Parenthesis)))
                configure_fields(s, j, false, strip, out);
            else
                out.append_tree(s, j);
        }
        if (b < hi && is_punct(s[b], ',')) out.append_tree(s, b);
    }
    out.close_group(Span{});
}

void Expander::configure_body(const TokenStream& s, const Item& item,
                              const std::set<std::string>& strip, TokenStream& out) {
    bool fields = item.kind == ItemKind::Struct || item.kind == ItemKind::Enum ||
                  item.kind == ItemKind::Union;
    for (std::size_t i = item.begin; i < item.end; i = s.next_sibling(i)) {
        if (fields && i == item.body)
            configure_fields(s, i, item.kind == ItemKind::Enum, strip, out);
        else
            out.append_tree(s, i);
    }
}

// ---------------------------------------------------------------------------
// Invocation finder

Span join(Span a, const Span& b) {
    if (a.has_location() && b.source == a.source && b.hi >= a.lo) {
        a.hi = b.hi;
        a.end_line = b.end_line;
        a.end_col = b.end_col;
    }
    return a;
}

void Expander::scan_seq(const TokenStream& s, std::size_t lo, std::size_t hi, Context cx,
                        const Scope& parent, const Where& w, std::vector<Edit>& edits) {
    WalkLevel level(*this, s, lo, w);
    Scope scope;
    scope.parent = &parent;
    prepass(s, lo, hi, scope);
    for (std::size_t i = lo; i < hi;) {
        std::size_t start = i;
        std::vector<Attr> attrs;
        i = take_attrs(s, i, hi, attrs);
        if (i >= hi) break;
        Item item = classify_item(s, i, hi);
        if (item.kind == ItemKind::None) {
            std::size_t end = std::max(statement_end(s, i, hi), i + 1);
            try {
                std::vector<TokenStream> configured;
                if (configure_attrs(s, attrs, configured)) scan_tokens(s, i, end, scope, w, edits);
            } catch (const ExpandError& e) {
                error(e.what(), located(e.span, w.site), e.notes);
            }
            i = end;
            continue;
        }
        handle_item(s, start, attrs, item, cx, scope, w, edits);
        i = std::max(item.end, i + 1);
    }
}

void Expander::scan_tokens(const TokenStream& s, std::size_t lo, std::size_t hi, const Scope& scope,
                           const Where& w, std::vector<Edit>& edits) {
    WalkLevel level(*this, s, lo, w);
    for (std::size_t i = lo; i < hi;) {
        const Tree& t = s[i];
        if (t.kind == TreeKind::Ident || is_punct(t, ':')) {
            if (auto path = parse_path(s, i, hi)) {
                std::size_t k = path->end;
                if (k + 1 < hi && is_punct(s[k], '!') && s[k + 1].is_group()) {
                    handle_bang(s, *path, s[k + 1].end, Context::Expr, scope, w, edits);
                    i = s[k + 1].end;
                } else {
                    i = k;
                }
                continue;
            }
        }
        if (t.is_group()) {
            if (t.delimiter == Delimiter::Brace)
                scan_seq(s, i + 1, t.end, Context::Block, scope, w, edits);
            else
                scan_tokens(s, i + 1, t.end, scope, w, edits);
            i = t.end;
            continue;
        }
        ++i;
    }
}

void Expander::handle_item(const TokenStream& s, std::size_t start, const std::vector<Attr>& attrs,
                           const Item& item, Context cx, const Scope& scope, const Where& w,
                           std::vector<Edit>& edits) {
    auto remove = [&] {
        Edit e;
        e.first = start;
        e.end = item.end;
        add_edit(edits, std::move(e), w);
    };
    try {
        std::vector<TokenStream> configured;
        if (!configure_attrs(s, attrs, configured)) return; // rustc removes it
        switch (item.kind) {
        case ItemKind::Use:
            if (imports_macros(s, item, nullptr)) remove(); // the crate does not exist for rustc
            return;
        case ItemKind::ExternCrate:
            if (item.name != npos && is_macro_crate(s[item.name].text())) remove();
            return;
        case ItemKind::MacroRules:
            warn_in_macro_rules(s, item.body + 1, s[item.body].end, scope, w);
            return;
        case ItemKind::Mod: load_module(s, item, attrs, w, edits); return;
        case ItemKind::MacroCall: {
            auto path = parse_path(s, item.keyword, item.end);
            // In a block the `;` stays: the output may be an expression statement.
            std::size_t end = cx == Context::Items ? item.end : s[item.body].end;
            handle_bang(s, *path, end, cx == Context::Expr ? Context::Block : cx, scope, w, edits);
            return;
        }
        default: break;
        }
        if (expand_attribute(s, start, item, configured, cx, scope, w, edits)) return;
        recurse_item(s, item, scope, w, edits);
    } catch (const ExpandError& e) {
        error(e.what(), located(e.span, w.site), e.notes);
    }
}

bool Expander::handle_bang(const TokenStream& s, const Path& path, std::size_t end, Context cx,
                           const Scope& scope, const Where& w, std::vector<Edit>& edits) {
    std::size_t g = path.end + 1;
    Span at = located(join(s[path.begin].span, s[path.end].span), w.site);
    try {
        auto r = resolve(path, MacroKind::Bang, scope);
        if (!r) {
            // Another crate's macro: its arguments are usually expressions
            // (println!, vec!, assert!), which rustc expands only after it has
            // run; ours among them must be expanded now or never.
            if (!(path.segments.size() == 1 && path.segments[0] == "stringify"))
                scan_tokens(s, g + 1, s[g].end, scope, w, edits);
            return false;
        }
        TokenStream input = copy_range(s, g + 1, s[g].end);
        TokenStream out = call(*r, input, nullptr, w, at);
        Edit e;
        e.parts.push_back(
            expand_output(std::move(out), cx, scope, w, fmt::format("`{}!`", r->written), at));
        e.first = path.begin;
        e.end = end;
        e.wrap = cx == Context::Expr;
        e.invocation = true;
        e.macro = r->written + "!";
        e.kind = "bang";
        e.at = at;
        add_edit(edits, std::move(e), w);
    } catch (const ExpandError& e) {
        error(e.what(), located(e.span, at), e.notes);
    }
    return true;
}

void Expander::recurse_item(const TokenStream& s, const Item& item, const Scope& scope,
                            const Where& w, std::vector<Edit>& edits) {
    if (item.body == npos || !is_group(s[item.body], Delimiter::Brace)) {
        scan_tokens(s, item.begin, item.end, scope, w, edits);
        return;
    }
    scan_tokens(s, item.begin, item.body, scope, w, edits);
    Context inner = item.kind == ItemKind::Fn ? Context::Block : Context::Items;
    if (item.kind == ItemKind::Struct || item.kind == ItemKind::Enum ||
        item.kind == ItemKind::Union)
        scan_tokens(s, item.body + 1, s[item.body].end, scope, w, edits);
    else
        scan_seq(s, item.body + 1, s[item.body].end, inner, scope, w, edits);
    scan_tokens(s, s[item.body].end, item.end, scope, w, edits);
}

void Expander::warn_in_macro_rules(const TokenStream& s, std::size_t lo, std::size_t hi,
                                   const Scope& scope, const Where& w) {
    auto ours = [&](const Path& p, MacroKind kind) {
        try {
            return resolve(p, kind, scope).has_value();
        } catch (const ExpandError&) {
            return true; // names the macro crate
        }
    };
    for (std::size_t i = lo; i < hi; ++i) {
        auto path = (i == lo || !is_punct(s[i - 1], ':')) ? parse_path(s, i, hi) : std::nullopt;
        if (!path) continue;
        std::size_t k = path->end;
        bool bang = k + 1 < hi && is_punct(s[k], '!') && s[k + 1].is_group() &&
                    ours(*path, MacroKind::Bang);
        bool attr = i >= 2 && is_group(s[i - 1], Delimiter::Bracket) && is_punct(s[i - 2], '#') &&
                    ours(*path, MacroKind::Attribute);
        bool derive = false;
        if (is_ident(s[i], "derive") && k < hi && is_group(s[k], Delimiter::Parenthesis))
            for (auto [a, b] : split_commas(s, k + 1, s[k].end))
                if (auto d = parse_path(s, a, b); d && ours(*d, MacroKind::Derive)) {
                    derive = true;
                    path = d;
                }
        if (bang || attr || derive)
            warning(fmt::format("`{}` inside a `macro_rules!` body is left as written: only rustc "
                                "expands macro_rules!, and it cannot run this wasm macro",
                                path_text(*path)),
                    located(path->span, w.site));
        i = k - 1;
    }
}

// ---------------------------------------------------------------------------
// Expansion

/// Identifiers a macro made (call-site spans) take the macro's edition in
/// rustc. Printed into a crate of a later edition, those that became keywords
/// there (`try!` from serde_derive, an edition-2015 crate) are written raw.
void keep_macro_edition(TokenStream& out, tokens::Edition macro, tokens::Edition crate) {
    if (macro >= crate) return;
    for (Tree& t : out.mutable_nodes()) {
        if (t.kind != TreeKind::Ident || t.raw || t.span.has_location()) continue;
        std::string_view n = t.text();
        bool reserved = (crate >= tokens::Edition::E2018 && macro < tokens::Edition::E2018 &&
                         (n == "async" || n == "await" || n == "try")) ||
                        (crate >= tokens::Edition::E2024 && n == "gen");
        if (reserved) t.raw = true;
    }
}

TokenStream Expander::call(const Resolved& r, const TokenStream& input, const TokenStream* args,
                           const Where& w, Span at) {
    if (w.depth >= options_.max_depth) {
        std::vector<std::string> notes;
        std::vector<std::string> chain = w.chain;
        if (chain.size() > 8) { // the start and the end say where it loops
            chain.erase(chain.begin() + 4, chain.end() - 4);
            chain.insert(chain.begin() + 4, fmt::format("({} more)", w.chain.size() - 8));
        }
        notes.push_back(fmt::format("expansion chain: {}", fmt::join(chain, " -> ")));
        notes.push_back(
            fmt::format("raise the limit (now {}) with --max-expansion-depth", options_.max_depth));
        throw ExpandError(fmt::format("recursion limit reached while expanding `{}`", r.written),
                          at, std::move(notes));
    }
    TokenStream out;
    try {
        out = r.library->expand(*r.decl, input, args);
    } catch (const macros::ExpansionError& e) {
        throw ExpandError(e.limit() && options_.limit_hint
                              ? e.with_hint(options_.limit_hint(*e.limit()))
                              : std::string(e.what()),
                          at);
    } catch (const Error& e) {
        throw ExpandError(e.what(), at);
    }
    keep_macro_edition(out, r.library->decls().edition, options_.edition);
    std::vector<std::pair<std::string, Span>> errors;
    find_compile_errors(out, errors);
    if (!errors.empty()) {
        for (std::size_t k = 0; k + 1 < errors.size(); ++k)
            error(errors[k].first, located(errors[k].second, at));
        throw ExpandError(errors.back().first, located(errors.back().second, at));
    }
    return out;
}

/// `s` with each edit's nodes replaced by its tokens (in parentheses if asked).
/// (A macro's output is large, serde's tens of thousands of trees: without
/// edits it is moved through, not copied.)
TokenStream rebuild(TokenStream&& s, std::vector<Edit>& edits) {
    if (edits.empty()) return std::move(s);
    std::sort(edits.begin(), edits.end(),
              [](const Edit& a, const Edit& b) { return a.first < b.first; });
    TokenStream out;
    out.reserve(s.size());
    bool adopted = false;
    std::size_t next = 0;
    auto copy = [&](auto& self, std::size_t lo, std::size_t hi) -> void {
        for (std::size_t i = lo; i < hi;) {
            if (next < edits.size() && edits[next].first == i) {
                const Edit& e = edits[next++];
                if (e.wrap) out.open_group(Delimiter::Parenthesis, Span{});
                for (const TokenStream& part : e.parts) out.append(part);
                if (e.wrap) out.close_group(Span{});
                i = std::max(e.end, i + 1);
                continue;
            }
            const Tree& t = s[i];
            if (t.is_group()) {
                out.open_group(t.delimiter, t.span);
                self(self, i + 1, t.end);
                out.close_group(Span{});
                i = t.end;
            } else if (!adopted) { // shares `s`'s text storage once
                out.append_tree(s, i++);
                adopted = true;
            } else {
                out.push_node(t);
                ++i;
            }
        }
    };
    copy(copy, 0, s.size());
    return out;
}

TokenStream Expander::expand_output(TokenStream out, Context cx, const Scope& scope, const Where& w,
                                    std::string link, Span at) {
    Where inner;
    inner.file_dir = w.file_dir;
    inner.child_dir = w.child_dir;
    inner.depth = w.depth + 1;
    inner.chain = w.chain;
    inner.chain.push_back(std::move(link));
    inner.site = w.site.has_location() ? w.site : at;
    std::vector<Edit> edits;
    if (cx == Context::Expr)
        scan_tokens(out, 0, out.size(), scope, inner, edits);
    else
        scan_seq(out, 0, out.size(), cx, scope, inner, edits);
    return rebuild(std::move(out), edits);
}

bool Expander::expand_attribute(const TokenStream& s, std::size_t start, const Item& item,
                                const std::vector<TokenStream>& attrs, Context cx,
                                const Scope& scope, const Where& w, std::vector<Edit>& edits) {
    Context out_cx = cx == Context::Expr ? Context::Block : cx;
    std::vector<std::optional<Attr>> parsed;
    for (const TokenStream& a : attrs) parsed.push_back(parse_attr(a, 0, a.size()));

    // Attribute macros first, in the order written; each sees the others.
    for (std::size_t k = 0; k < attrs.size(); ++k) {
        const auto& pa = parsed[k];
        if (!pa || is_named(*pa, "derive")) continue;
        auto r = resolve(pa->path, MacroKind::Attribute, scope);
        if (!r) continue;
        Span at = located(join(pa->path.span, pa->path.span), w.site);
        if (pa->path.begin < pa->path.end)
            at = located(join(attrs[k][pa->path.begin].span, pa->path.span), w.site);
        TokenStream input;
        for (std::size_t j = 0; j < attrs.size(); ++j)
            if (j != k) input.append(attrs[j]);
        configure_body(s, item, {}, input);
        TokenStream args = copy_range(attrs[k], pa->args_lo, pa->args_hi);
        TokenStream out = call(*r, input, &args, w, at);
        Edit e;
        e.parts.push_back(expand_output(std::move(out), out_cx, scope, w,
                                        fmt::format("`#[{}]`", r->written), at));
        e.first = start;
        e.end = item.end;
        e.invocation = true;
        e.macro = "#[" + r->written + "]";
        e.kind = "attr";
        e.at = at;
        add_edit(edits, std::move(e), w);
        return true;
    }

    // Then the derives, in the order written.
    struct Derive {
        Resolved r;
        Span at;
    };
    std::vector<Derive> ours;
    std::vector<std::vector<bool>> keep(attrs.size()); // per derive attr, per path
    for (std::size_t k = 0; k < attrs.size(); ++k) {
        const auto& pa = parsed[k];
        if (!pa || !is_named(*pa, "derive") || pa->form != Attr::Form::List) continue;
        for (auto [a, b] : split_commas(attrs[k], pa->args_lo, pa->args_hi)) {
            auto path = parse_path(attrs[k], a, b);
            std::optional<Resolved> r;
            if (path && path->end == b) r = resolve(*path, MacroKind::Derive, scope);
            keep[k].push_back(!r);
            if (r)
                ours.push_back({*r, located(join(attrs[k][path->begin].span, path->span), w.site)});
        }
    }
    if (ours.empty()) return false;
    if (item.kind != ItemKind::Struct && item.kind != ItemKind::Enum &&
        item.kind != ItemKind::Union)
        throw ExpandError("`derive` may only be applied to `struct`s, `enum`s and `union`s",
                          ours[0].at);

    TokenStream input;
    for (std::size_t k = 0; k < attrs.size(); ++k)
        if (!parsed[k] || !is_named(*parsed[k], "derive")) input.append(attrs[k]);
    configure_body(s, item, {}, input);

    std::set<std::string> helpers;
    std::vector<TokenStream> outputs;
    bool failed = false;
    std::vector<std::string> names;
    for (const Derive& d : ours) {
        names.push_back(d.r.written);
        for (const std::string& h : d.r.decl->helpers) helpers.insert(h);
        try {
            outputs.push_back(call(d.r, input, nullptr, w, d.at));
        } catch (const ExpandError& e) {
            error(e.what(), located(e.span, d.at), e.notes);
            failed = true;
        }
    }
    if (failed) return true;

    // The item as rustc will see it: the other derives kept, helper
    // attributes of ours removed (rustc would reject them without the derive).
    TokenStream all;
    for (std::size_t k = 0; k < attrs.size(); ++k) {
        const auto& pa = parsed[k];
        if (pa && is_named(*pa, "derive") && pa->form == Attr::Form::List) {
            auto parts = split_commas(attrs[k], pa->args_lo, pa->args_hi);
            if (std::find(keep[k].begin(), keep[k].end(), true) == keep[k].end()) continue;
            const TokenStream& a = attrs[k];
            all.append_tree(a, 0);
            all.open_group(Delimiter::Bracket, a[pa->group].span);
            for (std::size_t i = pa->group + 1; i < pa->list_group; ++i) all.append_tree(a, i);
            all.open_group(Delimiter::Parenthesis, a[pa->list_group].span);
            bool first = true;
            for (std::size_t p = 0; p < parts.size(); ++p) {
                if (!keep[k][p]) continue;
                if (!first) all.push_punct(',', Spacing::Alone, Span{});
                first = false;
                for (std::size_t i = parts[p].first; i < parts[p].second; i = a.next_sibling(i))
                    all.append_tree(a, i);
            }
            all.close_group(Span{});
            all.close_group(Span{});
            continue;
        }
        if (!named_in(attrs[k], helpers)) all.append(attrs[k]);
    }
    configure_body(s, item, helpers, all);
    Edit e;
    std::string what = fmt::format("derive({})", fmt::join(names, ", "));
    std::string link = fmt::format("`{}`", what);
    e.parts.push_back(expand_output(std::move(all), out_cx, scope, w, link, ours[0].at));
    for (TokenStream& o : outputs)
        e.parts.push_back(expand_output(std::move(o), out_cx, scope, w, link, ours[0].at));
    e.first = start;
    e.end = item.end;
    e.invocation = true;
    e.macro = what;
    e.kind = "derive";
    e.at = ours[0].at;
    add_edit(edits, std::move(e), w);
    return true;
}

// ---------------------------------------------------------------------------
// Output: text edits that keep unchanged lines in place

/// Tracks the line and column at the end of text being built.
struct Cursor {
    Position at{1, 1};
    void advance(std::string_view text) {
        for (char c : text) {
            if (c == '\n') {
                ++at.line;
                at.col = 1;
            } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
                ++at.col;
            }
        }
    }
};

void Expander::finish_file(FileState& f, CrateExpansion& out) const {
    OutputFile o;
    o.path = f.rel;
    o.source = f.path.string();
    if (f.edits.empty()) {
        o.bytes = f.raw; // byte for byte, BOM and CRLF included
        out.files.push_back(std::move(o));
        return;
    }
    std::sort(f.edits.begin(), f.edits.end(),
              [](const Edit& a, const Edit& b) { return a.first < b.first; });
    const std::string& text = *f.source.text;
    std::string result;
    result.reserve(text.size() * 2);
    Cursor cur;
    std::size_t pos = 0;
    for (const Edit& e : f.edits) {
        std::size_t lo = f.stream[e.first].span.lo, hi = lo;
        for (std::size_t i = e.first; i < e.end; i = f.stream.next_sibling(i))
            hi = std::max<std::size_t>(hi, f.stream[i].span.hi);
        if (lo < pos) continue; // inside an edit already made (cannot happen: edits are disjoint)
        std::string_view before(text.data() + pos, lo - pos);
        result += before;
        cur.advance(before);
        const std::string& rep = e.text;
        Position start = cur.at;
        result += rep;
        cur.advance(rep);
        if (e.invocation) {
            MapEntry m;
            m.out_start = start;
            m.out_end = cur.at;
            m.macro = e.macro;
            m.kind = e.kind;
            if (e.at.has_location() && e.at.source >= 1 && e.at.source <= files_.size())
                m.file = files_[e.at.source - 1]->rel;
            m.at = {e.at.line, e.at.col};
            o.map.push_back(std::move(m));
        }
        // The lines the invocation spanned stay lines, so the rest of the
        // file keeps its line numbers.
        auto lines = std::count(text.begin() + static_cast<std::ptrdiff_t>(lo),
                                text.begin() + static_cast<std::ptrdiff_t>(hi), '\n');
        auto used = std::count(rep.begin(), rep.end(), '\n');
        for (auto n = used; n < lines; ++n) result += '\n';
        cur.advance(std::string(static_cast<std::size_t>(std::max<long>(lines - used, 0)), '\n'));
        pos = hi;
    }
    result.append(text, pos);
    o.bytes = std::move(result);
    o.changed = true;
    out.files.push_back(std::move(o));
}

} // namespace

bool CrateExpansion::ok() const {
    for (const Diagnostic& d : diagnostics)
        if (d.level == Diagnostic::Level::Error) return false;
    return true;
}

SourceLookup CrateExpansion::sources() const {
    SourceLookup l;
    l.name = [this](uint32_t id) -> const std::string* {
        return id >= 1 && id <= source_names.size() ? &source_names[id - 1] : nullptr;
    };
    l.text = [this](uint32_t id) -> const std::string* {
        return id >= 1 && id <= source_texts.size() ? &source_texts[id - 1] : nullptr;
    };
    return l;
}

std::string CrateExpansion::render_all() const {
    std::string out;
    SourceLookup l = sources();
    std::size_t errors = 0;
    for (const Diagnostic& d : diagnostics) {
        out += render(d, l) + "\n";
        errors += d.level == Diagnostic::Level::Error ? 1 : 0;
    }
    if (errors > 0)
        out += errors == 1 ? std::string("error: aborting due to 1 previous error\n")
                           : fmt::format("error: aborting due to {} previous errors\n", errors);
    return out;
}

CrateExpansion expand_crate(const std::string& root_path, const macros::Registry& registry,
                            const Options& options) {
    Expander e(registry, options);
    try {
        return e.run(root_path);
    } catch (const ExpandError& err) { // the root itself could not be read
        CrateExpansion out;
        out.diagnostics.push_back({Diagnostic::Level::Error, err.what(), err.span, err.notes});
        return out;
    }
}

} // namespace wasmacro::expand
