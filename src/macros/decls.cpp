// The `.rustc_proc_macro_decls` section: its records, and writing it into a module.
#include "abi/host.hpp"
#include "macros/library.hpp"
#include "tokens/unicode.hpp"
#include "wasm/binary.hpp"

#include <fmt/format.h>

namespace wasmacro::macros {

namespace {

std::string_view trim(std::string_view s) {
    auto space = [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
    };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    for (;;) {
        size_t at = s.find(sep);
        parts.push_back(s.substr(0, at));
        if (at == std::string_view::npos) return parts;
        s.remove_prefix(at + 1);
    }
}

/// Why `name` cannot name a macro or a helper attribute in a crate of
/// `edition`, or empty if it can. The rules are rustc's, checked here so that
/// a bad name is an error at load time rather than a confusing one from
/// inside the bridge crate, which is compiled with the macro's edition.
std::string name_problem(std::string_view name, std::string_view what, tokens::Edition edition) {
    if (!tokens::is_identifier_text(name) || name == "_")
        return fmt::format("`{}` is not {}", name, what);
    if (tokens::is_keyword(name, edition))
        return fmt::format("`{}` is a keyword in Rust {} and cannot be {}", name,
                           tokens::edition_name(edition), what);
    if (name.starts_with(kReservedPrefix))
        return fmt::format("`{}` starts with `{}`, which wasmacro keeps for the items it "
                           "generates",
                           name, kReservedPrefix);
    return {};
}

/// The form rustc compares identifiers in: Unicode NFC.
std::string normalized(std::string_view name) {
    std::string out;
    if (!tokens::to_nfc(name, out)) out = name;
    return out;
}

/// Why `m` cannot join `earlier`, or empty if it can. Derives, attributes
/// and function-like macros share rustc's macro namespace, whose names are
/// compared after NFC.
std::string clash(const MacroDecl& m, const std::vector<MacroDecl>& earlier) {
    for (const MacroDecl& other : earlier) {
        if (other.name == m.name && other.kind == m.kind)
            return fmt::format("{} `{}` is declared twice", name(m.kind), m.name);
        if (normalized(other.name) == normalized(m.name))
            return fmt::format("{} `{}` has the same name as {} `{}`{}", name(m.kind), m.name,
                               name(other.kind), other.name,
                               other.name == m.name ? " (one crate's macros share one namespace)"
                                                    : " once both are in Unicode NFC, as rustc "
                                                      "compares them");
    }
    return {};
}

/// Why `m` cannot follow `earlier` in a module of `edition`, or empty if it
/// can: the rules parse_decls and check_names share.
std::string macro_problem(const MacroDecl& m, const std::vector<MacroDecl>& earlier,
                          tokens::Edition edition) {
    std::string problem = name_problem(m.name, "a macro name", edition);
    for (size_t i = 0; problem.empty() && i < m.helpers.size(); ++i)
        problem = name_problem(m.helpers[i], "a helper attribute name", edition);
    if (problem.empty() && m.export_name.empty()) problem = "the export name is empty";
    if (problem.empty()) problem = clash(m, earlier);
    return problem;
}

} // namespace

std::string_view name(MacroKind kind) {
    switch (kind) {
    case MacroKind::Derive: return "derive";
    case MacroKind::Attribute: return "attr";
    case MacroKind::Bang: return "bang";
    }
    return "derive";
}

const MacroDecl* Decls::find(std::string_view macro_name) const {
    for (const MacroDecl& m : macros)
        if (m.name == macro_name) return &m;
    return nullptr;
}

Decls parse_decls(std::string_view text) {
    Decls decls;
    bool have_edition = false;
    // Where each macro's record is, for its error: names are checked once the
    // whole section is read, since the edition record may come after them.
    struct Where {
        size_t line_number;
        std::string_view line;
    };
    std::vector<Where> records;
    auto error = [](size_t line_number, std::string_view line, std::string_view why) {
        return DeclsError(
            fmt::format("{} line {}: `{}`: {}", kDeclsSection, line_number, line, why));
    };
    size_t line_number = 0;
    for (std::string_view raw_line : split(text, '\n')) {
        ++line_number;
        // NULs are padding between the statics a linker concatenates: they
        // separate records as a newline does.
        for (std::string_view piece : split(raw_line, '\0')) {
            std::string_view line = trim(piece);
            if (line.empty()) continue;
            auto fail = [&](std::string_view why) { return error(line_number, line, why); };
            if (!tokens::is_valid_utf8(line)) throw fail("not valid UTF-8");
            std::vector<std::string_view> fields = split(line, ':');
            for (std::string_view& f : fields) f = trim(f);
            std::string_view kind = fields[0];
            if (kind == "edition") {
                if (fields.size() != 2) throw fail("expected edition:<2015|2018|2021|2024>");
                if (have_edition) throw fail("a second edition record");
                if (!tokens::parse_edition(fields[1], decls.edition))
                    throw fail(fmt::format("unknown edition `{}`", fields[1]));
                have_edition = true;
                continue;
            }
            MacroDecl m;
            if (kind == "derive") {
                m.kind = MacroKind::Derive;
                if (fields.size() != 3 && fields.size() != 4)
                    throw fail(
                        "expected derive:<Trait>:<export> or derive:<Trait>:<export>:<helper>,...");
                if (fields.size() == 4)
                    for (std::string_view h : split(fields[3], ','))
                        m.helpers.emplace_back(trim(h));
            } else if (kind == "attr" || kind == "bang") {
                m.kind = kind == "attr" ? MacroKind::Attribute : MacroKind::Bang;
                if (fields.size() != 3)
                    throw fail(fmt::format("expected {}:<name>:<export>", kind));
            } else {
                throw fail(
                    fmt::format("unknown record kind `{}` (derive, attr, bang or edition)", kind));
            }
            m.name = fields[1];
            m.export_name = fields[2];
            decls.macros.push_back(std::move(m));
            records.push_back({line_number, line});
        }
    }
    std::vector<MacroDecl> earlier;
    for (size_t i = 0; i < decls.macros.size(); ++i) {
        std::string problem = macro_problem(decls.macros[i], earlier, decls.edition);
        if (!problem.empty()) throw error(records[i].line_number, records[i].line, problem);
        earlier.push_back(decls.macros[i]);
    }
    return decls;
}

std::string format_decls(const Decls& decls) {
    std::string out;
    for (const MacroDecl& m : decls.macros) {
        out += fmt::format("{}:{}:{}", name(m.kind), m.name, m.export_name);
        if (!m.helpers.empty()) out += fmt::format(":{}", fmt::join(m.helpers, ","));
        out += '\n';
    }
    out += fmt::format("edition:{}\n", tokens::edition_name(decls.edition));
    return out;
}

std::optional<Decls> read_decls(const wasm::Module& module) {
    auto section = module.custom_section(kDeclsSection);
    if (!section) return std::nullopt;
    return parse_decls(
        std::string_view(reinterpret_cast<const char*>(section->data()), section->size()));
}

void check_names(const Decls& decls) {
    std::vector<MacroDecl> earlier;
    for (const MacroDecl& m : decls.macros) {
        std::string problem = macro_problem(m, earlier, decls.edition);
        if (!problem.empty())
            throw DeclsError(fmt::format("{} `{}`: {}", name(m.kind), m.name, problem));
        earlier.push_back(m);
    }
}

void check_exports(const wasm::Module& module, const Decls& decls) {
    for (const MacroDecl& m : decls.macros) {
        size_t params = m.kind == MacroKind::Attribute ? 2 : 1;
        if (abi::is_entry_point(module, m.export_name, params)) continue;
        bool exported = false;
        for (const wasm::Export& e : module.exports)
            if (e.name == m.export_name && e.kind == wasm::ExternKind::Func) exported = true;
        if (!exported)
            throw DeclsError(fmt::format("{} `{}`: the module has no exported function \"{}\"",
                                         name(m.kind), m.name, m.export_name));
        throw DeclsError(fmt::format("{} `{}`: export \"{}\" must have type {}", name(m.kind),
                                     m.name, m.export_name,
                                     params == 2 ? "(i32, i32) -> (i32)" : "(i32) -> (i32)"));
    }
}

std::vector<uint8_t> with_decls_section(std::span<const uint8_t> wasm, const Decls& decls) {
    std::string text = format_decls(decls);
    return wasm::with_custom_section(wasm, kDeclsSection,
                                     {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

} // namespace wasmacro::macros
