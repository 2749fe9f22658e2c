// The WASI preview 1 shim. Struct layouts and errno values are those of
// wasi_snapshot_preview1 (WebAssembly/WASI, legacy/preview1/docs.md).
//
// Host files are reached only through POSIX calls (stat, realpath, opendir)
// that wasi-libc provides too, because wasm32-wasi's libc++ has no
// std::filesystem operations: the shim builds for both hosts.
#include "wasi/wasi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

namespace wasmacro::wasi {

namespace {

using wasm::ValType;

// errno values of preview 1.
enum Errno : uint16_t {
    kSuccess = 0,
    kAcces = 2,
    kBadf = 8,
    kFault = 21,
    kInval = 28,
    kIo = 29,
    kIsdir = 31,
    kNametoolong = 37,
    kNoent = 44,
    kNosys = 52,
    kNotdir = 54,
    kNotsup = 58,
    kSpipe = 70,
    kNotcapable = 76,
};

enum Filetype : uint8_t {
    kUnknown = 0,
    kCharacterDevice = 2,
    kDirectory = 3,
    kRegularFile = 4,
};

// Rights a read-only file or directory has; a request for any other right
// that changes something is refused.
constexpr uint64_t kRightFdRead = 1 << 1;
constexpr uint64_t kRightFdSeek = 1 << 2;
constexpr uint64_t kRightFdTell = 1 << 5;
constexpr uint64_t kRightFdWrite = 1 << 6;
constexpr uint64_t kRightFdAdvise = 1 << 7;
constexpr uint64_t kRightPathOpen = 1 << 13;
constexpr uint64_t kRightFdReaddir = 1 << 14;
constexpr uint64_t kRightPathFilestatGet = 1 << 18;
constexpr uint64_t kRightFdFilestatGet = 1 << 21;
constexpr uint64_t kReadRights = kRightFdRead | kRightFdSeek | kRightFdTell | kRightFdAdvise |
                                 kRightPathOpen | kRightFdReaddir | kRightPathFilestatGet |
                                 kRightFdFilestatGet;
// The rights that say a file is opened for writing: fd_datasync, fd_write,
// fd_allocate, fd_filestat_set_size. Rust's std asks for fd_sync and
// fd_filestat_set_times even to read, so those only go ungranted (the
// functions answer EACCES) rather than refuse the open.
constexpr uint64_t kWriteRights = (1 << 0) | kRightFdWrite | (1 << 8) | (1 << 22);
constexpr uint16_t kOflagsWrite = 1 | 4 | 8; // creat, excl, trunc
constexpr uint16_t kOflagDirectory = 2;
constexpr uint16_t kFdflagAppend = 1;

// What clock_time_get reports for every clock: a macro must not see time.
constexpr uint64_t kFixedTimeNs = 0;
// random_get's sequence: splitmix64 from this seed, restarted every call.
constexpr uint64_t kRandomSeed = 0x5741534D4143524FULL; // "WASMACRO"

constexpr size_t kFdstatSize = 24;
constexpr size_t kFilestatSize = 64;
constexpr size_t kDirentSize = 24;

struct Signature {
    std::string_view name;
    std::string_view params; ///< 'i' i32, 'I' i64
    bool returns_errno = true;
};

// Every preview 1 function. The ones without a case in State::dispatch
// answer ENOSYS (or EBADF for fds, EACCES for writes; see `fallback`).
constexpr std::array<Signature, 46> kFunctions{{
    {"args_get", "ii"},
    {"args_sizes_get", "ii"},
    {"environ_get", "ii"},
    {"environ_sizes_get", "ii"},
    {"clock_res_get", "ii"},
    {"clock_time_get", "iIi"},
    {"fd_advise", "iIIi"},
    {"fd_allocate", "iII"},
    {"fd_close", "i"},
    {"fd_datasync", "i"},
    {"fd_fdstat_get", "ii"},
    {"fd_fdstat_set_flags", "ii"},
    {"fd_fdstat_set_rights", "iII"},
    {"fd_filestat_get", "ii"},
    {"fd_filestat_set_size", "iI"},
    {"fd_filestat_set_times", "iIIi"},
    {"fd_pread", "iiiIi"},
    {"fd_prestat_get", "ii"},
    {"fd_prestat_dir_name", "iii"},
    {"fd_pwrite", "iiiIi"},
    {"fd_read", "iiii"},
    {"fd_readdir", "iiiIi"},
    {"fd_renumber", "ii"},
    {"fd_seek", "iIii"},
    {"fd_sync", "i"},
    {"fd_tell", "ii"},
    {"fd_write", "iiii"},
    {"path_create_directory", "iii"},
    {"path_filestat_get", "iiiii"},
    {"path_filestat_set_times", "iiiiIIi"},
    {"path_link", "iiiiiii"},
    {"path_open", "iiiiiIIii"},
    {"path_readlink", "iiiiii"},
    {"path_remove_directory", "iii"},
    {"path_rename", "iiiiii"},
    {"path_symlink", "iiiii"},
    {"path_unlink_file", "iii"},
    {"poll_oneoff", "iiii"},
    {"proc_exit", "i", false},
    {"proc_raise", "i"},
    {"sched_yield", ""},
    {"random_get", "ii"},
    {"sock_accept", "iii"},
    {"sock_recv", "iiiiii"},
    {"sock_send", "iiiii"},
    {"sock_shutdown", "ii"},
}};

const Signature* signature(std::string_view name) {
    for (const Signature& s : kFunctions)
        if (s.name == name) return &s;
    return nullptr;
}

wasm::FuncType type_of(const Signature& s) {
    wasm::FuncType type;
    for (char c : s.params) type.params.push_back(c == 'I' ? ValType::I64 : ValType::I32);
    if (s.returns_errno) type.results.push_back(ValType::I32);
    return type;
}

// An open descriptor: stdio, a preopened or opened directory, or a file read
// whole when it was opened (the module sees a snapshot).
struct Descriptor {
    enum class Kind : uint8_t { Stdin, Stdout, Stderr, Directory, File } kind = Kind::File;
    std::string root;                  ///< canonical host path of its preopen
    std::vector<std::string> relative; ///< path components below root
    std::string preopen_name;          ///< for preopens: the guest's name; else empty
    bool is_preopen = false;
    std::vector<uint8_t> data; ///< a file's contents
    uint64_t position = 0;
    uint64_t rights = 0;
};

Descriptor descriptor_of(Descriptor::Kind kind, uint64_t rights) {
    Descriptor d;
    d.kind = kind;
    d.rights = rights;
    return d;
}

std::string host_path(const std::string& root, const std::vector<std::string>& relative) {
    std::string path = root;
    for (const std::string& c : relative) path += "/" + c;
    return path;
}

bool is_inside(const std::string& root, const std::string& path) {
    return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                            (root.back() == '/' || path[root.size()] == '/'));
}

/// The path with its symbolic links resolved, if it exists.
std::optional<std::string> real_path(const std::string& path) {
#ifdef __wasi__
    // wasi-libc has no realpath; a WASI host (the one running wasmacro.wasm)
    // keeps its own preopens, links included, so existence is what is left.
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return std::nullopt;
    return path;
#else
    char buffer[PATH_MAX];
    if (!realpath(path.c_str(), buffer)) return std::nullopt;
    return std::string(buffer);
#endif
}

} // namespace

