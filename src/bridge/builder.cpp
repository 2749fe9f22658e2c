#include "bridge/builder.hpp"

#include "bridge/cache.hpp"
#include "bridge/crate.hpp"
#include "bridge/process.hpp"
#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/file.hpp"
#include "macros/library.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <string_view>

#ifndef WASMACRO_VERSION
#define WASMACRO_VERSION "dev"
#endif
#ifndef WASMACRO_BRIDGE_SOURCE_DIR
#define WASMACRO_BRIDGE_SOURCE_DIR ""
#endif
#ifndef WASMACRO_LIB_DIR
#define WASMACRO_LIB_DIR ""
#endif

namespace wasmacro::bridge {

namespace fs = std::filesystem;

namespace {

/// The bridge's source files, relative to its src/: what its key covers.
constexpr const char* kBridgeFiles[] = {"lib.rs", "ffi.rs", "wire.rs", "../../wire/format.rs"};

fs::path env_path(const char* name, const char* fallback) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return v;
    return fallback;
}

void compile(const std::vector<std::string>& args, std::string_view what) {
    std::string output;
    int status = run_captured(args, output);
    if (status != 0)
        throw Error(fmt::format("compiling {} failed (exit status {}):\n$ {}\n{}", what, status,
                                command_line(args), output));
}

/// The real rustc with `flags` (space-separated) and what every crate we
/// build shares: no debug info, no lints (the code is generated or ours).
std::vector<std::string> rustc_args(const Toolchain& tc, std::string_view flags) {
    std::vector<std::string> args{tc.rustc};
    for (size_t start = 0; start < flags.size();) {
        size_t end = std::min(flags.find(' ', start), flags.size());
        if (end > start) args.emplace_back(flags.substr(start, end - start));
        start = end + 1;
    }
    args.insert(args.end(), {"-C", "debuginfo=0", "--cap-lints", "allow"});
    return args;
}

} // namespace

// Only building a macro crate needs it: a cached macro crate has the bridge
// linked in.
const fs::path& bridge_crate(Toolchain& tc) {
    if (!tc.bridge_dir.empty()) return tc.bridge_dir;
    auto build = [&](const fs::path& tmp) {
        std::vector<std::string> args = rustc_args(tc, "--crate-name wasmacro_bridge --crate-type "
                                                       "rlib --edition 2021 -C opt-level=3");
        args.insert(args.end(), {"-C", "metadata=" + tc.bridge_key, "-L",
                                 "native=" + tc.lib_dir.string(), (tc.sources / "lib.rs").string(),
                                 "-o", (tmp / "libwasmacro_bridge.rlib").string()});
        compile(args, "the wasmacro bridge");
    };
    tc.bridge_dir =
        ensure_entry(tc.root, "bridge", tc.bridge_key, "libwasmacro_bridge.rlib", build);
    return tc.bridge_dir;
}

std::string host_triple(const Toolchain& tc) {
    constexpr std::string_view kHost = "\nhost: ";
    size_t at = tc.version.find(kHost);
    if (at == std::string::npos)
        throw Error(fmt::format("`{} -vV` names no host:\n{}", tc.rustc, tc.version));
    size_t start = at + kHost.size();
    return tc.version.substr(start, tc.version.find('\n', start) - start);
}

void prepare_toolchain(Toolchain& tc) {
    std::string output;
    int status = run_captured({tc.rustc, "-vV"}, output);
    if (status != 0)
        throw Error(fmt::format("`{} -vV` failed (exit status {}): {}", tc.rustc, status, output));
    tc.version = output;
    tc.root = cache_root();
    tc.sources = env_path("WASMACRO_BRIDGE_DIR", WASMACRO_BRIDGE_SOURCE_DIR);
    tc.lib_dir = env_path("WASMACRO_LIB_DIR", WASMACRO_LIB_DIR);

    Sha256 h;
    h.add("bridge").add(WASMACRO_VERSION).add(tc.version);
    for (const char* file : kBridgeFiles) {
        std::string why;
        auto bytes = try_read_file((tc.sources / file).string(), &why);
        if (!bytes)
            throw Error(fmt::format("the bridge source {} is missing ({}); set WASMACRO_BRIDGE_DIR",
                                    (tc.sources / file).string(), why));
        h.add(file).add(*bytes);
    }
    std::string why;
    auto archive = try_read_file((tc.lib_dir / "libwasmacro.a").string(), &why);
    if (!archive)
        throw Error(fmt::format("{} is missing ({}); build wasmacro or set WASMACRO_LIB_DIR",
                                (tc.lib_dir / "libwasmacro.a").string(), why));
    h.add(*archive);
    tc.bridge_key = h.finish_hex();
}

std::vector<uint8_t> read_wasm(const std::string& path) {
    std::string why;
    auto wasm = try_read_file(path, &why);
    if (!wasm) throw Error(fmt::format("cannot read {}: {}", path, why));
    static constexpr uint8_t kMagic[] = {0x00, 0x61, 0x73, 0x6D};
    if (wasm->size() < 8 || !std::equal(std::begin(kMagic), std::end(kMagic), wasm->begin()))
        throw Error(fmt::format("{} is not a WebAssembly module (no `\\0asm` header)", path));
    return std::move(*wasm);
}

std::unique_ptr<macros::Library> load_macros(const std::vector<uint8_t>& wasm,
                                             const std::string& path) {
    std::unique_ptr<macros::Library> library;
    try {
        library = macros::Library::load(wasm, fs::path(path).filename().string());
    } catch (const Error& e) {
        throw Error(fmt::format("{}: {}", path, e.what()));
    }
    if (library->decls().macros.empty()) throw Error(fmt::format("{} declares no macros", path));
    return library;
}

fs::path macro_crate(Toolchain& tc, const std::string& name, const std::string& path,
                     const std::vector<uint8_t>& wasm) {
    std::string key = Sha256()
                          .add("macro")
                          .add(WASMACRO_VERSION)
                          .add(tc.bridge_key)
                          .add(name)
                          .add(wasm)
                          .finish_hex();
    std::string artifact = fmt::format("lib{}.so", name);
    const std::string entry_name = name + "-" + key;
    fs::path entry = ensure_entry(tc.root, name, key, artifact, [&](const fs::path& tmp) {
        auto library = load_macros(wasm, path);
        const macros::Decls& decls = library->decls();
        write_file((tmp / "macro.wasm").string(),
                   std::string_view(reinterpret_cast<const char*>(wasm.data()), wasm.size()));
        write_file((tmp / "lib.rs").string(), generate_crate(decls, name));
        const fs::path& bridge = bridge_crate(tc);
        std::vector<std::string> args = rustc_args(tc, "--crate-type proc-macro -C opt-level=1");
        args.insert(args.end(),
                    {"--crate-name", name, "--edition",
                     std::string(tokens::edition_name(decls.edition)), "-C", "metadata=" + key,
                     "--extern", "wasmacro_bridge=" + (bridge / "libwasmacro_bridge.rlib").string(),
                     "-L", "dependency=" + bridge.string(), (tmp / "lib.rs").string(), "-o",
                     (tmp / artifact).string(),
                     // The build directory's name has this process's id in it: give
                     // the library the entry's path instead, so that it is the same
                     // whoever built it.
                     "--remap-path-prefix", tmp.string() + "=" + (tc.root / entry_name).string()});
        compile(args, fmt::format("the proc-macro crate `{}` for {}", name, path));
    });
    return entry / artifact;
}

} // namespace wasmacro::bridge
