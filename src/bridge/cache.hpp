// The cache of built crates that `wasmacro rustc` keeps:
// ${WASMACRO_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/wasmacro}.
//
//   <prefix>-<key>/   one entry: an artifact and its `stamp`
//   locks/, tmp/      one lock file per entry; entries are built in tmp/ and
//                     renamed into place, so a reader never sees half of one
//
// Each entry's stamp holds its full key and the size and SHA-256 of its
// artifact; an entry whose stamp does not match its key or its artifact is
// rebuilt.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace wasmacro::bridge {

/// The cache's directory from the environment. Throws Error if none of
/// WASMACRO_CACHE_DIR, XDG_CACHE_HOME (absolute) and HOME is set.
std::filesystem::path cache_root();

/// An exclusive flock held for the object's lifetime. Two locks on one path
/// exclude each other even within one process (each opens the file anew).
class FileLock {
public:
    explicit FileLock(const std::filesystem::path& path);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int fd_ = -1;
};

/// The stamp an entry holding `artifact` for `key` has.
std::string stamp_for(const std::string& key, const std::filesystem::path& artifact);

/// Whether `entry` holds `artifact` for `key` exactly as its stamp describes
/// it: an entry made for another key is a miss, whatever its name says.
bool entry_is_valid(const std::filesystem::path& entry, const std::string& key,
                    std::string_view artifact);

/// The cache entry `prefix-key` under `root` holding `artifact`, built by
/// `build` (into the directory it is given) unless a valid one exists. Safe
/// against concurrent builders: one builds under the lock, the others wait
/// and then use it. A broken entry is moved aside and rebuilt; if `build`
/// throws, nothing of its work is left behind.
std::filesystem::path ensure_entry(const std::filesystem::path& root, const std::string& prefix,
                                   const std::string& key, std::string_view artifact,
                                   const std::function<void(const std::filesystem::path&)>& build);

} // namespace wasmacro::bridge