ProcExit::ProcExit(uint32_t code)
    : wasm::Trap(wasm::TrapKind::HostError, std::string(kImportModule) + ".proc_exit",
                 fmt::format("the module exited with code {}", code)),
      code_(code) {}

bool is_wasi_import(const wasm::Import& import) {
    return import.module == kImportModule;
}

void check_import(const wasm::Module& module, const wasm::Import& import) {
    if (import.kind != wasm::ExternKind::Func)
        throw wasm::LinkError(fmt::format("the module imports {} \"{}\" \"{}\": \"{}\" provides "
                                          "only functions",
                                          name(import.kind), import.module, import.name,
                                          kImportModule));
    const Signature* s = signature(import.name);
    if (!s)
        throw wasm::LinkError(fmt::format("the module imports function \"{}\" \"{}\", which is "
                                          "not a WASI preview 1 function",
                                          import.module, import.name));
    wasm::FuncType want = type_of(*s);
    const wasm::FuncType& have = module.types[import.func_type];
    if (have != want)
        throw wasm::LinkError(fmt::format("the module imports \"{}\" \"{}\" with type {}; its "
                                          "type is {}",
                                          import.module, import.name, to_string(have),
                                          to_string(want)));
}

struct Wasi::State {
    Options options;
    std::string stdin_bytes;
    size_t stdin_position = 0;
    std::string out[2]; ///< buffered stdout, stderr
    uint64_t random_state = kRandomSeed;
    std::vector<std::optional<Descriptor>> fds;
    std::vector<std::pair<std::string_view, wasm::Function*>> linked;

