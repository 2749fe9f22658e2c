#include "cache/store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace wasmacro::cache {

namespace fs = std::filesystem;

namespace {

// --- The entry format ---------------------------------------------------------
//
//   0  "wmxc"  u32 version  u8 kind  3 zero bytes
//  12  u64 key length  u64 payload length
//  28  key material, payload
// end  SHA-256 of everything before it
//
// (little-endian). The checksum is what makes a torn or bit-flipped entry a
// miss rather than a wrong expansion: entries are not fsynced, so a crash can
// leave a file of the right length with the wrong bytes.
constexpr std::array<uint8_t, 4> kMagic{'w', 'm', 'x', 'c'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeader = 28;
constexpr size_t kTrailer = 32;

void put_u32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void put_u64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get_u32(const uint8_t* p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
    return v;
}
uint64_t get_u64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
}

/// The payload of `file` if it is a whole, intact entry for `material`.
std::optional<Outcome> parse_entry(std::span<const uint8_t> file,
                                   std::span<const uint8_t> material) {
    if (file.size() < kHeader + kTrailer) return std::nullopt;
    if (!std::equal(kMagic.begin(), kMagic.end(), file.begin())) return std::nullopt;
    if (get_u32(file.data() + 4) != kVersion) return std::nullopt;
    uint8_t kind = file[8];
    if (kind > static_cast<uint8_t>(Outcome::Kind::Abi)) return std::nullopt;
    uint64_t key_len = get_u64(file.data() + 12), payload_len = get_u64(file.data() + 20);
    size_t body = file.size() - kHeader - kTrailer;
    if (key_len != material.size() || key_len > body || payload_len != body - key_len)
        return std::nullopt;
    if (!std::equal(material.begin(), material.end(), file.begin() + kHeader)) return std::nullopt;
    std::array<uint8_t, 32> sum = sha256(file.first(file.size() - kTrailer));
    if (!std::equal(sum.begin(), sum.end(), file.end() - kTrailer)) return std::nullopt;
    Outcome out;
    out.kind = static_cast<Outcome::Kind>(kind);
    auto payload = file.subspan(kHeader + key_len, payload_len);
    out.bytes.assign(payload.begin(), payload.end());
    return out;
}

std::vector<uint8_t> make_entry(const Key& key, const Outcome& outcome) {
    const std::vector<uint8_t>& m = key.material();
    std::vector<uint8_t> file(kHeader + m.size() + outcome.bytes.size() + kTrailer);
    std::copy(kMagic.begin(), kMagic.end(), file.begin());
    put_u32(file.data() + 4, kVersion);
    file[8] = static_cast<uint8_t>(outcome.kind);
    put_u64(file.data() + 12, m.size());
    put_u64(file.data() + 20, outcome.bytes.size());
    std::copy(m.begin(), m.end(), file.begin() + kHeader);
    std::copy(outcome.bytes.begin(), outcome.bytes.end(), file.begin() + kHeader + m.size());
    std::array<uint8_t, 32> sum = sha256(std::span(file).first(file.size() - kTrailer));
    std::copy(sum.begin(), sum.end(), file.end() - kTrailer);
    return file;
}

bool read_all(int fd, std::vector<uint8_t>& out) {
    size_t done = 0;
    while (done < out.size()) {
        ssize_t n = pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

bool write_all(int fd, std::span<const uint8_t> bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

/// An flock on `path`, held for the object's life; `held()` is false if a
/// non-blocking attempt found it taken or the file could not be opened.
class Lock {
public:
    Lock(const fs::path& path, bool wait) {
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) return;
        while (flock(fd_, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
            if (errno == EINTR) continue;
            ::close(fd_);
            fd_ = -1;
            return;
        }
    }
    ~Lock() {
        if (fd_ >= 0) ::close(fd_);
    }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;
    bool held() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

bool is_entry_name(std::string_view name) {
    return name.size() == 64 && std::all_of(name.begin(), name.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

struct EntryFile {
    fs::path path;
    uint64_t size;
    int64_t used; ///< mtime, nanoseconds
};

std::vector<EntryFile> list_entries(const fs::path& entries) {
    std::vector<EntryFile> out;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(entries, ec)) {
        if (!is_entry_name(e.path().filename().string())) continue;
        struct stat st;
        if (::stat(e.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        out.push_back({e.path(), static_cast<uint64_t>(st.st_size),
                       int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec});
    }
    return out;
}

constexpr uint64_t kCountersMagic = 0x31737274'6e756f63; // "counts1"
constexpr size_t kCountersFile = 4096;

} // namespace

// --- Configuration -------------------------------------------------------------

uint64_t parse_size(std::string_view text) {
    std::string_view digits = text;
    size_t n = 0;
    while (n < digits.size() && std::isdigit(static_cast<unsigned char>(digits[n]))) ++n;
    std::string_view unit = digits.substr(n);
    digits = digits.substr(0, n);
    unsigned shift = 0;
    if (unit == "" || unit == "B")
        shift = 0;
    else if (unit == "K" || unit == "KiB" || unit == "k")
        shift = 10;
    else if (unit == "M" || unit == "MiB")
        shift = 20;
    else if (unit == "G" || unit == "GiB")
        shift = 30;
    else if (unit == "T" || unit == "TiB")
        shift = 40;
    else
        digits = {};
    uint64_t value = 0;
    bool overflow = false;
    for (char c : digits) {
        if (value > (UINT64_MAX - 9) / 10) overflow = true;
        value = value * 10 + static_cast<uint64_t>(c - '0');
    }
    if (digits.empty() || overflow || (shift && value > (UINT64_MAX >> shift)))
        throw Error(fmt::format("`{}` is not a size: give bytes, or a number with K, M, G or T "
                                "(binary units), e.g. 1G",
                                text));
    return value << shift;
}

Config config_from_environment() {
    Config c;
    if (const char* v = std::getenv("WASMACRO_CACHE"); v != nullptr) {
        std::string_view s = v;
        if (s == "off" || s == "0" || s == "no" || s == "false") c.enabled = false;
    }
    if (const char* v = std::getenv("WASMACRO_CACHE_MAX_SIZE"); v != nullptr && *v != '\0') {
        try {
            c.max_bytes = parse_size(v);
        } catch (const Error& e) {
            throw Error(fmt::format("WASMACRO_CACHE_MAX_SIZE: {}", e.what()));
        }
    }
    fs::path root;
    if (const char* d = std::getenv("WASMACRO_CACHE_DIR"); d != nullptr && *d != '\0')
        root = d;
    else if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x == '/')
        root = fs::path(x) / "wasmacro";
    else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
        root = fs::path(home) / ".cache" / "wasmacro";
    else if (c.enabled)
        throw Error("no cache directory: set WASMACRO_CACHE_DIR, XDG_CACHE_HOME or HOME (or "
                    "WASMACRO_CACHE=off)");
    if (!root.empty()) c.dir = root / "expansions";
    return c;
}

// --- Digests and keys ------------------------------------------------------------

Key& Key::add(std::span<const uint8_t> bytes) {
    add_u64(bytes.size());
    material_.insert(material_.end(), bytes.begin(), bytes.end());
    return *this;
}

Key& Key::add(std::string_view text) {
    return add({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

Key& Key::add_u64(uint64_t value) {
    size_t at = material_.size();
    material_.resize(at + 8);
    put_u64(material_.data() + at, value);
    return *this;
}

void Key::seal() {
    digest_ = sha256(material_);
}

// --- The store ---------------------------------------------------------------------

/// Lives in the shared mapping of dir/stats: every process adds to the same
/// counters with atomic instructions, so counting costs no system call.
struct Store::Counters {
    uint64_t magic;
    uint64_t hits, misses, stores;
    uint64_t scanned_bytes; ///< the entries' size at the last walk
    uint64_t written_bytes; ///< written since then
};

/// What this process knows of the directory, and the entries it has yet to
/// write. System calls are what a lookup costs on a miss (on these virtual
/// machines some 5-40 us each), so a miss is answered from the names read
/// once, and writing happens on a thread of its own.
struct Store::State {
    struct Job {
        Key key;
        Outcome outcome;
    };
    std::mutex mutex;
    std::condition_variable wake, idle;
    bool indexed = false;
    std::unordered_set<std::string> names; ///< entries on disk, as last known
    std::unordered_map<std::string, std::shared_ptr<const Job>> pending;
    std::deque<std::string> queue; ///< of `pending`, oldest first
    size_t pending_bytes = 0;
    bool stop = false;
    std::thread writer;
};

namespace {

std::atomic_ref<uint64_t> counter(uint64_t& field) {
    return std::atomic_ref<uint64_t>(field);
}

// More than this waiting to be written, and new outcomes are not kept: the
// writer is behind, and memory matters more.
constexpr size_t kMaxPendingBytes = size_t{64} << 20;
constexpr auto kWriterPeriod = std::chrono::milliseconds(20);

/// The stores a process has open, flushed when it exits: the Rust bridge's
/// store lives as long as rustc and is never destroyed. Leaked on purpose,
/// so that no static destructor can run before the flush.
struct OpenStores {
    std::mutex mutex;
    std::vector<Store*> stores;
};
OpenStores& open_stores() {
    static OpenStores* all = [] {
        auto* s = new OpenStores;
        std::atexit([] {
            OpenStores& o = open_stores();
            std::lock_guard lock(o.mutex);
            for (Store* store : o.stores) store->flush();
        });
        return s;
    }();
    return *all;
}

} // namespace

Store::Store(fs::path dir, uint64_t max_bytes)
    : dir_(std::move(dir)), max_bytes_(max_bytes), state_(std::make_unique<State>()) {
    static_assert(sizeof(Counters) <= kCountersFile);
    OpenStores& o = open_stores();
    std::lock_guard lock(o.mutex);
    o.stores.push_back(this);
}

Store::~Store() {
    {
        OpenStores& o = open_stores();
        std::lock_guard lock(o.mutex);
        std::erase(o.stores, this);
    }
    {
        std::lock_guard lock(state_->mutex);
        state_->stop = true;
    }
    state_->wake.notify_all();
    if (state_->writer.joinable()) state_->writer.join();
    if (counters_ != nullptr) munmap(counters_, kCountersFile);
    if (counters_fd_ >= 0) ::close(counters_fd_);
}

std::shared_ptr<Store> Store::open(const fs::path& dir, uint64_t max_bytes) {
    std::error_code ec;
    fs::create_directories(dir / "tmp", ec);
    if (!ec) fs::create_directories(dir / "entries", ec);
    if (ec)
        throw Error(
            fmt::format("cannot create the expansion cache {}: {}", dir.string(), ec.message()));
    // Writable is what matters; a directory that exists may still refuse.
    fs::path probe = dir / "tmp" / fmt::format("probe.{}", getpid());
    int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(fmt::format("cannot write to the expansion cache {}: {}", dir.string(),
                                std::strerror(errno)));
    ::close(fd);
    ::unlink(probe.c_str());

    std::shared_ptr<Store> store(new Store(dir, max_bytes));
    fs::path stats = dir / "stats";
    store->counters_fd_ = ::open(stats.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    struct stat st;
    if (store->counters_fd_ < 0 || fstat(store->counters_fd_, &st) != 0)
        throw Error(fmt::format("cannot open {}: {}", stats.string(), std::strerror(errno)));
    if (st.st_size < static_cast<off_t>(kCountersFile) &&
        ftruncate(store->counters_fd_, kCountersFile) != 0)
        throw Error(fmt::format("cannot size {}: {}", stats.string(), std::strerror(errno)));
    void* map =
        mmap(nullptr, kCountersFile, PROT_READ | PROT_WRITE, MAP_SHARED, store->counters_fd_, 0);
    if (map == MAP_FAILED)
        throw Error(fmt::format("cannot map {}: {}", stats.string(), std::strerror(errno)));
    store->counters_ = static_cast<Counters*>(map);
    uint64_t expected = 0;
    if (!counter(store->counters_->magic).compare_exchange_strong(expected, kCountersMagic) &&
        expected != kCountersMagic) {
        // Not ours (or damaged): start counting afresh rather than trust it.
        Counters& c = *store->counters_;
        for (uint64_t* f : {&c.hits, &c.misses, &c.stores, &c.scanned_bytes, &c.written_bytes})
            counter(*f).store(0);
        counter(c.magic).store(kCountersMagic);
    }
    return store;
}

fs::path Store::entry_path(const Key& key) const {
    return dir_ / "entries" / hex(key.digest());
}

std::optional<Outcome> Store::lookup(const Key& key) {
    std::optional<Outcome> found;
    std::string name = hex(key.digest());
    bool on_disk = false;
    {
        State& st = *state_;
        std::lock_guard lock(st.mutex);
        if (auto it = st.pending.find(name);
            it != st.pending.end() && it->second->key.material() == key.material()) {
            found = it->second->outcome;
        } else {
            if (!st.indexed) {
                std::error_code ec;
                for (const fs::directory_entry& e : fs::directory_iterator(dir_ / "entries", ec))
                    if (std::string n = e.path().filename().string(); is_entry_name(n))
                        st.names.insert(std::move(n));
                st.indexed = true;
            }
            on_disk = st.names.contains(name);
        }
    }
    if (on_disk) {
        int fd = ::open(entry_path(key).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            struct stat st;
            if (fstat(fd, &st) == 0 && st.st_size >= static_cast<off_t>(kHeader + kTrailer)) {
                std::vector<uint8_t> file(static_cast<size_t>(st.st_size));
                if (read_all(fd, file)) found = parse_entry(file, key.material());
            }
            // The last use is what prune goes by; the modification time is
            // the one a relatime mount keeps up to date.
            if (found) futimens(fd, nullptr);
            ::close(fd);
        }
    }
    counter(found ? counters_->hits : counters_->misses).fetch_add(1, std::memory_order_relaxed);
    return found;
}

void Store::put(Key key, Outcome outcome) {
    State& st = *state_;
    std::string name = hex(key.digest());
    size_t size = key.material().size() + outcome.bytes.size();
    {
        std::lock_guard lock(st.mutex);
        if (st.pending_bytes + size > kMaxPendingBytes || st.pending.contains(name)) return;
        st.pending.emplace(name, std::make_shared<const State::Job>(
                                     State::Job{std::move(key), std::move(outcome)}));
        st.queue.push_back(std::move(name));
        st.pending_bytes += size;
        if (!st.writer.joinable()) st.writer = std::thread([this] { write_pending(); });
        // The writer looks for work every kWriterPeriod by itself: waking it
        // is a system call, which would cost the expansion more than the
        // rest of a miss does.
        if (st.pending_bytes < kMaxPendingBytes / 4) return;
    }
    st.wake.notify_one();
}

void Store::flush() {
    State& st = *state_;
    std::unique_lock lock(st.mutex);
    st.wake.notify_one(); // rather than in up to kWriterPeriod
    st.idle.wait(lock, [&] { return st.queue.empty() && st.pending.empty(); });
}

void Store::write_pending() {
    State& st = *state_;
    static std::atomic<uint64_t> sequence{0};
    const pid_t pid = getpid();
    std::unique_lock lock(st.mutex);
    for (;;) {
        st.wake.wait_for(lock, kWriterPeriod, [&] { return st.stop || !st.queue.empty(); });
        if (st.queue.empty()) {
            if (st.stop) return; // with nothing left to write
            continue;
        }
        std::string name = std::move(st.queue.front());
        st.queue.pop_front();
        std::shared_ptr<const State::Job> job = st.pending.at(name);
        lock.unlock();

        std::vector<uint8_t> file = make_entry(job->key, job->outcome);
        fs::path tmp = dir_ / "tmp" / fmt::format("{}.{}.{}", name, pid, sequence++);
        fs::path path = dir_ / "entries" / name;
        bool written = false;
        int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            bool ok = write_all(fd, file);
            ok = ::close(fd) == 0 && ok;
            written = ok && ::rename(tmp.c_str(), path.c_str()) == 0;
            if (!written) ::unlink(tmp.c_str());
        }
        if (written) {
            counter(counters_->stores).fetch_add(1, std::memory_order_relaxed);
            counter(counters_->written_bytes).fetch_add(file.size(), std::memory_order_relaxed);
            maybe_prune();
        }

        lock.lock();
        st.pending_bytes -= job->key.material().size() + job->outcome.bytes.size();
        st.pending.erase(name);
        if (written) st.names.insert(std::move(name));
        if (st.queue.empty()) st.idle.notify_all();
    }
}

void Store::maybe_prune() {
    uint64_t total = counter(counters_->scanned_bytes).load(std::memory_order_relaxed) +
                     counter(counters_->written_bytes).load(std::memory_order_relaxed);
    if (total <= max_bytes_) return;
    // Whoever holds the lock is pruning already; nobody waits for it.
    Lock lock(dir_ / "prune.lock", false);
    if (lock.held()) prune_locked(max_bytes_ / 10 * 9);
}

PruneResult Store::prune(uint64_t max_bytes) {
    flush();
    Lock lock(dir_ / "prune.lock", true);
    if (!lock.held())
        throw Error(fmt::format("cannot lock {}: {}", (dir_ / "prune.lock").string(),
                                std::strerror(errno)));
    return prune_locked(max_bytes);
}

PruneResult Store::prune_locked(uint64_t max_bytes) {
    uint64_t written_before = counter(counters_->written_bytes).load();
    std::vector<EntryFile> entries = list_entries(dir_ / "entries");
    uint64_t total = 0;
    for (const EntryFile& e : entries) total += e.size;
    std::sort(entries.begin(), entries.end(),
              [](const EntryFile& a, const EntryFile& b) { return a.used < b.used; });
    PruneResult r;
    for (const EntryFile& e : entries) {
        if (total > max_bytes && ::unlink(e.path.c_str()) == 0) {
            total -= e.size;
            ++r.removed;
            r.removed_bytes += e.size;
        } else {
            ++r.kept;
            r.kept_bytes += e.size;
        }
    }
    // Temporary files a killed writer left; a live writer's are seconds old.
    std::error_code ec;
    auto stale = fs::file_time_type::clock::now() - std::chrono::hours(1);
    for (const fs::directory_entry& e : fs::directory_iterator(dir_ / "tmp", ec)) {
        std::error_code ec2;
        if (e.last_write_time(ec2) < stale) fs::remove(e.path(), ec2);
    }
    counter(counters_->scanned_bytes).store(r.kept_bytes);
    counter(counters_->written_bytes).fetch_sub(written_before);
    return r;
}

Stats Store::stats() {
    flush();
    Stats s;
    for (const EntryFile& e : list_entries(dir_ / "entries")) {
        ++s.entries;
        s.bytes += e.size;
    }
    s.hits = counter(counters_->hits).load();
    s.misses = counter(counters_->misses).load();
    s.stores = counter(counters_->stores).load();
    return s;
}

void Store::clear() {
    flush();
    Lock lock(dir_ / "prune.lock", true);
    for (const EntryFile& e : list_entries(dir_ / "entries")) ::unlink(e.path.c_str());
    Counters& c = *counters_;
    for (uint64_t* f : {&c.hits, &c.misses, &c.stores, &c.scanned_bytes, &c.written_bytes})
        counter(*f).store(0);
}

} // namespace wasmacro::cache
