// The expansion cache's store: content-addressed entries on disk, one file
// each, written atomically, with counters shared by every process that uses
// the same directory (README.md in this folder).
#pragma once

#include "common/digest.hpp"
#include "common/error.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wasmacro::cache {

/// 1 GiB: a few thousand serde expansions take some 100 MiB.
inline constexpr uint64_t kDefaultMaxBytes = uint64_t{1} << 30;

/// Whether and where, as the environment says: WASMACRO_CACHE (`off`, `0`,
/// `no` or `false` turn the cache off), WASMACRO_CACHE_DIR (the root of
/// wasmacro's caches) or XDG_CACHE_HOME/wasmacro or ~/.cache/wasmacro, with
/// the expansions in `expansions/` under it, and WASMACRO_CACHE_MAX_SIZE.
struct Config {
    bool enabled = true;
    std::filesystem::path dir; ///< the expansions directory itself
    uint64_t max_bytes = kDefaultMaxBytes;
};
/// Throws Error for a WASMACRO_CACHE_MAX_SIZE that is not a size, or when no
/// directory can be named (no HOME).
Config config_from_environment();

/// `1073741824`, `512K`, `100M`, `1G`, `2GiB`, ... (binary units). Throws
/// Error naming the text.
uint64_t parse_size(std::string_view text);

/// What identifies one expansion: every part that can change its outcome,
/// laid end to end (`material`, kept in the entry and compared on a hit, so
/// that not even a digest collision gives a wrong expansion) and its digest
/// (the entry's name).
class Key {
public:
    Key& add(std::span<const uint8_t> bytes);
    Key& add(std::string_view text);
    Key& add_u64(uint64_t value);
    /// Computes the digest; call once, after the last part.
    void seal();

    const std::vector<uint8_t>& material() const { return material_; }
    const std::array<uint8_t, 32>& digest() const { return digest_; }

private:
    std::vector<uint8_t> material_;
    std::array<uint8_t, 32> digest_{};
};

/// What an expansion gave: its output in the wire format, or the error it
/// failed with.
struct Outcome {
    enum class Kind : uint8_t { Expansion = 0, Panic = 1, Trap = 2, Abi = 3 };
    Kind kind = Kind::Expansion;
    /// The output stream's wire bytes, or the error message (UTF-8).
    std::vector<uint8_t> bytes;
};

struct Stats {
    uint64_t entries = 0;
    uint64_t bytes = 0;  ///< of the entry files
    uint64_t hits = 0;   ///< since the last clear, by every process
    uint64_t misses = 0; ///< likewise
    uint64_t stores = 0; ///< entries written, likewise
};

struct PruneResult {
    uint64_t removed = 0, removed_bytes = 0;
    uint64_t kept = 0, kept_bytes = 0;
};

/// One cache directory, opened by one process. Thread-safe.
class Store {
public:
    /// Creates the directory if need be and checks that entries can be
    /// written there. Throws Error naming the directory and the reason.
    static std::shared_ptr<Store> open(const std::filesystem::path& dir,
                                       uint64_t max_bytes = kDefaultMaxBytes);
    /// Writes what is pending first.
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    /// The entry for `key`, or nullopt (counted as a miss): none, or one that
    /// is truncated, corrupted, of another format or another key. A hit
    /// marks the entry used now, for prune. The directory's names are read
    /// once, at the first lookup: an entry another process writes after
    /// that is a miss here (and is written again).
    std::optional<Outcome> lookup(const Key& key);
    /// Queues the entry for `key`; a thread of the store's writes it through
    /// a temporary file renamed into place, so that a reader sees the old
    /// entry, the new one or none, and until then lookup finds it in memory.
    /// A failure to write is not an error: the expansion is simply not
    /// kept. Now and then (when the entries may have outgrown the cap) the
    /// writer prunes them to 90% of it, in whichever process gets the prune
    /// lock first. What is pending is written when the store is destroyed or
    /// the process exits.
    void put(Key key, Outcome outcome);
    /// Waits until everything put so far is written (or given up on).
    void flush();

    /// Counts the entries (a walk of the directory) and reads the counters.
    Stats stats();
    /// Removes the least recently used entries until they take at most
    /// `max_bytes`, under the prune lock (waits for another prune to end).
    PruneResult prune(uint64_t max_bytes);
    /// Removes every entry and zeroes the counters.
    void clear();

    const std::filesystem::path& dir() const { return dir_; }
    /// The path of `key`'s entry (for tests).
    std::filesystem::path entry_path(const Key& key) const;

private:
    Store(std::filesystem::path dir, uint64_t max_bytes);
    struct Counters;
    struct State;
    void write_pending();
    PruneResult prune_locked(uint64_t max_bytes);
    void maybe_prune();

    std::filesystem::path dir_;
    uint64_t max_bytes_;
    Counters* counters_ = nullptr; ///< shared memory, mapped from dir/stats
    int counters_fd_ = -1;
    std::unique_ptr<State> state_;
};

} // namespace wasmacro::cache
