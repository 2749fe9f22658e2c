#include "bridge/cache.hpp"

#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace wasmacro::bridge {

namespace fs = std::filesystem;

namespace {
constexpr std::string_view kStampMagic = "wasmacro-cache-entry-v2";
}

fs::path cache_root() {
    if (const char* d = std::getenv("WASMACRO_CACHE_DIR"); d != nullptr && *d != '\0') return d;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x == '/')
        return fs::path(x) / "wasmacro";
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
        return fs::path(home) / ".cache" / "wasmacro";
    throw Error("no cache directory: set WASMACRO_CACHE_DIR, XDG_CACHE_HOME or HOME");
}

FileLock::FileLock(const fs::path& path) {
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw Error(
            fmt::format("cannot open lock file {}: {}", path.string(), std::strerror(errno)));
    while (flock(fd_, LOCK_EX) != 0) {
        if (errno != EINTR)
            throw Error(fmt::format("cannot lock {}: {}", path.string(), std::strerror(errno)));
    }
}

FileLock::~FileLock() {
    close(fd_);
}

std::string stamp_for(const std::string& key, const fs::path& artifact) {
    auto bytes = try_read_file(artifact.string());
    if (!bytes) throw Error(fmt::format("cannot read {}", artifact.string()));
    return fmt::format("{} {} {} {} {}\n", kStampMagic, key, artifact.filename().string(),
                       bytes->size(), Sha256().add(*bytes).finish_hex());
}

bool entry_is_valid(const fs::path& entry, const std::string& key, std::string_view artifact) {
    std::error_code ec;
    if (!fs::is_regular_file(entry / artifact, ec)) return false;
    auto stamp = try_read_file((entry / "stamp").string());
    if (!stamp) return false;
    try {
        return std::string(stamp->begin(), stamp->end()) == stamp_for(key, entry / artifact);
    } catch (const Error&) {
        return false;
    }
}

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
        write_file((tmp / "stamp").string(), stamp_for(key, tmp / artifact));
        fs::rename(tmp, entry);
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
    return entry;
}

} // namespace wasmacro::bridge
