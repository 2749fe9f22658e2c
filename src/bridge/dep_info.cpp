#include "bridge/dep_info.hpp"

#include "common/file.hpp"

namespace wasmacro::bridge {

namespace fs = std::filesystem;

std::string make_escaped(std::string_view path) {
    std::string out;
    for (char c : path) {
        if (c == ' ') out += '\\';
        out += c;
    }
    return out;
}

std::string add_prerequisites(std::string text, const std::vector<std::string>& paths,
                              DepRules rules) {
    std::string deps, empty_rules;
    for (const std::string& p : paths) {
        std::string escaped = make_escaped(fs::absolute(p).lexically_normal().string());
        deps += " " + escaped;
        empty_rules += "\n" + escaped + ":\n";
    }
    if (rules == DepRules::First) {
        size_t first_rule_end = text.find('\n');
        if (first_rule_end == std::string::npos || text.find(':') > first_rule_end) return text;
        text.insert(first_rule_end, deps);
        return text + empty_rules;
    }
    // The empty rules of the inputs stay empty.
    std::string result;
    for (size_t line = 0; line < text.size();) {
        size_t nl = text.find('\n', line);
        if (nl == std::string::npos) nl = text.size();
        std::string_view l(text.data() + line, nl - line);
        result += l;
        size_t colon = l.find(": ");
        if (colon != std::string_view::npos && l.find_first_not_of(' ', colon + 1) != l.npos)
            result += deps;
        if (nl < text.size()) result += '\n';
        line = nl + 1;
    }
    return result + empty_rules;
}

std::string move_paths(std::string text, const fs::path& from_dir, const fs::path& to_dir) {
    std::string from = make_escaped(from_dir.string() + "/"),
                to = make_escaped(to_dir.string() + "/");
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

void edit_dep_info(const fs::path& path, const std::function<std::string(std::string)>& edit) {
    auto bytes = try_read_file(path.string());
    if (!bytes) return;
    write_file(path.string(), edit(std::string(bytes->begin(), bytes->end())));
}

} // namespace wasmacro::bridge