    explicit State(Options o) : options(std::move(o)) { reset_descriptors(); }

    void reset_descriptors() {
        fds.clear();
        using Kind = Descriptor::Kind;
        fds.emplace_back(descriptor_of(Kind::Stdin, kRightFdRead));
        fds.emplace_back(descriptor_of(Kind::Stdout, kRightFdWrite));
        fds.emplace_back(descriptor_of(Kind::Stderr, kRightFdWrite));
        for (const Preopen& p : options.preopens) {
            // A directory that does not resolve stays in the table (its fd
            // number is fixed by its position) with nothing under it.
            std::string root = real_path(p.host_path).value_or("/nonexistent/" + p.host_path);
            Descriptor d = descriptor_of(Kind::Directory, kReadRights);
            d.root = root;
            d.preopen_name = p.guest_path;
            d.is_preopen = true;
            fds.emplace_back(std::move(d));
        }
    }

    // --- guest memory --------------------------------------------------------

    struct Call {
        wasm::HostCall& host;
        std::string_view function;

        uint32_t arg(size_t i) const { return static_cast<uint32_t>(host.args[i]); }
        uint64_t arg64(size_t i) const { return host.args[i]; }

        std::span<uint8_t> bytes(uint32_t address, uint32_t length) const {
            // The work of every function grows with the guest bytes it touches.
            host.charge_for_bytes(length);
            try {
                return host.guest_bytes(address, length);
            } catch (const wasm::Trap&) {
                throw wasm::Trap(wasm::TrapKind::MemoryOutOfBounds,
                                 fmt::format("{}.{}", kImportModule, function),
                                 fmt::format("{} bytes at {:#x} are outside the module's memory",
                                             length, address));
            }
        }
        template <typename T>
        void put(uint32_t address, T value) const {
            std::memcpy(bytes(address, sizeof(T)).data(), &value, sizeof(T));
        }
        uint32_t get_u32(uint32_t address) const {
            uint32_t v;
            std::memcpy(&v, bytes(address, 4).data(), 4);
            return v;
        }
        std::string_view text(uint32_t address, uint32_t length) const {
            std::span<uint8_t> b = bytes(address, length);
            return {reinterpret_cast<const char*>(b.data()), b.size()};
        }
        /// The buffers of an iovec array, each checked.
        std::vector<std::span<uint8_t>> iovecs(uint32_t address, uint32_t count) const {
            std::span<uint8_t> table =
                bytes(address,
                      static_cast<uint32_t>(std::min<uint64_t>(uint64_t{count} * 8, UINT32_MAX)));
            std::vector<std::span<uint8_t>> buffers;
            for (uint32_t i = 0; i < count; ++i) {
                uint32_t base, length;
                std::memcpy(&base, table.data() + i * 8, 4);
                std::memcpy(&length, table.data() + i * 8 + 4, 4);
                buffers.push_back(bytes(base, length));
            }
            return buffers;
        }
    };

    Descriptor* descriptor(uint32_t fd) { return fd < fds.size() && fds[fd] ? &*fds[fd] : nullptr; }

    // --- the functions -------------------------------------------------------

    static uint16_t list_sizes(const Call& c, const std::vector<std::string>& list) {
        size_t total = 0;
        for (const std::string& s : list) total += s.size() + 1;
        c.put<uint32_t>(c.arg(0), static_cast<uint32_t>(list.size()));
        c.put<uint32_t>(c.arg(1), static_cast<uint32_t>(total));
        return kSuccess;
    }

    static uint16_t list_get(const Call& c, const std::vector<std::string>& list) {
        uint32_t pointers = c.arg(0), buffer = c.arg(1);
        for (const std::string& s : list) {
            c.put<uint32_t>(pointers, buffer);
            std::span<uint8_t> dst = c.bytes(buffer, static_cast<uint32_t>(s.size() + 1));
            std::memcpy(dst.data(), s.data(), s.size());
            dst[s.size()] = 0;
            pointers += 4;
            buffer += static_cast<uint32_t>(s.size() + 1);
        }
        return kSuccess;
    }

    static bool is_clock(uint32_t id) { return id <= 3; }

