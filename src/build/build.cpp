#include "build/build.hpp"

#include "bridge/process.hpp"
#include "build/manifest.hpp"
#include "common/file.hpp"

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <ostream>
#include <set>

namespace wasmacro::build {
namespace {

namespace fs = std::filesystem;

std::string env_or(const char* name, std::string fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

/// Runs cargo with the environment a wasm macro build needs: the rustc found,
/// and our flags instead of whatever RUSTFLAGS or wrapper the caller has
/// (rustc's own wrapper may well be wasmacro). `build_dir`, if given, is the
/// build crate, whose paths (in panic messages) become one that does not
/// depend on the target directory; cargo leaves --remap-path-prefix out of
/// its crate hashes, so the module's bytes do not depend on it either.
std::vector<std::string> cargo_command(const Toolchain& tc, std::vector<std::string> args,
                                       const std::string& build_dir = {},
                                       const std::string& remapped = {}) {
    // Bulk memory, as newer rustc enables by default: copies and fills become
    // memory.copy and memory.fill rather than calls into byte loops.
    std::string flags = "-Ctarget-feature=+bulk-memory";
    if (!build_dir.empty()) flags += "\x1f--remap-path-prefix=" + build_dir + "=" + remapped;
    std::vector<std::string> cmd = {"env",
                                    "-u",
                                    "RUSTC_WRAPPER",
                                    "-u",
                                    "RUSTC_WORKSPACE_WRAPPER",
                                    "-u",
                                    "RUSTFLAGS",
                                    "-u",
                                    "CARGO_BUILD_RUSTFLAGS",
                                    "-u",
                                    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                                    "RUSTC=" + tc.rustc,
                                    "CARGO_ENCODED_RUSTFLAGS=" + flags,
                                    tc.cargo};
    cmd.insert(cmd.end(), args.begin(), args.end());
    return cmd;
}

std::string cargo_stdout(const Toolchain& tc, std::vector<std::string> args,
                         const std::string& what) {
    std::string out;
    std::vector<std::string> cmd = cargo_command(tc, std::move(args));
    int status = bridge::run_captured(cmd, out, bridge::Capture::StdoutOnly);
    if (status != 0)
        throw BuildError(fmt::format("{} failed (exit status {}; cargo's messages are above): {}",
                                     what, status, bridge::command_line(cmd)));
    return out;
}

/// Writes `text` unless the file already holds it, so that cargo sees an
/// unchanged build crate as up to date.
void write_if_changed(const fs::path& path, const std::string& text) {
    if (auto old = try_read_file(path.string());
        old && std::string(old->begin(), old->end()) == text)
        return;
    fs::create_directories(path.parent_path());
    write_file(path.string(), text);
}

void link_to(const fs::path& link, const fs::path& target) {
    std::error_code ec;
    if (fs::is_symlink(link) && fs::read_symlink(link, ec) == target) return;
    fs::remove_all(link);
    fs::create_directories(link.parent_path());
    fs::create_symlink(target, link);
}

/// Makes `into` show `from`'s entries as symbolic links, except `skip` (names
/// in `from`) and what the build crate writes itself; removes what `from`
/// no longer has. The macro's sources then sit where its `mod` declarations,
/// `include_str!("../README.md")` and build script expect them, relative to
/// the rewritten root, and rustc sees paths inside the build crate (relative
/// ones: the module does not depend on where the target directory is).
void mirror(const fs::path& from, const fs::path& into, const std::set<std::string>& skip) {
    fs::create_directories(into);
    std::set<std::string> kept(skip);
    for (const fs::directory_entry& e : fs::directory_iterator(from)) {
        std::string name = e.path().filename().string();
        if (skip.contains(name)) continue;
        kept.insert(name);
        link_to(into / name, e.path());
    }
    for (const fs::directory_entry& e : fs::directory_iterator(into))
        if (!kept.contains(e.path().filename().string()) && fs::is_symlink(e.symlink_status()))
            fs::remove(e.path());
}

/// What the build crate itself has at its top; never mirrored from the crate.
const std::set<std::string> kBuildCrateNames = {"Cargo.toml",
                                                "Cargo.lock",
                                                "target",
                                                ".cargo",
                                                ".git",
                                                "wasmacro-guest",
                                                "wasmacro-proc-macro",
                                                "wasmacro-proc-macro-error",
                                                "wasmacro-patched"};

/// The macro's sources in the build crate, with `root` rewritten.
void write_sources(const Manifest& crate, const fs::path& dir, const RewrittenRoot& root) {
    fs::path lib = crate.lib_path;
    std::set<std::string> skip = kBuildCrateNames;
    fs::path from = crate.root, into = dir;
    for (auto part = lib.begin(); part != lib.end(); ++part) {
        skip.insert(part->string());
        mirror(from, into, skip);
        if (std::next(part) == lib.end()) break;
        from /= *part;
        into /= *part;
        if (fs::is_symlink(into)) fs::remove(into); // a link from an earlier layout
        skip = {};
    }
    write_if_changed(dir / lib, root.text);
}

/// A registry crate that uses the compiler's `proc_macro`, copied with the
/// facade as its `proc_macro` (and syn's cfg that hides its proc_macro API on
/// wasm rewritten).
void write_patched_crate(const fs::path& from, const fs::path& into) {
    fs::create_directories(into);
    for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator();
         ++it) {
        fs::path rel = it->path().lexically_relative(from);
        if (rel == "Cargo.toml" || rel == "Cargo.lock") continue;
        if (it->is_directory()) {
            fs::create_directories(into / rel);
            continue;
        }
        std::optional<std::string> patched;
        if (it->path().extension() == ".rs")
            patched = enable_proc_macro_on_wasm(tokens::SourceFile::load(it->path().string()));
        if (patched) {
            fs::remove(into / rel);
            write_if_changed(into / rel, *patched);
        } else {
            link_to(into / rel, it->path());
        }
    }
    std::vector<uint8_t> manifest = read_file_bytes((from / "Cargo.toml").string());
    write_if_changed(
        into / "Cargo.toml",
        std::string(manifest.begin(), manifest.end()) +
            "\n# Added by `wasmacro build`: the compiler's `proc_macro`, for a wasm guest.\n"
            "[dependencies.proc_macro]\npackage = \"wasmacro-proc-macro\"\n"
            "path = \"../../wasmacro-proc-macro\"\n");
}

tokens::Edition edition_of(const Manifest& crate) {
    tokens::Edition edition;
    if (!tokens::parse_edition(crate.edition, edition))
        throw BuildError(
            fmt::format("{}: edition `{}` is not one wasmacro knows", crate.name, crate.edition));
    return edition;
}

/// Every source file under the crate's library directory, before any build.
/// Returns where the crate first reads the environment at run time, if it
/// does (find_environment_read) and names one of Cargo's variables for the
/// compiled crate, which a WASI build would give it.
std::optional<std::string> check_sources(const Manifest& crate, tokens::Edition edition) {
    fs::path lib_dir = (fs::path(crate.root) / crate.lib_path).parent_path();
    std::vector<fs::path> files;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(lib_dir))
        if (e.is_regular_file() && e.path().extension() == ".rs") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::optional<std::string> reads_environment;
    bool names_cargo_variable = false;
    for (const fs::path& f : files) {
        tokens::SourceFile file = tokens::SourceFile::load(f.string());
        std::string name = f.lexically_relative(crate.root).string();
        check_wasm_api(file, edition, name);
        if (!reads_environment) reads_environment = find_environment_read(file, edition, name);
        names_cargo_variable = names_cargo_variable || names_cargo_package_variable(file, edition);
    }
    if (!names_cargo_variable) return std::nullopt;
    return reads_environment;
}

/// The target to build for (BuildOptions::target), with a word on `err`
/// where the environment decides it.
std::string choose_target(const BuildOptions& options, const Toolchain& tc, const Manifest& crate,
                          const std::optional<std::string>& reads_environment, std::ostream& err) {
    if (!reads_environment) return options.target.value_or(std::string(kDefaultTarget));
    if (!options.target)
        for (std::string_view wasi : {"wasm32-wasip1", "wasm32-wasi"})
            if (has_wasm_std(tc, wasi)) {
                err << fmt::format("note: {} reads Cargo's CARGO_PKG_* while it expands ({}): "
                                   "building it for {}, whose modules get the compiled crate's "
                                   "values\n",
                                   crate.name, *reads_environment, wasi);
                return std::string(wasi);
            }
    std::string target = options.target.value_or(std::string(kDefaultTarget));
    if (target == kDefaultTarget)
        err << fmt::format("warning: {} reads Cargo's CARGO_PKG_* while it expands ({}), where a "
                           "macro built for {} finds no variable; build it with --target "
                           "wasm32-wasip1 (wasm32-wasi before rustc 1.78) to give it the compiled "
                           "crate's values\n",
                           crate.name, *reads_environment, kDefaultTarget);
    return target;
}

BuildResult build_in_target_dir(const BuildOptions& options, std::ostream& err);

} // namespace

