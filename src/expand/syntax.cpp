#include "expand/syntax.hpp"

#include "tokens/tokenize.hpp"

#include <array>

namespace wasmacro::expand {

using tokens::Delimiter;
using tokens::Spacing;
using tokens::TreeKind;

bool is_punct(const Tree& t, char c) {
    return t.kind == TreeKind::Punct && t.punct_char() == c;
}

bool is_ident(const Tree& t, std::string_view name) {
    return t.kind == TreeKind::Ident && !t.raw && t.text() == name;
}

bool is_group(const Tree& t, Delimiter d) {
    return t.is_group() && t.delimiter == d;
}

namespace {

bool path_sep_at(const TokenStream& s, std::size_t i, std::size_t hi) {
    return i + 1 < hi && is_punct(s[i], ':') && s[i].spacing == Spacing::Joint &&
           is_punct(s[i + 1], ':');
}

} // namespace

std::optional<Path> parse_path(const TokenStream& s, std::size_t i, std::size_t hi) {
    Path p;
    p.begin = i;
    std::size_t j = i;
    if (path_sep_at(s, j, hi)) {
        p.global = true;
        j += 2;
    }
    if (j >= hi || s[j].kind != TreeKind::Ident) return std::nullopt;
    for (;;) {
        p.segments.push_back(s[j].text());
        p.span = s[j].span;
        ++j;
        if (path_sep_at(s, j, hi) && j + 2 < hi && s[j + 2].kind == TreeKind::Ident)
            j += 2;
        else
            break;
    }
    p.end = j;
    return p;
}

std::optional<Attr> parse_attr(const TokenStream& s, std::size_t i, std::size_t hi) {
    if (i >= hi || !is_punct(s[i], '#')) return std::nullopt;
    Attr a;
    a.begin = i;
    std::size_t j = i + 1;
    if (j < hi && is_punct(s[j], '!')) {
        a.inner = true;
        ++j;
    }
    if (j >= hi || !is_group(s[j], Delimiter::Bracket)) return std::nullopt;
    a.group = j;
    a.end = s[j].end;
    std::size_t in_hi = s[j].end;
    auto path = parse_path(s, j + 1, in_hi);
    if (!path) return std::nullopt;
    a.path = *path;
    std::size_t k = path->end;
    if (k < in_hi && s[k].is_group()) {
        a.form = Attr::Form::List;
        a.list_group = k;
        a.args_lo = k + 1;
        a.args_hi = s[k].end;
    } else if (k < in_hi && is_punct(s[k], '=')) {
        a.form = Attr::Form::NameValue;
        a.args_lo = k + 1;
        a.args_hi = in_hi;
    } else {
        a.args_lo = a.args_hi = k;
    }
    return a;
}

std::size_t take_attrs(const TokenStream& s, std::size_t i, std::size_t hi,
                       std::vector<Attr>& out) {
    while (auto a = parse_attr(s, i, hi)) {
        if (!a->inner) out.push_back(*a);
        i = a->end;
    }
    return i;
}

std::vector<std::pair<std::size_t, std::size_t>> split_commas(const TokenStream& s, std::size_t lo,
                                                              std::size_t hi) {
    std::vector<std::pair<std::size_t, std::size_t>> parts;
    std::size_t start = lo;
    int angle = 0; // generic arguments: `HashMap<K, V>` is one field type
    bool after_minus = false;
    for (std::size_t i = lo; i < hi; i = s.next_sibling(i)) {
        const Tree& t = s[i];
        bool minus = is_punct(t, '-') && t.spacing == Spacing::Joint;
        if (is_punct(t, '<')) {
            ++angle;
        } else if (is_punct(t, '>') && !after_minus && angle > 0) {
            --angle;
        } else if (is_punct(t, ',') && angle == 0) {
            parts.emplace_back(start, i);
            start = i + 1;
        }
        after_minus = minus;
    }
    if (start < hi) parts.emplace_back(start, hi);
    return parts;
}

namespace {

bool any_ident(const Tree& t, std::initializer_list<std::string_view> names) {
    for (std::string_view n : names)
        if (is_ident(t, n)) return true;
    return false;
}

/// Past the first `;` at this level from `i`, or `hi`.
std::size_t past_semicolon(const TokenStream& s, std::size_t i, std::size_t hi) {
    for (; i < hi; i = s.next_sibling(i))
        if (is_punct(s[i], ';')) return i + 1;
    return hi;
}

/// Past the first brace group or `;` at this level from `i`; `body` gets the
/// brace group. A tuple struct's fields (the first parenthesised group outside
/// generics, before `where`) go to `tuple` if asked for.
std::size_t past_body(const TokenStream& s, std::size_t i, std::size_t hi, std::size_t& body,
                      std::size_t* tuple = nullptr) {
    int angle = 0;
    bool after_minus = false, where = false;
    for (; i < hi; i = s.next_sibling(i)) {
        const Tree& t = s[i];
        if (is_punct(t, ';')) return i + 1;
        if (is_group(t, Delimiter::Brace)) {
            body = i;
            return t.end;
        }
        if (is_ident(t, "where")) where = true;
        if (is_punct(t, '<')) ++angle;
        if (is_punct(t, '>') && !after_minus && angle > 0) --angle;
        if (tuple != nullptr && *tuple == npos && !where && angle == 0 &&
            is_group(t, Delimiter::Parenthesis))
            *tuple = i;
        after_minus = is_punct(t, '-') && t.spacing == Spacing::Joint;
    }
    return hi;
}

} // namespace

Item classify_item(const TokenStream& s, std::size_t i, std::size_t hi) {
    Item item;
    item.begin = i;
    std::size_t j = i;
    auto at = [&](std::size_t k) -> const Tree* { return k < hi ? &s[k] : nullptr; };
    if (at(j) && is_ident(s[j], "pub")) {
        ++j;
        if (at(j) && is_group(s[j], Delimiter::Parenthesis)) j = s[j].end;
    }
    // Qualifiers, each of which may also start an expression.
    for (;;) {
        const Tree* t = at(j);
        if (!t) return item;
        const Tree* next = at(j + 1);
        if (any_ident(*t, {"unsafe", "async", "default", "auto", "safe"})) {
            if (!next || is_group(*next, Delimiter::Brace) || is_ident(*next, "move") ||
                is_punct(*next, '|'))
                return item; // a block or closure
            ++j;
            continue;
        }
        if (is_ident(*t, "const") && next &&
            any_ident(*next, {"fn", "unsafe", "async", "extern"})) {
            ++j;
            continue;
        }
        if (is_ident(*t, "extern") && next && next->kind == TreeKind::Literal) {
            j += 2; // the ABI string
            if (at(j) && is_group(s[j], Delimiter::Brace)) {
                item.kind = ItemKind::Other;
                item.keyword = j - 2;
                item.body = j;
                item.end = s[j].end;
                return item;
            }
            continue;
        }
        break;
    }
    const Tree& kw = s[j];
    const Tree* next = at(j + 1);
    item.keyword = j;
    auto named = [&](ItemKind kind) {
        item.kind = kind;
        if (next && next->kind == TreeKind::Ident) item.name = j + 1;
    };
    if (is_ident(kw, "use")) {
        item.kind = ItemKind::Use;
        item.end = past_semicolon(s, j, hi);
    } else if (is_ident(kw, "extern") && next && is_ident(*next, "crate")) {
        item.kind = ItemKind::ExternCrate;
        if (at(j + 2) && s[j + 2].kind == TreeKind::Ident) item.name = j + 2;
        item.end = past_semicolon(s, j, hi);
    } else if (is_ident(kw, "extern") && next && is_group(*next, Delimiter::Brace)) {
        item.kind = ItemKind::Other;
        item.body = j + 1;
        item.end = next->end;
    } else if (any_ident(kw, {"static", "type"}) ||
               (is_ident(kw, "const") && next && !next->is_group())) {
        item.kind = ItemKind::Other;
        item.end = past_semicolon(s, j, hi);
    } else if (is_ident(kw, "macro_rules") && next && is_punct(*next, '!') && at(j + 2) &&
               s[j + 2].kind == TreeKind::Ident) {
        item.kind = ItemKind::MacroRules;
        item.name = j + 2;
        std::size_t g = j + 3;
        if (g >= hi || !s[g].is_group()) return Item{};
        item.body = g;
        item.end = s[g].end;
        if (s[g].delimiter != Delimiter::Brace && item.end < hi && is_punct(s[item.end], ';'))
            ++item.end;
    } else if (any_ident(kw, {"mod", "fn", "impl", "trait", "struct", "enum"}) ||
               (is_ident(kw, "union") && next && next->kind == TreeKind::Ident)) {
        std::string_view k = kw.text();
        named(k == "mod"      ? ItemKind::Mod
              : k == "fn"     ? ItemKind::Fn
              : k == "impl"   ? ItemKind::Impl
              : k == "trait"  ? ItemKind::Trait
              : k == "struct" ? ItemKind::Struct
              : k == "enum"   ? ItemKind::Enum
                              : ItemKind::Union);
        if (item.kind == ItemKind::Impl) item.name = npos;
        std::size_t tuple = npos;
        item.end =
            past_body(s, j + 1, hi, item.body, item.kind == ItemKind::Struct ? &tuple : nullptr);
        if (item.body == npos && tuple != npos) item.body = tuple;
    } else if (auto path = parse_path(s, j, hi); path && path->end + 1 < hi &&
                                                 is_punct(s[path->end], '!') &&
                                                 s[path->end + 1].is_group() && j == i) {
        std::size_t g = path->end + 1;
        std::size_t after = s[g].end;
        // `m!(..) + 1` is an expression; `m!(..);` and `m! {..}` are statements.
        bool braced = s[g].delimiter == Delimiter::Brace;
        if (!braced && after < hi && !is_punct(s[after], ';')) return item;
        item.kind = ItemKind::MacroCall;
        item.body = g;
        item.end = !braced && after < hi ? after + 1 : after;
    }
    return item;
}

std::size_t statement_end(const TokenStream& s, std::size_t i, std::size_t hi) {
    for (std::size_t k = i; k < hi; k = s.next_sibling(k)) {
        if (is_punct(s[k], ';')) return k + 1;
        if (is_group(s[k], Delimiter::Brace) && s[k].end < hi) {
            std::size_t n = s[k].end;
            if (is_punct(s[n], '#')) return n;
            ItemKind kind = classify_item(s, n, hi).kind;
            if (kind != ItemKind::None && kind != ItemKind::MacroCall) return n;
        }
    }
    return hi;
}

void find_compile_errors(const TokenStream& s,
                         std::vector<std::pair<std::string, tokens::Span>>& out) {
    for (std::size_t i = 0; i + 2 < s.size(); ++i) {
        if (!is_ident(s[i], "compile_error") || !is_punct(s[i + 1], '!') || !s[i + 2].is_group())
            continue;
        std::string message = "compile_error! with no message";
        for (std::size_t k = i + 3; k < s[i + 2].end; ++k)
            if (s[k].kind == TreeKind::Literal) {
                std::string_view t = s[k].text();
                message = tokens::string_literal_value(t).value_or(std::string(t));
                out.emplace_back(std::move(message), s[k].span);
                message.clear();
                break;
            }
        if (!message.empty()) out.emplace_back(message, s[i].span);
    }
}

} // namespace wasmacro::expand
