// `wasmacro rustc ARGS...`: a drop-in rustc that lets a crate use procedural
// macros compiled to WebAssembly (DESIGN.md, "Into the compiler").
//
// For each `--wasm-proc-macro NAME=FILE.wasm` and each `--extern NAME=FILE.wasm`
// it makes a real proc-macro crate NAME whose macros forward to the wasm
// module through the Rust bridge (rust/bridge), compiles it once with the real
// rustc into the cache, and then runs the real rustc with `--extern
// NAME=<that crate>` in place of the wasm argument, every other argument
// untouched. rustc then does name resolution, hygiene and spans as for any
// proc-macro crate; only the expansion itself runs in the engine.
//
// Also a RUSTC_WRAPPER for Cargo: the first argument is then the rustc path.
// WASMACRO_RUSTC_WRAPPER names a further wrapper (sccache) to run rustc under.
//
// The cache, ${WASMACRO_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/wasmacro}:
//   bridge-<key>/       the bridge rlib, keyed by rustc -vV, the bridge's
//                       sources and libwasmacro.a
//   <NAME>-<key>/       a macro crate, keyed by the bridge key, NAME and the
//                       wasm bytes
//   locks/, tmp/        one lock file per entry; entries are built in tmp/ and
//                       renamed into place, so a reader never sees half of one
// Keys are SHA-256 digests. Each entry has a `stamp` with its full key and
// the size and digest of its artifact; an entry whose stamp does not match
// its key or its artifact is rebuilt.
#include "driver/commands.hpp"

#include "common/error.hpp"
#include "macros/library.hpp"
#include "tokens/lexer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <openssl/evp.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

#ifndef WASMACRO_VERSION
#define WASMACRO_VERSION "dev"
#endif
#ifndef WASMACRO_BRIDGE_SOURCE_DIR
#define WASMACRO_BRIDGE_SOURCE_DIR ""
#endif
#ifndef WASMACRO_LIB_DIR
#define WASMACRO_LIB_DIR ""
#endif

