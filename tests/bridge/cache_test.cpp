#include "bridge/cache.hpp"

#include "common/error.hpp"
#include "common/file.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using namespace wasmacro::bridge;
using wasmacro::write_file;

/// A fresh cache directory for one test, removed after it.
class Cache : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("wasmacro-cache-test-" + std::to_string(getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
    }
    void TearDown() override { fs::remove_all(root_); }

    /// Builds `artifact` holding `text`, counting the builds.
    std::function<void(const fs::path&)> builder(std::string text) {
        return [this, text](const fs::path& dir) {
            ++builds_;
            write_file((dir / "lib.so").string(), text);
        };
    }

    fs::path root_;
    std::atomic<int> builds_{0};
};

std::string read(const fs::path& path) {
    auto bytes = wasmacro::read_file_bytes(path.string());
    return std::string(bytes.begin(), bytes.end());
}

TEST_F(Cache, BuildsOnceThenReuses) {
    fs::path entry = ensure_entry(root_, "demo", "k1", "lib.so", builder("one"));
    EXPECT_EQ(entry, root_ / "demo-k1");
    EXPECT_EQ(read(entry / "lib.so"), "one");
    EXPECT_EQ(read(entry / "stamp"), stamp_for("k1", entry / "lib.so"));
    EXPECT_EQ(ensure_entry(root_, "demo", "k1", "lib.so", builder("two")), entry);
    EXPECT_EQ(builds_, 1);
    EXPECT_EQ(read(entry / "lib.so"), "one");
    // Nothing is left in tmp/.
    EXPECT_TRUE(fs::is_empty(root_ / "tmp"));
}

TEST_F(Cache, TheStampNamesKeyArtifactSizeAndDigest) {
    fs::path entry = ensure_entry(root_, "demo", "k1", "lib.so", builder("one"));
    // The digest is hashlib.sha256(struct.pack('<Q', 3) + b'one'), as
    // wasmacro::Sha256 frames it.
    EXPECT_EQ(read(entry / "stamp"),
              "wasmacro-cache-entry-v2 k1 lib.so 3 "
              "d87f6914ee2e62d4edfea922e8beb8bafe5d72c98c4637f9b786fc8adfb97b68\n");
}

TEST_F(Cache, AnEntryWhoseArtifactChangedIsRebuilt) {
    fs::path entry = ensure_entry(root_, "demo", "k1", "lib.so", builder("one"));
    write_file((entry / "lib.so").string(), "tampered");
    EXPECT_FALSE(entry_is_valid(entry, "k1", "lib.so"));
    ensure_entry(root_, "demo", "k1", "lib.so", builder("again"));
    EXPECT_EQ(builds_, 2);
    EXPECT_EQ(read(entry / "lib.so"), "again");
}

TEST_F(Cache, AnEntryMadeForAnotherKeyIsAMiss) {
    fs::path entry = ensure_entry(root_, "demo", "k1", "lib.so", builder("one"));
    // The directory renamed to another key's name: its stamp says k1.
    fs::rename(entry, root_ / "demo-k2");
    EXPECT_FALSE(entry_is_valid(root_ / "demo-k2", "k2", "lib.so"));
    ensure_entry(root_, "demo", "k2", "lib.so", builder("two"));
    EXPECT_EQ(read(root_ / "demo-k2" / "lib.so"), "two");
}

TEST_F(Cache, ABrokenEntryIsMovedAsideAndRebuilt) {
    // Half deleted: the directory is there, the stamp is not.
    fs::create_directories(root_ / "demo-k1" / "junk");
    write_file((root_ / "demo-k1" / "lib.so").string(), "old");
    fs::path entry = ensure_entry(root_, "demo", "k1", "lib.so", builder("new"));
    EXPECT_EQ(read(entry / "lib.so"), "new");
    EXPECT_FALSE(fs::exists(entry / "junk"));
    EXPECT_TRUE(fs::is_empty(root_ / "tmp"));
}

TEST_F(Cache, AFailedBuildLeavesNothingBehind) {
    auto failing = [](const fs::path& dir) {
        write_file((dir / "lib.so").string(), "half");
        throw wasmacro::Error("rustc failed");
    };
    EXPECT_THROW(ensure_entry(root_, "demo", "k1", "lib.so", failing), wasmacro::Error);
    EXPECT_FALSE(fs::exists(root_ / "demo-k1"));
    EXPECT_TRUE(fs::is_empty(root_ / "tmp"));
    // A build that forgets its artifact fails too, rather than caching nothing.
    EXPECT_THROW(ensure_entry(root_, "demo", "k1", "lib.so", [](const fs::path&) {}),
                 wasmacro::Error);
    EXPECT_FALSE(fs::exists(root_ / "demo-k1"));
}

TEST_F(Cache, ConcurrentBuildersBuildOnce) {
    // flock excludes two opens of the lock file even in one process, so
    // threads stand for the processes Cargo runs at once.
    auto slow = [this](const fs::path& dir) {
        ++builds_;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        write_file((dir / "lib.so").string(), "built");
    };
    std::vector<std::thread> threads;
    std::vector<fs::path> entries(4);
    for (size_t i = 0; i < entries.size(); ++i)
        threads.emplace_back(
            [&, i] { entries[i] = ensure_entry(root_, "demo", "k1", "lib.so", slow); });
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(builds_, 1);
    for (const fs::path& e : entries) EXPECT_EQ(e, root_ / "demo-k1");
    EXPECT_EQ(read(root_ / "demo-k1" / "lib.so"), "built");
}

TEST_F(Cache, TheLockIsExclusive) {
    fs::create_directories(root_);
    std::atomic<bool> second_has_it{false};
    std::thread second;
    {
        FileLock first(root_ / "x.lock");
        second = std::thread([&] {
            FileLock again(root_ / "x.lock");
            second_has_it = true;
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        EXPECT_FALSE(second_has_it);
    }
    second.join();
    EXPECT_TRUE(second_has_it);
    EXPECT_THROW(FileLock(root_ / "no-such-dir" / "x.lock"), wasmacro::Error);
}

TEST(CacheRoot, FromTheEnvironment) {
    auto keep = [](const char* name) {
        const char* v = std::getenv(name);
        return v ? std::optional<std::string>(v) : std::nullopt;
    };
    auto cache = keep("WASMACRO_CACHE_DIR"), xdg = keep("XDG_CACHE_HOME"), home = keep("HOME");
    setenv("WASMACRO_CACHE_DIR", "/c", 1);
    setenv("XDG_CACHE_HOME", "/x", 1);
    setenv("HOME", "/h", 1);
    EXPECT_EQ(cache_root(), fs::path("/c"));
    unsetenv("WASMACRO_CACHE_DIR");
    EXPECT_EQ(cache_root(), fs::path("/x/wasmacro"));
    setenv("XDG_CACHE_HOME", "relative", 1); // not absolute: ignored, as XDG says
    EXPECT_EQ(cache_root(), fs::path("/h/.cache/wasmacro"));
    unsetenv("XDG_CACHE_HOME");
    unsetenv("HOME");
    EXPECT_THROW(cache_root(), wasmacro::Error);
    auto restore = [](const char* name, const std::optional<std::string>& v) {
        if (v)
            setenv(name, v->c_str(), 1);
        else
            unsetenv(name);
    };
    restore("WASMACRO_CACHE_DIR", cache);
    restore("XDG_CACHE_HOME", xdg);
    restore("HOME", home);
}

} // namespace
