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

#include "bridge/dep_info.hpp"
#include "bridge/process.hpp"
#include "bridge/rustc_args.hpp"
#include "common/file.hpp"
#include "expand/expand.hpp"
#include "macros/library.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <ostream>

namespace wasmacro::driver {
namespace {

namespace fs = std::filesystem;

/// rustc's cfg options for these arguments: --cfg, --test, and
/// debug_assertions as -C debug-assertions and the optimisation level set it.
expand::Options expand_options(const std::vector<std::string>& args) {
    expand::Options o;
    o.limit_hint = limit_hint;
    for (const std::string& e : bridge::flag_values(args, "--edition"))
        if (!tokens::parse_edition(e, o.edition))
            throw Error(fmt::format("unknown edition `{}`", e));
    for (const std::string& c : bridge::flag_values(args, "--cfg")) o.cfg.add_spec(c);
    if (std::find(args.begin(), args.end(), "--test") != args.end()) o.cfg.insert("test");
    std::optional<bool> debug;
    bool optimised = std::find(args.begin(), args.end(), "-O") != args.end();
    for (const std::string& c : bridge::flag_values(args, "-C")) {
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

void load(macros::Registry& registry, const std::string& spec,
          const std::shared_ptr<cache::Store>& cache) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw Error(fmt::format("--wasm-proc-macro expects NAME=PATH.wasm, got `{}`", spec));
    std::string name = spec.substr(0, eq), path = spec.substr(eq + 1);
    if (registry.find_crate(name)) return; // Cargo may repeat RUSTFLAGS' flags
    registry.add(name, load_library(path, limits_from_environment(), cache));
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
    bridge::PreExpandArgs inv = bridge::split_wasm_macros(in);
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
            std::shared_ptr<cache::Store> cache = open_expansion_cache(false, ctx.err);
            for (const std::string& m : inv.macros) {
                load(registry, m, cache);
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
                expanded_dir = fs::absolute(bridge::output_dir(inv.args) / "wasmacro-pre-expand" /
                                            (bridge::crate_name(inv.args, root) +
                                             bridge::extra_filename(inv.args)))
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
    int status = bridge::run_inherited(std::move(command), ctx.err);
    if (status == 0 && !wasm_paths.empty() && inv.root_index) {
        try {
            // The original files where rustc wrote the expanded copies, and
            // the wasm modules as prerequisites of every output.
            const fs::path& written = expanded_dir.empty() ? original_dir : expanded_dir;
            if (auto d = bridge::dep_info_path(inv.args, root))
                bridge::edit_dep_info(*d, [&](std::string text) {
                    return bridge::add_prerequisites(
                        bridge::move_paths(std::move(text), written, original_dir), wasm_paths,
                        bridge::DepRules::WithPrerequisites);
                });
        } catch (const std::exception& e) {
            ctx.err << "warning: wasmacro: could not rewrite the dep-info: " << e.what() << "\n";
        }
    }
    return status;
}

} // namespace wasmacro::driver