namespace wasmacro::driver {
namespace {

namespace fs = std::filesystem;

// --- Hashing -----------------------------------------------------------------

/// SHA-256 (OpenSSL's) for cache keys and stamps. A key must be
/// collision-resistant: modules are untrusted input, and two that shared a
/// key would share one cached macro crate, the second silently running the
/// first's macros. Each update is length-prefixed, so "ab"+"c" and "a"+"bc"
/// differ.
class Hasher {
public:
    Hasher() : ctx_(EVP_MD_CTX_new()) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
            throw Error("cannot start a SHA-256 digest (OpenSSL)");
    }
    Hasher& update(std::span<const uint8_t> bytes) {
        uint64_t size = bytes.size();
        EVP_DigestUpdate(ctx_.get(), &size, sizeof size);
        EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size());
        return *this;
    }
    Hasher& update(std::string_view text) {
        return update({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    }
    std::string hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        if (EVP_DigestFinal_ex(ctx_.get(), digest, &length) != 1)
            throw Error("cannot finish a SHA-256 digest (OpenSSL)");
        std::string out;
        for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", digest[i]);
        return out;
    }

private:
    struct Free {
        void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
    };
    std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

std::optional<std::vector<uint8_t>> read_file(const fs::path& path, std::string* why = nullptr) {
    return try_read_file(path.string(), why);
}

void write_file(const fs::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out.flush()) throw Error(fmt::format("cannot write {}", path.string()));
}

// --- Processes ---------------------------------------------------------------

std::vector<char*> c_argv(std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    return argv;
}

/// Runs `args` (looked up on PATH), its stdout and stderr captured together.
/// Returns the exit status (128 + signal if killed), or -1 if it could not start.
int run_captured(std::vector<std::string> args, std::string& output) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    std::vector<char*> argv = c_argv(args);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        output = std::strerror(rc);
        return -1;
    }
    std::array<char, 65536> buf;
    for (;;) {
        ssize_t n = read(fds[0], buf.data(), buf.size());
        if (n > 0)
            output.append(buf.data(), static_cast<size_t>(n));
        else if (n == 0 || errno != EINTR)
            break;
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

std::string command_line(const std::vector<std::string>& args) {
    std::string line;
    for (const std::string& a : args) {
        if (!line.empty()) line += ' ';
        line += a;
    }
    return line;
}

// --- The invocation ------------------------------------------------------------

struct WasmMacroArg {
    size_t index;  ///< of the argument holding NAME=PATH
    bool separate; ///< `--flag NAME=PATH` (two arguments) rather than `--flag=NAME=PATH`
    std::string name;
    std::string path;
};

bool is_crate_name(std::string_view s) {
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return s != "_";
}

bool ends_with_wasm(std::string_view path) {
    return path.size() > 5 && path.substr(path.size() - 5) == ".wasm";
}

/// Finds the wasm macro arguments. Throws for a malformed --wasm-proc-macro.
std::vector<WasmMacroArg> find_wasm_macros(const std::vector<std::string>& args) {
    std::vector<WasmMacroArg> found;
    auto take = [&](size_t index, bool separate, bool is_extern, std::string_view value) {
        size_t eq = value.find('=');
        if (is_extern && (eq == std::string_view::npos || !ends_with_wasm(value.substr(eq + 1))))
            return; // an ordinary --extern
        if (eq == std::string_view::npos || eq == 0 || eq + 1 == value.size())
            throw Error(fmt::format("--wasm-proc-macro expects NAME=PATH.wasm, got `{}`", value));
        std::string name(value.substr(0, eq));
        if (!is_crate_name(name))
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

fs::path cache_root() {
    if (const char* d = std::getenv("WASMACRO_CACHE_DIR"); d != nullptr && *d != '\0') return d;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x == '/')
        return fs::path(x) / "wasmacro";
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
        return fs::path(home) / ".cache" / "wasmacro";
    throw Error("no cache directory: set WASMACRO_CACHE_DIR, XDG_CACHE_HOME or HOME");
}

fs::path env_path(const char* name, const char* fallback) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return v;
    return fallback;
}

/// An exclusive flock held for the object's lifetime.
class FileLock {
public:
    explicit FileLock(const fs::path& path) {
        fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0)
            throw Error(
                fmt::format("cannot open lock file {}: {}", path.string(), std::strerror(errno)));
        while (flock(fd_, LOCK_EX) != 0) {
            if (errno != EINTR)
                throw Error(fmt::format("cannot lock {}: {}", path.string(), std::strerror(errno)));
        }
    }
    ~FileLock() { close(fd_); }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int fd_ = -1;
};

constexpr std::string_view kStampMagic = "wasmacro-cache-entry-v2";

std::string stamp_for(const std::string& key, const fs::path& artifact) {
    auto bytes = read_file(artifact);
    if (!bytes) throw Error(fmt::format("cannot read {}", artifact.string()));
    return fmt::format("{} {} {} {} {}\n", kStampMagic, key, artifact.filename().string(),
                       bytes->size(), Hasher().update(*bytes).hex());
}

/// Whether `entry` holds `artifact` for `key` exactly as its stamp describes
/// it: an entry made for another key is a miss, whatever its name says.
bool entry_is_valid(const fs::path& entry, const std::string& key, std::string_view artifact) {
    std::error_code ec;
    if (!fs::is_regular_file(entry / artifact, ec)) return false;
    auto stamp = read_file(entry / "stamp");
    if (!stamp) return false;
    try {
        return std::string(stamp->begin(), stamp->end()) == stamp_for(key, entry / artifact);
    } catch (const Error&) {
        return false;
    }
}