    void write_output(int fd, std::string_view bytes) {
        if (options.output) return options.output(fd, bytes);
        std::string& buffer = out[fd - 1];
        // A module that prints in a loop must not fill the host's memory.
        size_t room =
            options.max_buffered_output - std::min(options.max_buffered_output, buffer.size());
        buffer.append(bytes.substr(0, room));
    }

    size_t read_input(std::span<uint8_t> dst) {
        if (options.input) return options.input(dst);
        size_t n = std::min(dst.size(), stdin_bytes.size() - stdin_position);
        std::memcpy(dst.data(), stdin_bytes.data() + stdin_position, n);
        stdin_position += n;
        return n;
    }

    uint16_t fd_write(const Call& c) {
        Descriptor* d = descriptor(c.arg(0));
        if (!d || d->kind == Descriptor::Kind::Stdin) return kBadf;
        if (d->kind != Descriptor::Kind::Stdout && d->kind != Descriptor::Kind::Stderr)
            return kAcces;
        size_t written = 0;
        for (std::span<uint8_t> b : c.iovecs(c.arg(1), c.arg(2))) {
            write_output(d->kind == Descriptor::Kind::Stdout ? 1 : 2,
                         {reinterpret_cast<const char*>(b.data()), b.size()});
            written += b.size();
        }
        c.put<uint32_t>(c.arg(3), static_cast<uint32_t>(written));
        return kSuccess;
    }

    uint16_t read_into(const Call& c, Descriptor& d, uint32_t iovs, uint32_t count,
                       uint64_t* position, uint32_t result) {
        size_t total = 0;
        for (std::span<uint8_t> b : c.iovecs(iovs, count)) {
            size_t n;
            if (d.kind == Descriptor::Kind::Stdin) {
                n = read_input(b);
            } else {
                uint64_t at = std::min<uint64_t>(*position, d.data.size());
                n = std::min<uint64_t>(b.size(), d.data.size() - at);
                std::memcpy(b.data(), d.data.data() + at, n);
                *position = at + n;
            }
            total += n;
            if (n < b.size()) break;
        }
        c.put<uint32_t>(result, static_cast<uint32_t>(total));
        return kSuccess;
    }

    uint16_t fd_read(const Call& c) {
        Descriptor* d = descriptor(c.arg(0));
        if (!d || d->kind == Descriptor::Kind::Stdout || d->kind == Descriptor::Kind::Stderr)
            return kBadf;
        if (d->kind == Descriptor::Kind::Directory) return kIsdir;
        return read_into(c, *d, c.arg(1), c.arg(2), &d->position, c.arg(3));
    }

    uint16_t fd_pread(const Call& c) {
        Descriptor* d = descriptor(c.arg(0));
        if (!d) return kBadf;
        if (d->kind == Descriptor::Kind::Directory) return kIsdir;
        if (d->kind != Descriptor::Kind::File) return kSpipe;
        uint64_t position = c.arg64(3);
        return read_into(c, *d, c.arg(1), c.arg(2), &position, c.arg(4));
    }

    uint16_t fd_seek(const Call& c) {
        Descriptor* d = descriptor(c.arg(0));
        if (!d) return kBadf;
        if (d->kind == Descriptor::Kind::Directory) return kBadf;
        if (d->kind != Descriptor::Kind::File) return kSpipe;
        auto offset = static_cast<int64_t>(c.arg64(1));
        int64_t base;
        switch (c.arg(2)) {
        case 0: base = 0; break;
        case 1: base = static_cast<int64_t>(d->position); break;
        case 2: base = static_cast<int64_t>(d->data.size()); break;
        default: return kInval;
        }
        if ((offset < 0 && base + offset < 0) || (offset > 0 && base > INT64_MAX - offset))
            return kInval;
        d->position = static_cast<uint64_t>(base + offset);
        c.put<uint64_t>(c.arg(3), d->position);
        return kSuccess;
    }

    uint16_t fd_tell(const Call& c) {
        Descriptor* d = descriptor(c.arg(0));
        if (!d) return kBadf;
        if (d->kind != Descriptor::Kind::File) return kSpipe;
        c.put<uint64_t>(c.arg(1), d->position);
        return kSuccess;
    }

    static uint8_t filetype(const Descriptor& d) {
        switch (d.kind) {
        case Descriptor::Kind::Directory: return kDirectory;
        case Descriptor::Kind::File: return kRegularFile;
        default: return kCharacterDevice;
        }
    }

