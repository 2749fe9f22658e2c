#include "tokens/dump.hpp"

#include <fmt/format.h>

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

std::string dump_text(const TokenStream& s) {
    std::string out;
    std::vector<std::size_t> ends;
    for (std::size_t i = 0; i < s.size(); ++i) {
        while (!ends.empty() && ends.back() == i) ends.pop_back();
        const Tree& t = s[i];
        out.append(ends.size() * 2, ' ');
        out += fmt::format("{}:{}-{}:{} {} ", t.span.line, t.span.col, t.span.end_line,
                           t.span.end_col, kind_name(t.kind));
        switch (t.kind) {
        case TreeKind::Group:
            out += t.delimiter == Delimiter::None ? "None" : open_char(t.delimiter);
            if (t.end > i + 1) ends.push_back(t.end);
            break;
        case TreeKind::Ident:
            if (t.raw) out += "r#";
            out += t.text();
            break;
        case TreeKind::Punct:
            out += t.text();
            out += t.spacing == Spacing::Joint ? " Joint" : " Alone";
            break;
        case TreeKind::Literal: append_one_line(out, t.text()); break;
        }
        out += '\n';
    }
    return out;
}

} // namespace wasmacro::tokens