/// The cache entry `prefix-key` holding `artifact`, built by `build` (into
/// the directory it is given) unless a valid one exists. Safe against
/// concurrent builders: one builds under the lock, the others wait and then
/// use it.
fs::path ensure_entry(const fs::path& root, const std::string& prefix, const std::string& key,
                      std::string_view artifact,
                      const std::function<void(const fs::path&)>& build) {
    const std::string name = prefix + "-" + key;
    fs::path entry = root / name;
    if (entry_is_valid(entry, key, artifact)) return entry;
    fs::create_directories(root / "locks");
    fs::create_directories(root / "tmp");
    FileLock lock(root / "locks" / (name + ".lock"));
    if (entry_is_valid(entry, key, artifact)) return entry;
    std::error_code ec;
    if (fs::exists(entry, ec)) {
        // Corrupted or half-deleted: move it aside first so that the rename
        // below cannot fail on a non-empty directory.
        fs::path trash = root / "tmp" / fmt::format("{}.broken.{}", name, getpid());
        fs::remove_all(trash, ec);
        fs::rename(entry, trash);
        fs::remove_all(trash, ec);
    }
    fs::path tmp = root / "tmp" / fmt::format("{}.{}", name, getpid());
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp);
    try {
        build(tmp);
        write_file(tmp / "stamp", stamp_for(key, tmp / artifact));
        fs::rename(tmp, entry);
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
    return entry;
}

void compile(const std::vector<std::string>& args, std::string_view what) {
    std::string output;
    int status = run_captured(args, output);
    if (status != 0)
        throw Error(fmt::format("compiling {} failed (exit status {}):\n$ {}\n{}", what, status,
                                command_line(args), output));
}

/// What every cache key shares.
struct Toolchain {
    std::string rustc;   ///< the real rustc
    std::string version; ///< its `-vV`
    fs::path root;       ///< the cache
    fs::path sources;    ///< rust/bridge/src
    fs::path lib_dir;    ///< the directory of libwasmacro.a
    std::string bridge_key;
    fs::path bridge_dir; ///< the bridge's cache entry, once ensure_bridge made sure of it
};

constexpr const char* kBridgeFiles[] = {"lib.rs", "ffi.rs", "wire.rs"};

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

/// Queries rustc and computes the bridge's key: what the bridge rlib and
/// every macro crate built on it depend on.
void prepare_toolchain(Toolchain& tc) {
    std::string output;
    int status = run_captured({tc.rustc, "-vV"}, output);
    if (status != 0)
        throw Error(fmt::format("`{} -vV` failed (exit status {}): {}", tc.rustc, status, output));
    tc.version = output;
    tc.root = cache_root();
    tc.sources = env_path("WASMACRO_BRIDGE_DIR", WASMACRO_BRIDGE_SOURCE_DIR);
    tc.lib_dir = env_path("WASMACRO_LIB_DIR", WASMACRO_LIB_DIR);

    Hasher h;
    h.update("bridge").update(WASMACRO_VERSION).update(tc.version);
    for (const char* file : kBridgeFiles) {
        std::string why;
        auto bytes = read_file(tc.sources / file, &why);
        if (!bytes)
            throw Error(fmt::format("the bridge source {} is missing ({}); set WASMACRO_BRIDGE_DIR",
                                    (tc.sources / file).string(), why));
        h.update(file).update(*bytes);
    }
    std::string why;
    auto archive = read_file(tc.lib_dir / "libwasmacro.a", &why);
    if (!archive)
        throw Error(fmt::format("{} is missing ({}); build wasmacro or set WASMACRO_LIB_DIR",
                                (tc.lib_dir / "libwasmacro.a").string(), why));
    h.update(*archive);
    tc.bridge_key = h.hex();
}