    uint16_t fd_fdstat_get(const Call& c) {
        Descriptor* d = descriptor(c.arg(0));
        if (!d) return kBadf;
        std::array<uint8_t, kFdstatSize> stat{};
        stat[0] = filetype(*d);
        uint64_t inheriting = d->kind == Descriptor::Kind::Directory ? kReadRights : 0;
        std::memcpy(stat.data() + 8, &d->rights, 8);
        std::memcpy(stat.data() + 16, &inheriting, 8);
        std::memcpy(c.bytes(c.arg(1), kFdstatSize).data(), stat.data(), kFdstatSize);
        return kSuccess;
    }

    // Times, device and inode are zero: they would tell the module about the
    // host, and nothing a macro or a compiler does needs them.
    static void put_filestat(const Call& c, uint32_t address, uint8_t type, uint64_t size) {
        std::array<uint8_t, kFilestatSize> stat{};
        stat[16] = type;
        uint64_t links = 1;
        std::memcpy(stat.data() + 24, &links, 8);
        std::memcpy(stat.data() + 32, &size, 8);
        std::memcpy(c.bytes(address, kFilestatSize).data(), stat.data(), kFilestatSize);
    }

    uint16_t fd_filestat_get(const Call& c) {
        Descriptor* d = descriptor(c.arg(0));
        if (!d) return kBadf;
        put_filestat(c, c.arg(1), filetype(*d), d->data.size());
        return kSuccess;
    }

    uint16_t fd_prestat_get(const Call& c) {
        Descriptor* d = descriptor(c.arg(0));
        // wasi-libc finds the preopens by asking fd 3, 4, ... until EBADF.
        if (!d || !d->is_preopen) return kBadf;
        c.put<uint32_t>(c.arg(1), 0); // tag 0: a directory
        c.put<uint32_t>(c.arg(1) + 4, static_cast<uint32_t>(d->preopen_name.size()));
        return kSuccess;
    }

    uint16_t fd_prestat_dir_name(const Call& c) {
        Descriptor* d = descriptor(c.arg(0));
        if (!d || !d->is_preopen) return kBadf;
        if (c.arg(2) < d->preopen_name.size()) return kNametoolong;
        std::span<uint8_t> dst = c.bytes(c.arg(1), static_cast<uint32_t>(d->preopen_name.size()));
        std::memcpy(dst.data(), d->preopen_name.data(), d->preopen_name.size());
        return kSuccess;
    }

    uint16_t fd_close(const Call& c) {
        if (!descriptor(c.arg(0))) return kBadf;
        fds[c.arg(0)].reset();
        return kSuccess;
    }

    uint16_t fd_advise(const Call& c) {
        Descriptor* d = descriptor(c.arg(0));
        if (!d) return kBadf;
        return d->kind == Descriptor::Kind::File ? kSuccess : kBadf;
    }

    /// A directory's entries, sorted so that every run lists them alike.
    static std::vector<std::pair<std::string, uint8_t>> list_directory(const std::string& path) {
        std::vector<std::pair<std::string, uint8_t>> entries;
        DIR* dir = opendir(path.c_str());
        if (!dir) return entries;
        while (dirent* e = readdir(dir)) {
            std::string name = e->d_name;
            if (name == "." || name == "..") continue;
            struct stat st;
            uint8_t type = kUnknown;
            if (stat((path + "/" + name).c_str(), &st) == 0)
                type = S_ISDIR(st.st_mode)   ? kDirectory
                       : S_ISREG(st.st_mode) ? kRegularFile
                                             : kUnknown;
            entries.emplace_back(std::move(name), type);
        }
        closedir(dir);
        std::sort(entries.begin(), entries.end());
        entries.insert(entries.begin(), {{".", kDirectory}, {"..", kDirectory}});
        return entries;
    }

