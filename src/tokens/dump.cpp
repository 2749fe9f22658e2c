#include "tokens/dump.hpp"

#include <fmt/format.h>

#include <ostream>
#include <sstream>

namespace wasmacro::tokens {

void append_one_line(std::string& out, std::string_view text) {
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F)
            out += fmt::format("\\u{{{:x}}}", c);
        else
            out += ch;
    }
}

void dump_text(const TokenStream& s, std::ostream& os) {
    std::string line;
    std::vector<std::size_t> ends;
    for (std::size_t i = 0; i < s.size(); ++i) {
        while (!ends.empty() && ends.back() == i) ends.pop_back();
        const Tree& t = s[i];
        line.clear();
        size_t depth = ends.size();
        line.append(std::min(depth, kDumpIndentLevels) * 2, ' ');
        if (depth > kDumpIndentLevels) line += fmt::format("[depth {}] ", depth);
        line += fmt::format("{}:{}-{}:{} {} ", t.span.line, t.span.col, t.span.end_line,
                            t.span.end_col, kind_name(t.kind));
        switch (t.kind) {
        case TreeKind::Group:
            line += t.delimiter == Delimiter::None ? "None" : open_char(t.delimiter);
            if (t.end > i + 1) ends.push_back(t.end);
            break;
        case TreeKind::Ident:
            if (t.raw) line += "r#";
            line += t.text();
            break;
        case TreeKind::Punct:
            line += t.text();
            line += t.spacing == Spacing::Joint ? " Joint" : " Alone";
            break;
        case TreeKind::Literal: append_one_line(line, t.text()); break;
        }
        line += '\n';
        os << line;
    }
}

std::string dump_text(const TokenStream& s) {
    std::ostringstream out;
    dump_text(s, out);
    return std::move(out).str();
}

} // namespace wasmacro::tokens