/// The bridge rlib's cache entry, built if needed. Only building a macro
/// crate needs it: a cached macro crate has the bridge linked in.
const fs::path& ensure_bridge(Toolchain& tc) {
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

/// The source of the proc-macro crate that forwards every declared macro.
std::string generate_crate(const macros::Decls& decls, std::string_view crate_name) {
    std::string src = fmt::format(
        "// Generated by wasmacro for the wasm proc-macro crate `{0}`; do not edit.\n"
        "extern crate proc_macro;\n"
        "extern crate wasmacro_bridge;\n\n"
        "use proc_macro::TokenStream;\n\n"
        "#[allow(non_upper_case_globals)]\n"
        "static __wasmacro_module: wasmacro_bridge::WasmMacro =\n"
        "    wasmacro_bridge::WasmMacro::named(include_bytes!(\"macro.wasm\"), \"{0}\");\n",
        crate_name);
    size_t index = 0;
    for (const macros::MacroDecl& m : decls.macros) {
        src += '\n';
        switch (m.kind) {
        case macros::MacroKind::Derive: {
            std::string helpers;
            for (const std::string& h : m.helpers) helpers += (helpers.empty() ? "" : ", ") + h;
            if (helpers.empty())
                src += fmt::format("#[proc_macro_derive({})]\n", m.name);
            else
                src += fmt::format("#[proc_macro_derive({}, attributes({}))]\n", m.name, helpers);
            src += fmt::format("pub fn __wasmacro_derive_{}(input: TokenStream) -> TokenStream {{\n"
                               "    __wasmacro_module.derive(\"{}\", input)\n}}\n",
                               index, m.name);
            break;
        }
        case macros::MacroKind::Attribute:
            src += fmt::format("#[proc_macro_attribute]\n"
                               "pub fn {0}(args: TokenStream, input: TokenStream) -> TokenStream "
                               "{{\n    __wasmacro_module.attribute(\"{0}\", args, input)\n}}\n",
                               m.name);
            break;
        case macros::MacroKind::Bang:
            src += fmt::format("#[proc_macro]\n"
                               "pub fn {0}(input: TokenStream) -> TokenStream {{\n"
                               "    __wasmacro_module.bang(\"{0}\", input)\n}}\n",
                               m.name);
            break;
        }
        ++index;
    }
    return src;
}

/// Reads a wasm macro module, refusing early what cannot be one.
std::vector<uint8_t> read_wasm(const WasmMacroArg& arg) {
    std::string why;
    auto wasm = read_file(arg.path, &why);
    if (!wasm) throw Error(fmt::format("cannot read {}: {}", arg.path, why));
    static constexpr uint8_t kMagic[] = {0x00, 0x61, 0x73, 0x6D};
    if (wasm->size() < 8 || !std::equal(std::begin(kMagic), std::end(kMagic), wasm->begin()))
        throw Error(fmt::format("{} is not a WebAssembly module (no `\\0asm` header)", arg.path));
    return std::move(*wasm);
}

/// The proc-macro crate for one wasm module, from the cache or built now.
fs::path macro_crate(Toolchain& tc, const WasmMacroArg& arg,
                     const std::vector<uint8_t>& wasm_bytes) {
    const std::vector<uint8_t>* wasm = &wasm_bytes;
    std::string key = Hasher()
                          .update("macro")
                          .update(WASMACRO_VERSION)
                          .update(tc.bridge_key)
                          .update(arg.name)
                          .update(*wasm)
                          .hex();
    std::string artifact = fmt::format("lib{}.so", arg.name);
    const std::string entry_name = arg.name + "-" + key;
    fs::path entry = ensure_entry(tc.root, arg.name, key, artifact, [&](const fs::path& tmp) {
        // Loading checks everything rustc cannot: that this is wasm, valid,
        // imports only watt-0.5, and declares its macros.
        auto library = macros::Library::load(*wasm, arg.path);
        const macros::Decls& decls = library->decls();
        if (decls.macros.empty()) throw Error(fmt::format("{} declares no macros", arg.path));
        write_file(tmp / "macro.wasm",
                   std::string_view(reinterpret_cast<const char*>(wasm->data()), wasm->size()));
        write_file(tmp / "lib.rs", generate_crate(decls, arg.name));
        const fs::path& bridge = ensure_bridge(tc);
        std::vector<std::string> args = rustc_args(tc, "--crate-type proc-macro -C opt-level=1");
        args.insert(args.end(),
                    {"--crate-name", arg.name, "--edition",
                     std::string(tokens::edition_name(decls.edition)), "-C", "metadata=" + key,
                     "--extern", "wasmacro_bridge=" + (bridge / "libwasmacro_bridge.rlib").string(),
                     "-L", "dependency=" + bridge.string(), (tmp / "lib.rs").string(), "-o",
                     (tmp / artifact).string(),
                     // The build directory's name has this process's id in it: give
                     // the library the entry's path instead, so that it is the same
                     // whoever built it.
                     "--remap-path-prefix", tmp.string() + "=" + (tc.root / entry_name).string()});
        compile(args, fmt::format("the proc-macro crate `{}` for {}", arg.name, arg.path));
    });
    return entry / artifact;
}

/// The value of `flag` in `args` (`--flag VALUE` or `--flag=VALUE`), last wins.
std::optional<std::string> flag_value(const std::vector<std::string>& args, std::string_view flag) {
    std::optional<std::string> value;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        if (a == flag && i + 1 < args.size())
            value = args[++i];
        else if (a.size() > flag.size() && a.substr(0, flag.size()) == flag &&
                 a[flag.size()] == '=')
            value = std::string(a.substr(flag.size() + 1));
    }
    return value;
}