    uint16_t fd_readdir(const Call& c) {
        Descriptor* d = descriptor(c.arg(0));
        if (!d) return kBadf;
        if (d->kind != Descriptor::Kind::Directory) return kNotdir;
        uint32_t buffer = c.arg(1), length = c.arg(2);
        uint64_t cookie = c.arg64(3);
        std::span<uint8_t> dst = c.bytes(buffer, length);
        auto entries = list_directory(host_path(d->root, d->relative));
        size_t used = 0;
        for (uint64_t i = cookie; i < entries.size() && used < dst.size(); ++i) {
            const auto& [name, type] = entries[i];
            std::array<uint8_t, kDirentSize> header{};
            uint64_t next = i + 1, inode = 0;
            auto name_length = static_cast<uint32_t>(name.size());
            std::memcpy(header.data(), &next, 8);
            std::memcpy(header.data() + 8, &inode, 8);
            std::memcpy(header.data() + 16, &name_length, 4);
            header[20] = type;
            // The last entry may be cut short: a full buffer tells the
            // module to ask again with a bigger one.
            for (uint8_t byte : header) {
                if (used == dst.size()) break;
                dst[used++] = byte;
            }
            for (char ch : name) {
                if (used == dst.size()) break;
                dst[used++] = static_cast<uint8_t>(ch);
            }
        }
        c.put<uint32_t>(c.arg(4), static_cast<uint32_t>(used));
        return kSuccess;
    }

    /// Resolves `path` below directory `dir` to its components below the
    /// preopen's root: an absolute path, or `..` above the root, or a
    /// symbolic link leading out of it, is ENOTCAPABLE.
    uint16_t resolve(const Descriptor& dir, std::string_view path,
                     std::vector<std::string>& components, std::string& host) {
        if (path.empty()) return kNoent;
        if (path.front() == '/') return kNotcapable;
        if (path.find('\0') != std::string_view::npos) return kInval;
        components = dir.relative;
        size_t start = 0;
        while (start <= path.size()) {
            size_t end = std::min(path.find('/', start), path.size());
            std::string_view part = path.substr(start, end - start);
            if (part == "..") {
                if (components.empty()) return kNotcapable;
                components.pop_back();
            } else if (!part.empty() && part != ".") {
                components.emplace_back(part);
            }
            start = end + 1;
        }
        std::optional<std::string> real = real_path(host_path(dir.root, components));
        if (!real) return kNoent;
        if (!is_inside(dir.root, *real)) return kNotcapable;
        host = *real;
        return kSuccess;
    }

    uint16_t path_open(const Call& c) {
        Descriptor* dir = descriptor(c.arg(0));
        if (!dir) return kBadf;
        if (dir->kind != Descriptor::Kind::Directory) return kNotdir;
        std::string_view path = c.text(c.arg(2), c.arg(3));
        auto oflags = static_cast<uint16_t>(c.arg(4));
        uint64_t rights = c.arg64(5);
        auto fdflags = static_cast<uint16_t>(c.arg(7));
        if ((oflags & kOflagsWrite) || (rights & kWriteRights) || (fdflags & kFdflagAppend))
            return kAcces;
        std::vector<std::string> components;
        std::string host;
        if (uint16_t e = resolve(*dir, path, components, host)) return e;
        struct stat st;
        if (stat(host.c_str(), &st) != 0) return kNoent;
        Descriptor d = descriptor_of(Descriptor::Kind::File, rights & kReadRights);
        d.root = dir->root;
        d.relative = std::move(components);
        if (S_ISDIR(st.st_mode)) {
            d.kind = Descriptor::Kind::Directory;
        } else {
            if (oflags & kOflagDirectory) return kNotdir;
            if (!S_ISREG(st.st_mode)) return kAcces;
            std::ifstream in(host, std::ios::binary);
            if (!in) return kAcces;
            d.data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
            if (in.bad()) return kIo;
        }
        uint32_t fd = 0;
        while (fd < fds.size() && fds[fd]) ++fd;
        if (fd == fds.size()) fds.emplace_back();
        fds[fd] = std::move(d);
        c.put<uint32_t>(c.arg(8), fd);
        return kSuccess;
    }

    uint16_t path_filestat_get(const Call& c) {
        Descriptor* dir = descriptor(c.arg(0));
        if (!dir) return kBadf;
        if (dir->kind != Descriptor::Kind::Directory) return kNotdir;
        std::vector<std::string> components;
        std::string host;
        if (uint16_t e = resolve(*dir, c.text(c.arg(2), c.arg(3)), components, host)) return e;
        struct stat st;
        if (stat(host.c_str(), &st) != 0) return kNoent;
        uint8_t type = S_ISDIR(st.st_mode)   ? kDirectory
                       : S_ISREG(st.st_mode) ? kRegularFile
                                             : kUnknown;
        put_filestat(c, c.arg(4), type,
                     S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0);
        return kSuccess;
    }

