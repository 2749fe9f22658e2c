#include "expand/diagnostic.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace wasmacro::expand {
namespace {

/// Line `line` (1-based) of `text`, without its newline.
std::string_view line_of(std::string_view text, uint32_t line) {
    size_t start = 0;
    for (uint32_t l = 1; l < line; ++l) {
        size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) return {};
        start = nl + 1;
    }
    size_t end = text.find('\n', start);
    return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

/// Characters in `s` (columns are counted in characters, as rustc does).
uint32_t char_count(std::string_view s) {
    uint32_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

} // namespace

std::string render(const Diagnostic& d, const SourceLookup& sources) {
    std::string out = fmt::format(
        "{}: {}\n", d.level == Diagnostic::Level::Error ? "error" : "warning", d.message);
    const std::string* name = d.span.has_location() ? sources.name(d.span.source) : nullptr;
    std::string gutter = " ";
    if (name != nullptr) {
        std::string number = std::to_string(d.span.line);
        gutter.assign(number.size(), ' ');
        out += fmt::format("{}--> {}:{}:{}\n", gutter, *name, d.span.line, d.span.col);
        const std::string* text = sources.text(d.span.source);
        if (text != nullptr) {
            std::string_view line = line_of(*text, d.span.line);
            uint32_t width = char_count(line);
            uint32_t from = std::max<uint32_t>(d.span.col, 1) - 1;
            uint32_t to = d.span.end_line == d.span.line ? d.span.end_col - 1 : width;
            uint32_t carets = to > from ? to - from : 1;
            out += fmt::format("{} |\n{} | {}\n{} | {}{}\n", gutter, number, line, gutter,
                               std::string(from, ' '), std::string(carets, '^'));
        }
    }
    for (const std::string& note : d.notes) out += fmt::format("{} = note: {}\n", gutter, note);
    return out;
}

} // namespace wasmacro::expand