/// Where rustc writes its dep-info in the form Cargo uses (`--emit` with
/// dep-info, `--out-dir`, `--crate-name`, `-C extra-filename`); nullopt for
/// other invocations, which then get no dep-info edits.
std::optional<fs::path> cargo_dep_info(const std::vector<std::string>& args) {
    auto emit = flag_value(args, "--emit");
    auto out_dir = flag_value(args, "--out-dir");
    auto crate = flag_value(args, "--crate-name");
    if (!emit || !out_dir || !crate || emit->find("dep-info") == std::string::npos ||
        emit->find("dep-info=") != std::string::npos)
        return std::nullopt;
    std::string extra;
    for (size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "-C" && args[i + 1].starts_with("extra-filename="))
            extra = args[i + 1].substr(std::string_view("extra-filename=").size());
    return fs::path(*out_dir) / (*crate + extra + ".d");
}

/// Adds the wasm modules to a dep-info file, so that Cargo rebuilds the crate
/// when one of them changes (rustc only sees the generated crate). Make's
/// syntax: spaces in paths are escaped.
void add_to_dep_info(const fs::path& dep_info, const std::vector<std::string>& wasm_paths) {
    auto bytes = read_file(dep_info);
    if (!bytes) return;
    std::string text(bytes->begin(), bytes->end());
    size_t first_rule_end = text.find('\n');
    if (first_rule_end == std::string::npos || text.find(':') > first_rule_end) return;
    std::string deps, rules;
    for (const std::string& path : wasm_paths) {
        std::string escaped;
        for (char c : fs::absolute(path).lexically_normal().string()) {
            if (c == ' ') escaped += '\\';
            escaped += c;
        }
        deps += " " + escaped;
        rules += "\n" + escaped + ":\n";
    }
    text.insert(first_rule_end, deps);
    text += rules;
    write_file(dep_info, text);
}

} // namespace

