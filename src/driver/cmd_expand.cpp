// `wasmacro expand CRATE_ROOT.rs [--wasm-proc-macro NAME=FILE.wasm]... -o OUT_DIR`:
// pre-expand mode (src/expand). Writes the crate with every invocation of a
// wasm macro expanded, for a rustc that cannot load proc-macro crates.
#include "driver/commands.hpp"

#include "expand/expand.hpp"
#include "macros/library.hpp"
#include "tokens/unicode.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <ostream>

namespace wasmacro::driver {
namespace {

struct ExpandOptions {
    std::string root;
    std::vector<std::string> wasm_macros, externs, cfgs;
    std::string edition = "2015";
    std::string crate_type;
    std::string out_dir;
    bool source_map = false;
    bool test = false;
    unsigned max_depth = expand::kDefaultMaxDepth;
    wasm::SandboxLimits limits;
    bool no_cache = false;
};

/// rustc's flags that change nothing expand does: refused with a word on where
/// they belong, so that a command line copied from rustc is not half obeyed.
std::string refusal(const std::string& arg) {
    static const char* const kRustcFlags[] = {"-L",           "-l",
                                              "-C",           "-Z",
                                              "-O",           "-g",
                                              "-W",           "-A",
                                              "-D",           "-F",
                                              "--target",     "--emit",
                                              "--crate-name", "--out-dir",
                                              "--cap-lints",  "--error-format",
                                              "--json",       "--sysroot",
                                              "--print",      "--explain",
                                              "--color",      "--remap-path-prefix",
                                              "--check-cfg",  "--diagnostic-width",
                                              "-v",           "--verbose"};
    for (const char* f : kRustcFlags) {
        std::string_view flag = f;
        if (arg == flag || (arg.starts_with(flag) && (flag.size() == 2 || arg[flag.size()] == '=')))
            return fmt::format("`{}` is a rustc flag that `wasmacro expand` does not take: pass it "
                               "to the rustc that compiles OUT_DIR",
                               arg);
    }
    return fmt::format("unexpected argument `{}`", arg);
}

void load_macro(macros::Registry& registry, const std::string& flag, const std::string& value,
                const wasm::SandboxLimits& limits, const std::shared_ptr<cache::Store>& cache) {
    size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == value.size())
        throw Error(fmt::format("{} expects NAME=PATH.wasm, got `{}`", flag, value));
    std::string name = value.substr(0, eq), path = value.substr(eq + 1);
    if (!tokens::is_crate_name(name))
        throw Error(fmt::format("{}: `{}` is not a valid crate name", flag, name));
    if (flag == "--extern" && !path.ends_with(".wasm"))
        throw Error(fmt::format("--extern {}: only wasm macro crates (NAME=FILE.wasm) are "
                                "expanded; pass other crates to the rustc that compiles OUT_DIR",
                                value));
    if (registry.find_crate(name))
        throw Error(fmt::format("{}: the crate name `{}` is given twice", flag, name));
    registry.add(name, load_library(path, limits, cache));
}

void run_expand(const ExpandOptions& o, const std::vector<std::string>& extras, Context& ctx) {
    if (!extras.empty()) throw Error(refusal(extras.front()));
    expand::Options options;
    if (!tokens::parse_edition(o.edition, options.edition))
        throw Error(fmt::format("argument for `--edition` must be one of: 2015|2018|2021|2024. "
                                "(instead was `{}`)",
                                o.edition));
    static const char* const kCrateTypes[] = {"bin",    "lib",       "rlib",      "dylib",
                                              "cdylib", "staticlib", "proc-macro"};
    if (!o.crate_type.empty() && std::find(std::begin(kCrateTypes), std::end(kCrateTypes),
                                           o.crate_type) == std::end(kCrateTypes))
        throw Error(fmt::format("unknown crate type: `{}`", o.crate_type));
    for (const std::string& spec : o.cfgs) options.cfg.add_spec(spec);
    if (o.test) options.cfg.insert("test");
    options.max_depth = o.max_depth;
    options.limit_hint = limit_hint;

    macros::Registry registry;
    std::shared_ptr<cache::Store> cache = open_expansion_cache(o.no_cache, ctx.err);
    for (const std::string& v : o.wasm_macros)
        load_macro(registry, "--wasm-proc-macro", v, o.limits, cache);
    for (const std::string& v : o.externs) load_macro(registry, "--extern", v, o.limits, cache);

    expand::CrateExpansion crate = expand::expand_crate(o.root, registry, options);
    ctx.err << crate.render_all();
    if (!crate.ok()) {
        ctx.exit_code = 1;
        return;
    }
    expand::write_crate(crate, o.out_dir, o.source_map);
}

} // namespace

void add_expand_command(CLI::App& app, Context& ctx) {
    auto opts = std::make_shared<ExpandOptions>();
    CLI::App* cmd = app.add_subcommand(
        "expand", "Expand the wasm macros of a crate and write source that any rustc compiles");
    cmd->add_option("CRATE_ROOT", opts->root, "The crate root, e.g. src/main.rs")->required();
    cmd->add_option("--wasm-proc-macro", opts->wasm_macros, "A wasm macro crate: NAME=FILE.wasm");
    cmd->add_option("--extern", opts->externs, "The same, rustc's way: NAME=FILE.wasm");
    cmd->add_option("--edition", opts->edition, "The crate's edition (rustc's default: 2015)");
    cmd->add_option("--cfg", opts->cfgs, "A cfg option, `name` or `name=\"value\"`");
    cmd->add_option("--crate-type", opts->crate_type, "bin, lib, ... (as rustc takes it)");
    cmd->add_flag("--test", opts->test, "Set cfg(test), as rustc --test does");
    cmd->add_option("-o,--out-dir", opts->out_dir, "Where to write the expanded crate")->required();
    cmd->add_flag("--source-map", opts->source_map,
                  "Also write OUT_DIR/wasmacro-map.json: expanded ranges and their invocations");
    cmd->add_option("--max-expansion-depth", opts->max_depth,
                    "How deep macro output may expand into further invocations")
        ->capture_default_str();
    add_sandbox_options(*cmd, opts->limits);
    cmd->add_flag("--no-cache", opts->no_cache, "Run every macro even if its expansion is cached");
    cmd->allow_extras();
    cmd->callback([opts, cmd, &ctx] { run_expand(*opts, cmd->remaining(), ctx); });
}

} // namespace wasmacro::driver
