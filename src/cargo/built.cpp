#include "cargo/built.hpp"

#include "bridge/cache.hpp"
#include "bridge/process.hpp"
#include "build/build.hpp"
#include "common/digest.hpp"

#include <fmt/format.h>

#include <ostream>
#include <system_error>
#include <unistd.h>

namespace wasmacro::cargo {

namespace fs = std::filesystem;

std::string built_macro_key(const ProcMacroPackage& package, const std::string& toolchain,
                            const std::string& wasmacro_version) {
    Sha256 digest;
    // Each part ends in a byte no part holds, so that parts cannot shift.
    for (const std::string& part : {package.name, package.version, toolchain, wasmacro_version})
        digest.add(part).add(std::string_view("\0", 1));
    for (const std::string& feature : package.enabled) digest.add(feature).add("\n");
    return digest.finish_hex();
}

fs::path built_macro_path(const fs::path& dir, const ProcMacroPackage& package,
                          const std::string& key) {
    return dir / fmt::format("{}-{}-{}.wasm", package.name, package.version, key.substr(0, 16));
}

namespace {

/// `rustc -vV` and `cargo -V` of the toolchain `wasmacro build` uses; empty
/// if either cannot run (the build then says why).
std::string toolchain_identity(const build::Toolchain& tc) {
    std::string rustc, cargo;
    if (bridge::run_captured({tc.rustc, "-vV"}, rustc, bridge::Capture::StdoutOnly) != 0 ||
        bridge::run_captured({tc.cargo, "-V"}, cargo, bridge::Capture::StdoutOnly) != 0)
        return {};
    return rustc + cargo;
}

/// The first line of a message, for a one-line origin.
std::string first_line(std::string_view text) {
    return std::string(text.substr(0, text.find('\n')));
}

} // namespace

void add_built_macros(std::vector<MacroChoice>& choices, bool build, std::ostream& err) {
    std::vector<MacroChoice*> wanted;
    for (MacroChoice& c : choices)
        if (!c.wasm && !c.unused && !patch_table(c.package.source).empty()) wanted.push_back(&c);
    if (wanted.empty()) return;

    const build::Toolchain tc = build::find_toolchain();
    const std::string toolchain = toolchain_identity(tc);
    const fs::path dir = bridge::cache_root() / "macros";
    for (MacroChoice* c : wanted) {
        const ProcMacroPackage& p = c->package;
        const fs::path module =
            built_macro_path(dir, p, built_macro_key(p, toolchain, WASMACRO_VERSION));
        std::error_code ec;
        if (fs::is_regular_file(module, ec)) {
            c->wasm = module;
            c->origin = "built by --build-macros, cached";
            continue;
        }
        if (!build) {
            c->origin += "; --build-macros would build it";
            continue;
        }
        err << "wasmacro: building " << p.name << " " << p.version << " to wasm (once; kept in "
            << dir.string() << ")\n";
        build::BuildOptions options;
        options.crate_dir = p.dir.string();
        options.features = p.enabled;
        // The build crate and its dependencies' artifacts, kept for a retry
        // of a failed build (cargo resumes), removed once the module is in.
        const fs::path target = dir / "build" / module.stem();
        options.target_dir = target.string();
        const fs::path partial = module.string() + fmt::format(".{}.tmp", ::getpid());
        options.output = partial.string();
        try {
            fs::create_directories(dir);
            build::build_macro(options, err);
            fs::rename(partial, module);
            fs::remove_all(target, ec);
            c->wasm = module;
            c->origin = "built by --build-macros";
        } catch (const std::exception& e) {
            fs::remove(partial, ec);
            c->build_failure = first_line(e.what());
            c->origin = "none: its wasm build failed: " + c->build_failure;
        }
    }
}

} // namespace wasmacro::cargo