int run_inherited(std::vector<std::string> args, std::ostream& err) {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    std::vector<char*> argv = c_argv(args);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
    if (rc != 0) {
        err << "error: wasmacro: cannot run " << args[0] << ": " << std::strerror(rc) << "\n";
        return 127;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

namespace {

/// Replaces the process with `args`; returns only if that failed.
int exec(std::vector<std::string> args, std::ostream& err) {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    std::vector<char*> argv = c_argv(args);
    execvp(argv[0], argv.data());
    err << "error: wasmacro: cannot run " << args[0] << ": " << std::strerror(errno) << "\n";
    return 127;
}

} // namespace

bool is_rustc_argument(std::string_view arg) {
    // As a wrapper, the first argument is the program Cargo would have run:
    // a path to rustc, or to a further wrapper such as clippy-driver. No
    // subcommand of ours contains a slash.
    return arg == "rustc" || arg.find('/') != std::string_view::npos;
}

int run_rustc(std::string_view rustc_arg, std::vector<std::string> args, Context& ctx) {
    Toolchain tc;
    if (rustc_arg == "rustc") {
        const char* real = std::getenv("WASMACRO_RUSTC");
        tc.rustc = real != nullptr && *real != '\0' ? real : "rustc";
    } else {
        tc.rustc = rustc_arg;
    }
    if (wants_pre_expand(args)) return run_rustc_pre_expand(tc.rustc, args, ctx);
    std::vector<std::string> wasm_paths;
    try {
        std::vector<WasmMacroArg> wasm = find_wasm_macros(args);
        for (const WasmMacroArg& m : wasm) wasm_paths.push_back(m.path);
        if (!wasm.empty()) {
            // Every file is read before anything runs, so that a wrong path
            // is reported first and alone.
            std::vector<std::vector<uint8_t>> modules;
            for (const WasmMacroArg& m : wasm) {
                try {
                    modules.push_back(read_wasm(m));
                } catch (const Error& e) {
                    throw Error(fmt::format("wasm proc-macro `{}`: {}", m.name, e.what()));
                }
            }
            prepare_toolchain(tc);
            std::vector<std::string> extra;
            for (size_t i = 0; i < wasm.size(); ++i) {
                const WasmMacroArg& m = wasm[i];
                fs::path crate;
                try {
                    crate = macro_crate(tc, m, modules[i]);
                } catch (const Error& e) {
                    throw Error(
                        fmt::format("wasm proc-macro `{}` ({}): {}", m.name, m.path, e.what()));
                }
                // A crate compiled against this one finds it again through
                // the search path, when it is a dependency of a dependency.
                extra.push_back("-L");
                extra.push_back("dependency=" + crate.parent_path().string());
                std::string value = m.name + "=" + crate.string();
                if (m.separate) {
                    args[m.index - 1] = "--extern";
                    args[m.index] = value;
                } else {
                    args[m.index] = "--extern=" + value;
                }
            }
            args.insert(args.end(), extra.begin(), extra.end());
        }
    } catch (const std::exception& e) {
        ctx.err << "error: wasmacro: " << e.what() << "\n";
        return 1;
    }
    std::vector<std::string> command;
    if (const char* wrapper = std::getenv("WASMACRO_RUSTC_WRAPPER"); wrapper != nullptr && *wrapper)
        command.push_back(wrapper);
    command.push_back(tc.rustc);
    command.insert(command.end(), args.begin(), args.end());
    // Under Cargo, rustc must run as a child so that its dep-info can name
    // the wasm modules afterwards; otherwise it replaces this process.
    std::optional<fs::path> dep_info = wasm_paths.empty() ? std::nullopt : cargo_dep_info(args);
    if (!dep_info) return exec(std::move(command), ctx.err);
    int status = run_inherited(std::move(command), ctx.err);
    if (status == 0) {
        try {
            add_to_dep_info(*dep_info, wasm_paths);
        } catch (const std::exception& e) {
            ctx.err << "warning: wasmacro: could not add the wasm modules to " << dep_info->string()
                    << ": " << e.what() << "\n";
        }
    }
    return status;
}

void add_rustc_command(CLI::App& app, Context&) {
    // Only for --help: `wasmacro rustc ...` is dispatched before CLI11 parses,
    // since rustc's arguments are not ours to interpret.
    app.add_subcommand("rustc", "Run rustc with --wasm-proc-macro NAME=FILE.wasm (or --extern "
                                "NAME=FILE.wasm) as proc-macro crates; also a RUSTC_WRAPPER");
}

} // namespace wasmacro::driver