    uint16_t random_get(const Call& c) {
        for (uint8_t& byte : c.bytes(c.arg(0), c.arg(1))) {
            // splitmix64, one byte per step: simple, and the same everywhere.
            uint64_t z = (random_state += 0x9E3779B97F4A7C15ULL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            byte = static_cast<uint8_t>(z ^ (z >> 31));
        }
        return kSuccess;
    }

    /// What a function without a case answers: the fd's problem if it names
    /// a bad one, EACCES for anything that would change a file, else ENOSYS.
    uint16_t fallback(const Call& c) {
        std::string_view f = c.function;
        bool takes_fd = f.starts_with("fd_") || f.starts_with("path_") || f.starts_with("sock_");
        if (takes_fd && !descriptor(c.arg(0))) return kBadf;
        if (f.starts_with("sock_")) return kNotsup;
        if (f.starts_with("fd_") || f.starts_with("path_")) return kAcces;
        return kNosys;
    }

    uint16_t dispatch(const Call& c) {
        std::string_view f = c.function;
        if (f == "args_sizes_get") return list_sizes(c, options.args);
        if (f == "args_get") return list_get(c, options.args);
        if (f == "environ_sizes_get") return list_sizes(c, options.environment);
        if (f == "environ_get") return list_get(c, options.environment);
        if (f == "clock_res_get" || f == "clock_time_get") {
            if (!is_clock(c.arg(0))) return kInval;
            uint32_t result = c.arg(f == "clock_res_get" ? 1 : 2);
            c.put<uint64_t>(result, f == "clock_res_get" ? 1 : kFixedTimeNs);
            return kSuccess;
        }
        if (f == "fd_write") return fd_write(c);
        if (f == "fd_read") return fd_read(c);
        if (f == "fd_pread") return fd_pread(c);
        if (f == "fd_seek") return fd_seek(c);
        if (f == "fd_tell") return fd_tell(c);
        if (f == "fd_fdstat_get") return fd_fdstat_get(c);
        if (f == "fd_filestat_get") return fd_filestat_get(c);
        if (f == "fd_prestat_get") return fd_prestat_get(c);
        if (f == "fd_prestat_dir_name") return fd_prestat_dir_name(c);
        if (f == "fd_close") return fd_close(c);
        if (f == "fd_advise") return fd_advise(c);
        if (f == "fd_readdir") return fd_readdir(c);
        if (f == "path_open") return path_open(c);
        if (f == "path_filestat_get") return path_filestat_get(c);
        if (f == "random_get") return random_get(c);
        if (f == "sched_yield") return kSuccess;
        if (f == "proc_exit") throw ProcExit(c.arg(0));
        return fallback(c);
    }
};

Wasi::Wasi(Options options) : state_(std::make_unique<State>(std::move(options))) {}

Wasi::~Wasi() = default;

void Wasi::link(wasm::Store& store) {
    State& s = *state_;
    s.linked.clear();
    auto add = [&](const Signature& sig) {
        std::string_view function = sig.name;
        bool returns = sig.returns_errno;
        wasm::Function* f = store.create_host_function(
            type_of(sig),
            [&s, function, returns](wasm::HostCall& call) {
                uint16_t e = s.dispatch(State::Call{call, function});
                if (returns) call.results[0] = e;
            },
            fmt::format("{}.{}", kImportModule, sig.name));
        s.linked.emplace_back(function, f);
    };
    for (const Signature& sig : kFunctions) add(sig);
}

std::optional<wasm::Extern> Wasi::resolve(const wasm::Import& import) const {
    if (!is_wasi_import(import) || import.kind != wasm::ExternKind::Func) return std::nullopt;
    for (const auto& [name, function] : state_->linked)
        if (name == import.name) return wasm::Extern{function};
    return std::nullopt;
}

void Wasi::set_environment(std::vector<std::string> environment) {
    state_->options.environment = std::move(environment);
}

const std::vector<std::string>& Wasi::environment() const {
    return state_->options.environment;
}

void Wasi::begin_call(std::string input) {
    State& s = *state_;
    s.stdin_bytes = std::move(input);
    s.stdin_position = 0;
    s.out[0].clear();
    s.out[1].clear();
    s.random_state = kRandomSeed;
    s.reset_descriptors();
}

const std::string& Wasi::stdout_text() const {
    return state_->out[0];
}

const std::string& Wasi::stderr_text() const {
    return state_->out[1];
}

} // namespace wasmacro::wasi
