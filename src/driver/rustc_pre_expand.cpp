// `wasmacro rustc --pre-expand ARGS...` (or WASMACRO_MODE=pre-expand when
// wasmacro is Cargo's RUSTC_WRAPPER): pre-expands the crate root rustc was
// given (src/expand) into a directory under rustc's output directory, then
// runs the real rustc on the expanded root with every other argument as it
// was and no macro crate at all. The expanded crate keeps its line numbers,
// and rustc is told to call its files by their original paths
// (--remap-path-prefix), so its messages point into the crate as written;
// the dep-info it writes is rewritten to name the original files plus the
// .wasm modules, so that Cargo rebuilds when any of them changes.
#include "driver/commands.hpp"

#include "expand/expand.hpp"
#include "macros/library.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <ostream>

namespace wasmacro::driver {
namespace {

namespace fs = std::filesystem;

/// rustc's options that take their value as the next argument.
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

/// Every value of `flag` (`--flag V` or `--flag=V`; for one-letter flags
/// also `-CV`), in order.
std::vector<std::string> values(const std::vector<std::string>& args, std::string_view flag) {
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

struct Invocation {
    std::vector<std::string> args;    ///< rustc's, without the wasm macro arguments
    std::vector<std::string> macros;  ///< NAME=FILE.wasm
    std::optional<size_t> root_index; ///< the .rs input in `args`
};

Invocation split(const std::vector<std::string>& in) {
    Invocation inv;
    for (size_t i = 0; i < in.size(); ++i) {
        const std::string& a = in[i];
        auto wasm_value = [](std::string_view v) {
            size_t eq = v.find('=');
            return eq != std::string_view::npos && v.ends_with(".wasm");
        };
        if ((a == "--wasm-proc-macro" || a == "--extern") && i + 1 < in.size() &&
            (a == "--wasm-proc-macro" || wasm_value(in[i + 1]))) {
            inv.macros.push_back(in[++i]);
            continue;
        }
        if (a.starts_with("--wasm-proc-macro=") || (a.starts_with("--extern=") && wasm_value(a))) {
            inv.macros.push_back(a.substr(a.find('=') + 1));
            continue;
        }
        inv.args.push_back(a);
        if (takes_value(a) && i + 1 < in.size())
            inv.args.push_back(in[++i]);
        else if (!a.starts_with("-") && a.ends_with(".rs"))
            inv.root_index = inv.args.size() - 1;
    }
    return inv;
}

/// rustc's cfg options for these arguments: --cfg, --test, and
/// debug_assertions as -C debug-assertions and the optimisation level set it.
expand::Options expand_options(const std::vector<std::string>& args) {
    expand::Options o;
    for (const std::string& e : values(args, "--edition"))
        if (!tokens::parse_edition(e, o.edition))
            throw Error(fmt::format("unknown edition `{}`", e));
    for (const std::string& c : values(args, "--cfg")) o.cfg.add_spec(c);
    if (std::find(args.begin(), args.end(), "--test") != args.end()) o.cfg.insert("test");
    std::optional<bool> debug;
    bool optimised = std::find(args.begin(), args.end(), "-O") != args.end();
    for (const std::string& c : values(args, "-C")) {
        if (c.starts_with("opt-level=")) optimised = c != "opt-level=0";
        if (c == "debug-assertions" || c == "debug-assertions=yes" || c == "debug-assertions=on" ||
            c == "debug-assertions=true" || c == "debug-assertions=y")
            debug = true;
        if (c == "debug-assertions=no" || c == "debug-assertions=off" ||
            c == "debug-assertions=false" || c == "debug-assertions=n")
            debug = false;
    }
    if (!debug.value_or(!optimised)) o.cfg.erase("debug_assertions");
    return o;
}

std::string last_or(const std::vector<std::string>& v, std::string fallback) {
    return v.empty() ? fallback : v.back();
}

/// Where rustc puts its outputs: --out-dir, beside -o, or here.
fs::path output_dir(const std::vector<std::string>& args) {
    if (auto d = values(args, "--out-dir"); !d.empty()) return d.back();
    if (auto o = values(args, "-o"); !o.empty()) {
        fs::path p = fs::path(o.back()).parent_path();
        return p.empty() ? fs::path(".") : p;
    }
    return ".";
}

std::string crate_name(const std::vector<std::string>& args, const fs::path& root) {
    std::string name = last_or(values(args, "--crate-name"), root.stem().string());
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

std::string extra_filename(const std::vector<std::string>& args) {
    std::string extra;
    for (const std::string& c : values(args, "-C"))
        if (c.starts_with("extra-filename=")) extra = c.substr(15);
    return extra;
}

/// The dep-info file rustc will write, if --emit asks for one.
std::optional<fs::path> dep_info_path(const std::vector<std::string>& args, const fs::path& root) {
    for (const std::string& emit : values(args, "--emit")) {
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

std::string make_escaped(const std::string& path) {
    std::string out;
    for (char c : path) {
        if (c == ' ') out += '\\';
        out += c;
    }
    return out;
}

/// Names the original files where rustc wrote the expanded copies, and adds
/// the wasm modules as prerequisites (with empty rules, as rustc does for
/// its inputs, so that a deleted module is a rebuild, not an error).
void rewrite_dep_info(const fs::path& dep_info, const fs::path& expanded_dir,
                      const fs::path& original_dir, const std::vector<std::string>& wasm_paths) {
    std::ifstream in(dep_info, std::ios::binary);
    if (!in) return;
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    in.close();
    std::string from = make_escaped(expanded_dir.string() + "/"),
                to = make_escaped(original_dir.string() + "/");
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    std::string deps, rules;
    for (const std::string& p : wasm_paths) {
        std::string escaped = make_escaped(fs::absolute(p).lexically_normal().string());
        deps += " " + escaped;
        rules += "\n" + escaped + ":\n";
    }
    // Every rule with prerequisites (one per output file) gets the modules;
    // the empty rules of the inputs stay empty.
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
    text = std::move(result);
    text += rules;
    std::ofstream out(dep_info, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw Error("cannot write " + dep_info.string());
}

void load(macros::Registry& registry, const std::string& spec) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw Error(fmt::format("--wasm-proc-macro expects NAME=PATH.wasm, got `{}`", spec));
    std::string name = spec.substr(0, eq), path = spec.substr(eq + 1);
    if (registry.find_crate(name)) return; // Cargo may repeat RUSTFLAGS' flags
    registry.add(name,
                 macros::Library::load(read_file_bytes(path), fs::path(path).filename().string()));
}

} // namespace

bool wants_pre_expand(std::vector<std::string>& args) {
    auto flag = std::find(args.begin(), args.end(), "--pre-expand");
    bool found = flag != args.end();
    if (found) args.erase(flag);
    const char* mode = std::getenv("WASMACRO_MODE");
    return found || (mode != nullptr && std::string_view(mode) == "pre-expand");
}

int run_rustc_pre_expand(const std::string& rustc, const std::vector<std::string>& in,
                         Context& ctx) {
    Invocation inv = split(in);
    std::vector<std::string> command;
    if (const char* wrapper = std::getenv("WASMACRO_RUSTC_WRAPPER"); wrapper != nullptr && *wrapper)
        command.push_back(wrapper);
    command.push_back(rustc);

    std::vector<std::string> wasm_paths;
    fs::path expanded_dir, original_dir, root;
    try {
        if (!inv.macros.empty() && inv.root_index) {
            root = inv.args[*inv.root_index];
            macros::Registry registry;
            for (const std::string& m : inv.macros) {
                load(registry, m);
                wasm_paths.push_back(m.substr(m.find('=') + 1));
            }
            expand::CrateExpansion crate =
                expand::expand_crate(root.string(), registry, expand_options(inv.args));
            ctx.err << crate.render_all();
            if (!crate.ok()) return 1;
            bool changed = std::any_of(crate.files.begin(), crate.files.end(),
                                       [](const expand::OutputFile& f) { return f.changed; });
            // A crate without invocations (a dependency Cargo builds with the
            // same RUSTFLAGS) compiles as it is, with its include!d files.
            original_dir = fs::absolute(root).lexically_normal().parent_path();
            if (changed) {
                expanded_dir = fs::absolute(output_dir(inv.args) / "wasmacro-pre-expand" /
                                            (crate_name(inv.args, root) + extra_filename(inv.args)))
                                   .lexically_normal();
                expand::write_crate(crate, expanded_dir.string(), false);
                inv.args[*inv.root_index] = (expanded_dir / root.filename()).string();
                inv.args.push_back("--remap-path-prefix=" + expanded_dir.string() + "=" +
                                   original_dir.string());
            }
        }
    } catch (const std::exception& e) {
        ctx.err << "error: wasmacro: " << e.what() << "\n";
        return 1;
    }
    command.insert(command.end(), inv.args.begin(), inv.args.end());
    int status = run_inherited(std::move(command), ctx.err);
    if (status == 0 && !wasm_paths.empty() && inv.root_index) {
        try {
            if (auto d = dep_info_path(inv.args, root))
                rewrite_dep_info(*d, expanded_dir.empty() ? original_dir : expanded_dir,
                                 original_dir, wasm_paths);
        } catch (const std::exception& e) {
            ctx.err << "warning: wasmacro: could not rewrite the dep-info: " << e.what() << "\n";
        }
    }
    return status;
}

} // namespace wasmacro::driver
