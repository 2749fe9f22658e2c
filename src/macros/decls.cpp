// The `.rustc_proc_macro_decls` section: its records, and writing it into a module.
#include "abi/host.hpp"
#include "macros/library.hpp"
#include "tokens/unicode.hpp"

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

bool is_identifier(std::string_view s) {
    if (s.empty() || !tokens::is_valid_utf8(s)) return false;
    bool first = true;
    for (size_t i = 0; i < s.size();) {
        size_t len = 1;
        char32_t c = tokens::decode_utf8(s, i, len);
        if (first ? !tokens::is_ident_start(c) : !tokens::is_ident_continue(c)) return false;
        first = false;
        i += len;
    }
    return s != "_";
}

/// Why `name` cannot name a macro or a helper attribute, or empty if it can.
/// The rules are rustc's, checked here so that a bad name is an error at
/// load time rather than a confusing one from inside the bridge crate.
std::string name_problem(std::string_view name, std::string_view what) {
    if (!is_identifier(name)) return fmt::format("`{}` is not {}", name, what);
    if (tokens::is_keyword(name))
        return fmt::format("`{}` is a Rust keyword and cannot be {}", name, what);
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

uint32_t read_leb_u32(std::span<const uint8_t> bytes, size_t& pos, const char* what) {
    uint64_t value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        if (pos >= bytes.size())
            throw wasm::DecodeError("module", pos, fmt::format("unexpected end in {}", what));
        uint8_t b = bytes[pos++];
        value |= uint64_t{b & 0x7Fu} << shift;
        if (!(b & 0x80)) {
            if (value > UINT32_MAX)
                throw wasm::DecodeError("module", pos, fmt::format("{} is too large", what));
            return static_cast<uint32_t>(value);
        }
    }
    throw wasm::DecodeError("module", pos, fmt::format("{} is too long", what));
}

void write_leb_u32(std::vector<uint8_t>& out, uint32_t v) {
    do {
        uint8_t b = v & 0x7F;
        v >>= 7;
        if (v) b |= 0x80;
        out.push_back(b);
    } while (v);
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
    size_t line_number = 0;
    for (std::string_view raw_line : split(text, '\n')) {
        ++line_number;
        // NULs are padding between the statics a linker concatenates: they
        // separate records as a newline does.
        for (std::string_view piece : split(raw_line, '\0')) {
            std::string_view line = trim(piece);
            if (line.empty()) continue;
            auto fail = [&](std::string_view why) {
                return DeclsError(
                    fmt::format("{} line {}: `{}`: {}", kDeclsSection, line_number, line, why));
            };
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
                if (fields.size() == 4) {
                    for (std::string_view h : split(fields[3], ',')) {
                        h = trim(h);
                        std::string problem = name_problem(h, "a helper attribute name");
                        if (!problem.empty()) throw fail(problem);
                        m.helpers.emplace_back(h);
                    }
                }
            } else if (kind == "attr" || kind == "bang") {
                m.kind = kind == "attr" ? MacroKind::Attribute : MacroKind::Bang;
                if (fields.size() != 3)
                    throw fail(fmt::format("expected {}:<name>:<export>", kind));
            } else {
                throw fail(
                    fmt::format("unknown record kind `{}` (derive, attr, bang or edition)", kind));
            }
            std::string problem = name_problem(fields[1], "a macro name");
            if (!problem.empty()) throw fail(problem);
            if (fields[2].empty()) throw fail("the export name is empty");
            m.name = fields[1];
            m.export_name = fields[2];
            // Derives, attributes and function-like macros share rustc's
            // macro namespace, whose names are compared after NFC.
            for (const MacroDecl& other : decls.macros) {
                if (other.name == m.name && other.kind == m.kind)
                    throw fail(fmt::format("{} `{}` is declared twice", name(m.kind), m.name));
                if (normalized(other.name) == normalized(m.name))
                    throw fail(fmt::format("{} `{}` has the same name as {} `{}`{}", name(m.kind),
                                           m.name, name(other.kind), other.name,
                                           other.name == m.name
                                               ? " (one crate's macros share one namespace)"
                                               : " once both are in Unicode NFC, as rustc "
                                                 "compares them"));
            }
            decls.macros.push_back(std::move(m));
        }
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
    if (wasm.size() < 8) throw wasm::DecodeError("module", 0, "too short for a module header");
    std::vector<uint8_t> out(wasm.begin(), wasm.begin() + 8);
    out.reserve(wasm.size() + 256);
    size_t pos = 8;
    while (pos < wasm.size()) {
        size_t start = pos;
        uint8_t id = wasm[pos++];
        uint32_t size = read_leb_u32(wasm, pos, "a section size");
        if (size > wasm.size() - pos)
            throw wasm::DecodeError("module", start, "a section runs past the end of the module");
        size_t end = pos + size;
        bool drop = false;
        if (id == 0) {
            size_t p = pos;
            uint32_t len = read_leb_u32(wasm, p, "a custom section name");
            if (len <= end - p && std::string_view(reinterpret_cast<const char*>(wasm.data() + p),
                                                   len) == kDeclsSection)
                drop = true;
        }
        if (!drop) out.insert(out.end(), wasm.begin() + start, wasm.begin() + end);
        pos = end;
    }
    std::string text = format_decls(decls);
    std::vector<uint8_t> payload;
    write_leb_u32(payload, static_cast<uint32_t>(kDeclsSection.size()));
    payload.insert(payload.end(), kDeclsSection.begin(), kDeclsSection.end());
    payload.insert(payload.end(), text.begin(), text.end());
    out.push_back(0);
    write_leb_u32(out, static_cast<uint32_t>(payload.size()));
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

} // namespace wasmacro::macros
