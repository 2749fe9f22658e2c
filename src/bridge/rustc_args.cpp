#include "bridge/rustc_args.hpp"

#include "common/error.hpp"
#include "tokens/unicode.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace wasmacro::bridge {

namespace fs = std::filesystem;

namespace {

bool ends_with_wasm(std::string_view path) {
    return path.size() > 5 && path.substr(path.size() - 5) == ".wasm";
}

/// `value` is `NAME=PATH` with PATH ending in `.wasm`: an `--extern` of ours.
bool is_wasm_extern(std::string_view value) {
    size_t eq = value.find('=');
    return eq != std::string_view::npos && value.ends_with(".wasm");
}

} // namespace

std::vector<WasmMacroArg> find_wasm_macros(const std::vector<std::string>& args) {
    std::vector<WasmMacroArg> found;
    auto take = [&](size_t index, bool separate, bool is_extern, std::string_view value) {
        size_t eq = value.find('=');
        if (is_extern && (eq == std::string_view::npos || !ends_with_wasm(value.substr(eq + 1))))
            return; // an ordinary --extern
        if (eq == std::string_view::npos || eq == 0 || eq + 1 == value.size())
            throw Error(fmt::format("--wasm-proc-macro expects NAME=PATH.wasm, got `{}`", value));
        std::string name(value.substr(0, eq));
        if (!tokens::is_crate_name(name))
            throw Error(fmt::format("{}: `{}` is not a valid crate name",
                                    is_extern ? "--extern" : "--wasm-proc-macro", name));
        found.push_back({index, separate, name, std::string(value.substr(eq + 1))});
    };
    for (size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        for (std::string_view flag : {"--wasm-proc-macro", "--extern"}) {
            bool is_extern = flag == "--extern";
            if (a == flag) {
                if (i + 1 >= args.size()) {
                    if (is_extern) break; // rustc reports it
                    throw Error("--wasm-proc-macro expects NAME=PATH.wasm");
                }
                take(i + 1, true, is_extern, args[i + 1]);
                ++i;
                break;
            }
            if (a.size() > flag.size() && a.substr(0, flag.size()) == flag &&
                a[flag.size()] == '=') {
                take(i, false, is_extern, a.substr(flag.size() + 1));
                break;
            }
        }
    }
    return found;
}

void use_macro_crates(std::vector<std::string>& args, const std::vector<WasmMacroArg>& wasm,
                      const std::vector<fs::path>& crates) {
    std::vector<std::string> extra;
    for (size_t i = 0; i < wasm.size(); ++i) {
        const WasmMacroArg& m = wasm[i];
        // A crate compiled against this one finds it again through the
        // search path, when it is a dependency of a dependency.
        extra.push_back("-L");
        extra.push_back("dependency=" + crates[i].parent_path().string());
        std::string value = m.name + "=" + crates[i].string();
        if (m.separate) {
            args[m.index - 1] = "--extern";
            args[m.index] = value;
        } else {
            args[m.index] = "--extern=" + value;
        }
    }
    args.insert(args.end(), extra.begin(), extra.end());
}

bool takes_value(std::string_view a) {
    static const char* const kFlags[] = {"-o",
                                         "--out-dir",
                                         "--crate-name",
                                         "--crate-type",
                                         "--edition",
                                         "--cfg",
                                         "--check-cfg",
                                         "-L",
                                         "-l",
                                         "--extern",
                                         "--emit",
                                         "--target",
                                         "-C",
                                         "-Z",
                                         "--cap-lints",
                                         "--error-format",
                                         "--json",
                                         "-W",
                                         "-A",
                                         "-D",
                                         "-F",
                                         "--force-warn",
                                         "--print",
                                         "--explain",
                                         "--color",
                                         "--remap-path-prefix",
                                         "--sysroot",
                                         "--diagnostic-width",
                                         "--wasm-proc-macro",
                                         "--env-set"};
    return std::find(std::begin(kFlags), std::end(kFlags), a) != std::end(kFlags);
}

std::vector<std::string> flag_values(const std::vector<std::string>& args, std::string_view flag) {
    std::vector<std::string> out;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        if (a == flag && i + 1 < args.size())
            out.push_back(args[++i]);
        else if (a.starts_with(flag) && a.size() > flag.size() &&
                 (a[flag.size()] == '=' || flag.size() == 2))
            out.emplace_back(a.substr(flag.size() + (a[flag.size()] == '=' ? 1 : 0)));
        else if (takes_value(a))
            ++i;
    }
    return out;
}

PreExpandArgs split_wasm_macros(const std::vector<std::string>& in) {
    PreExpandArgs out;
    for (size_t i = 0; i < in.size(); ++i) {
        const std::string& a = in[i];
        if ((a == "--wasm-proc-macro" || a == "--extern") && i + 1 < in.size() &&
            (a == "--wasm-proc-macro" || is_wasm_extern(in[i + 1]))) {
            out.macros.push_back(in[++i]);
            continue;
        }
        if (a.starts_with("--wasm-proc-macro=") ||
            (a.starts_with("--extern=") && is_wasm_extern(a))) {
            out.macros.push_back(a.substr(a.find('=') + 1));
            continue;
        }
        out.args.push_back(a);
        if (takes_value(a) && i + 1 < in.size())
            out.args.push_back(in[++i]);
        else if (!a.starts_with("-") && a.ends_with(".rs"))
            out.root_index = out.args.size() - 1;
    }
    return out;
}

fs::path output_dir(const std::vector<std::string>& args) {
    if (auto d = flag_values(args, "--out-dir"); !d.empty()) return d.back();
    if (auto o = flag_values(args, "-o"); !o.empty()) {
        fs::path p = fs::path(o.back()).parent_path();
        return p.empty() ? fs::path(".") : p;
    }
    return ".";
}

std::string crate_name(const std::vector<std::string>& args, const fs::path& root) {
    std::vector<std::string> names = flag_values(args, "--crate-name");
    std::string name = names.empty() ? root.stem().string() : names.back();
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

std::string extra_filename(const std::vector<std::string>& args) {
    std::string extra;
    for (const std::string& c : flag_values(args, "-C"))
        if (c.starts_with("extra-filename=")) extra = c.substr(15);
    return extra;
}

std::optional<fs::path> cargo_dep_info(const std::vector<std::string>& args) {
    auto emit = flag_values(args, "--emit");
    auto out_dir = flag_values(args, "--out-dir");
    auto crate = flag_values(args, "--crate-name");
    if (emit.empty() || out_dir.empty() || crate.empty() ||
        emit.back().find("dep-info") == std::string::npos ||
        emit.back().find("dep-info=") != std::string::npos)
        return std::nullopt;
    return fs::path(out_dir.back()) / (crate.back() + extra_filename(args) + ".d");
}

std::optional<fs::path> dep_info_path(const std::vector<std::string>& args, const fs::path& root) {
    for (const std::string& emit : flag_values(args, "--emit")) {
        size_t at = emit.find("dep-info");
        if (at == std::string::npos) continue;
        std::string_view rest = std::string_view(emit).substr(at + 8);
        if (rest.starts_with("=")) {
            std::string_view p = rest.substr(1);
            return fs::path(std::string(p.substr(0, p.find(','))));
        }
        return output_dir(args) / (crate_name(args, root) + extra_filename(args) + ".d");
    }
    return std::nullopt;
}

} // namespace wasmacro::bridge