Toolchain find_toolchain() {
    return {env_or("WASMACRO_WASM_CARGO", env_or("CARGO", "cargo")),
            env_or("WASMACRO_WASM_RUSTC", env_or("RUSTC", "rustc"))};
}

namespace {

fs::path std_dir(const Toolchain& tc, std::string_view target) {
    std::string sysroot;
    int status = bridge::run_captured({tc.rustc, "--print", "sysroot"}, sysroot);
    if (status != 0)
        throw BuildError(fmt::format(
            "cannot run rustc `{}` (found as $WASMACRO_WASM_RUSTC, $RUSTC, else on PATH): {}",
            tc.rustc, sysroot));
    while (!sysroot.empty() && (sysroot.back() == '\n' || sysroot.back() == '\r'))
        sysroot.pop_back();
    return fs::path(sysroot) / "lib" / "rustlib" / target / "lib";
}

} // namespace

bool has_wasm_std(const Toolchain& tc, std::string_view target) {
    fs::path lib = std_dir(tc, target);
    std::error_code ec;
    if (fs::is_directory(lib, ec))
        for (const fs::directory_entry& e : fs::directory_iterator(lib, ec))
            if (e.path().filename().string().starts_with("libstd-")) return true;
    return false;
}

void require_wasm_std(const Toolchain& tc, std::string_view target) {
    if (has_wasm_std(tc, target)) return;
    fs::path lib = std_dir(tc, target);
    std::string version;
    bridge::run_captured({tc.rustc, "--version"}, version);
    while (!version.empty() && version.back() == '\n') version.pop_back();
    throw BuildError(fmt::format(
        "rustc `{}` ({}) has no standard library for {} (none in {}): install it with `rustup "
        "target add {}`, or on Debian `apt-get install libstd-rust-dev-wasm32` and build with "
        "RUSTC=/usr/bin/rustc CARGO=/usr/bin/cargo",
        tc.rustc, version, target, lib.string(), target));
}

std::string rust_crates_dir() {
    return env_or("WASMACRO_RUST_DIR", WASMACRO_RUST_DIR);
}

BuildResult build_macro(const BuildOptions& options, std::ostream& err) {
    try {
        return build_in_target_dir(options, err);
    } catch (const fs::filesystem_error& e) {
        throw BuildError(fmt::format("wasmacro build: {}", e.what()));
    }
}

namespace {

BuildResult build_in_target_dir(const BuildOptions& options, std::ostream& err) {
    const fs::path crate_dir = fs::absolute(options.crate_dir).lexically_normal();
    const fs::path manifest_path = crate_dir / "Cargo.toml";
    if (!fs::is_regular_file(manifest_path))
        throw BuildError(fmt::format("{}: no Cargo.toml (`wasmacro build` takes the directory of a "
                                     "proc-macro crate)",
                                     crate_dir.string()));
    if (options.target && *options.target != kDefaultTarget && *options.target != "wasm32-wasip1" &&
        *options.target != "wasm32-wasi")
        throw BuildError(fmt::format("--target {}: wasmacro runs modules built for {} or "
                                     "wasm32-wasip1 (called wasm32-wasi before rustc 1.78)",
                                     *options.target, kDefaultTarget));
    const Toolchain tc = find_toolchain();
    require_wasm_std(tc, options.target.value_or(std::string(kDefaultTarget)));

    Manifest crate = parse_metadata(cargo_stdout(tc,
                                                 {"metadata", "--no-deps", "--format-version", "1",
                                                  "--manifest-path", manifest_path.string()},
                                                 "reading " + manifest_path.string()),
                                    manifest_path.string());
    if (!crate.proc_macro)
        throw BuildError(fmt::format("{}: `{}` is not a proc-macro crate (its [lib] has no "
                                     "`proc-macro = true`)",
                                     manifest_path.string(), crate.name));
    const tokens::Edition edition = edition_of(crate);
    const std::string target =
        choose_target(options, tc, crate, check_sources(crate, edition), err);
    const fs::path root_file = fs::path(crate.root) / crate.lib_path;
    RewrittenRoot root =
        rewrite_entry_points(tokens::SourceFile::load(root_file.string()), edition);

    const fs::path target_dir =
        fs::absolute(options.target_dir.value_or(
                         env_or("CARGO_TARGET_DIR", (crate_dir / "target").string())))
            .lexically_normal();
    const fs::path dir = target_dir / "wasmacro-build" / (crate.name + "-" + crate.version);
    const fs::path rust_dir = rust_crates_dir();
    write_sources(crate, dir, root);
    link_to(dir / "wasmacro-guest", rust_dir / "guest");
    link_to(dir / "wasmacro-proc-macro", rust_dir / "proc_macro_facade");

    // syn, and the libraries that take the compiler's `proc_macro` (e.g.
    // proc-macro-error), get the facade instead: which ones, and their
    // versions, are known once cargo has resolved the build crate.
    const fs::path build_manifest = dir / "Cargo.toml";
    std::vector<Patch> patches;
    write_if_changed(build_manifest, build_crate_manifest(crate, patches));
    std::string resolved = cargo_stdout(tc,
                                        {"metadata", "--format-version", "1", "--filter-platform",
                                         target, "--manifest-path", build_manifest.string()},
                                        "resolving the dependencies of " + crate.name);
    for (const RegistryPackage& p : registry_libraries(resolved)) {
        bool syn1 = p.name == "syn" && p.version.starts_with("1.");
        if (!syn1 && !declares_proc_macro(tokens::SourceFile::load(p.lib_root))) continue;
        for (const Patch& seen : patches)
            if (seen.name == p.name)
                throw BuildError(fmt::format("{} needs two versions of {}, which one patch cannot "
                                             "replace",
                                             crate.name, p.name));
        std::string rel = "wasmacro-patched/" + p.name + "-" + p.version;
        if (p.name == "proc-macro-error" && p.version.starts_with("1.")) {
            // Its abort! unwinds, which a wasm module cannot, and its
            // attribute crate would get the guest proc-macro2 from the patch:
            // wasmacro's replacement instead (rust/proc_macro_error).
            rel = "wasmacro-proc-macro-error";
            link_to(dir / rel, rust_dir / "proc_macro_error");
        } else {
            write_patched_crate(p.dir, dir / rel);
        }
        patches.push_back({p.name, rel});
    }
    write_if_changed(build_manifest, build_crate_manifest(crate, patches));

    std::vector<std::string> args = {"build",        "--release",        "--target",
                                     target,         "--manifest-path",  build_manifest.string(),
                                     "--target-dir", target_dir.string()};
    for (const std::string& f : options.features) args.insert(args.end(), {"--features", f});
    std::vector<std::string> cmd =
        cargo_command(tc, args, dir.string(), "/wasmacro-build/" + dir.filename().string());
    int status = bridge::run_inherited(cmd, err);
    if (status != 0)
        throw BuildError(fmt::format("building {} {} for {} failed (exit status {}; cargo's output "
                                     "is above): {}",
                                     crate.name, crate.version, target, status,
                                     bridge::command_line(cmd)));

    const fs::path built = target_dir / target / "release" / (crate.lib_name + ".wasm");
    std::vector<uint8_t> wasm = read_file_bytes(built.string());
    // A module the host would refuse is an error here, not at its first use.
    std::unique_ptr<macros::Library> library =
        macros::Library::load(wasm, built.filename().string());
    const fs::path out = options.output ? fs::absolute(*options.output)
                                        : target_dir / "wasmacro" / (crate.lib_name + ".wasm");
    fs::create_directories(out.parent_path());
    write_file(out.string(),
               std::string_view(reinterpret_cast<const char*>(wasm.data()), wasm.size()));
    return {out.string(), crate.name, crate.version, target, library->decls()};
}

} // namespace

} // namespace wasmacro::build
