// The expansion cache (src/cache): the store's entries, counters and
// pruning, and expansions through it with the real fixture macros, in
// process (with_cache) and through the C API.
#include "abi/wire.hpp"
#include "cache/expansion.hpp"
#include "cache/store.hpp"
#include "macros/library.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"
#include "wasmacro.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace wasmacro;
namespace fs = std::filesystem;
using cache::Key;
using cache::Outcome;
using cache::Store;
using tokens::TokenStream;

const std::string kFixtures = WASMACRO_FIXTURES_DIR;

std::vector<uint8_t> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() /
               ("wasmacro-cache-test-" + std::to_string(getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
};

Key key_of(std::string_view text) {
    Key k;
    k.add(text);
    k.seal();
    return k;
}

Outcome outcome_of(size_t size, uint8_t fill) {
    Outcome o;
    o.bytes.assign(size, fill);
    return o;
}

// --- The store ---------------------------------------------------------------

TEST(Store, HitGivesTheStoredBytes) {
    TempDir dir;
    auto store = Store::open(dir.path);
    Key k = key_of("a");
    EXPECT_FALSE(store->lookup(k));
    Outcome o = outcome_of(1000, 7);
    o.kind = Outcome::Kind::Trap;
    store->put(k, o);
    auto hit = store->lookup(k);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->kind, Outcome::Kind::Trap);
    EXPECT_EQ(hit->bytes, o.bytes);
    EXPECT_FALSE(store->lookup(key_of("b")));
    cache::Stats s = store->stats();
    EXPECT_EQ(s.entries, 1u);
    EXPECT_EQ(s.hits, 1u);
    EXPECT_EQ(s.misses, 2u);
    EXPECT_EQ(s.stores, 1u);
    EXPECT_EQ(s.bytes, fs::file_size(store->entry_path(k)));
    // Another process's view of the same directory shares the counters.
    EXPECT_EQ(Store::open(dir.path)->stats().hits, 1u);
}

TEST(Store, TruncatedAndCorruptedEntriesAreMissesAndGetRewritten) {
    TempDir dir;
    auto store = Store::open(dir.path);
    Key k = key_of("entry");
    Outcome o = outcome_of(5000, 3);
    store->put(k, o);
    store->flush();
    const fs::path path = store->entry_path(k);
    const std::vector<uint8_t> good = read_file(path);

    for (size_t cut : {size_t{0}, size_t{10}, good.size() / 2, good.size() - 1}) {
        std::vector<uint8_t> bad(good.begin(), good.begin() + static_cast<ptrdiff_t>(cut));
        write_file(path, bad);
        EXPECT_FALSE(store->lookup(k)) << "truncated to " << cut;
        store->put(k, o);
        store->flush();
        EXPECT_EQ(read_file(path), good);
    }
    // A flipped byte anywhere: header, key, payload, checksum.
    for (size_t at : {size_t{2}, size_t{9}, size_t{30}, good.size() / 2, good.size() - 1}) {
        std::vector<uint8_t> bad = good;
        bad[at] ^= 0x20;
        write_file(path, bad);
        EXPECT_FALSE(store->lookup(k)) << "byte " << at;
    }
    // Bytes appended to a whole entry.
    std::vector<uint8_t> longer = good;
    longer.push_back(0);
    write_file(path, longer);
    EXPECT_FALSE(store->lookup(k));
    store->put(k, o);
    EXPECT_TRUE(store->lookup(k));
}

TEST(Store, AnotherKeysEntryUnderThisNameIsAMiss) {
    TempDir dir;
    auto store = Store::open(dir.path);
    Key a = key_of("a"), b = key_of("b");
    store->put(a, outcome_of(100, 1));
    store->flush();
    // What a digest collision would look like: a's intact entry named as b's.
    fs::create_directories(store->entry_path(b).parent_path());
    fs::copy_file(store->entry_path(a), store->entry_path(b));
    EXPECT_FALSE(store->lookup(b));
    EXPECT_TRUE(store->lookup(a));
}

void set_used(const fs::path& path, int seconds_ago) {
    fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::seconds(seconds_ago));
}

TEST(Store, PruneRemovesTheLeastRecentlyUsedDownToTheCap) {
    TempDir dir;
    auto store = Store::open(dir.path, uint64_t{1} << 30);
    std::vector<Key> keys;
    for (int i = 0; i < 10; ++i) {
        keys.push_back(key_of("k" + std::to_string(i)));
        store->put(keys.back(), outcome_of(10'000, static_cast<uint8_t>(i)));
        store->flush();
        set_used(store->entry_path(keys.back()), 1000 - i); // written in order
    }
    uint64_t entry = fs::file_size(store->entry_path(keys[0]));
    // The three oldest are used now, so the next four oldest go first.
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(store->lookup(keys[i]));
    cache::PruneResult r = store->prune(entry * 6);
    EXPECT_EQ(r.removed, 4u);
    EXPECT_EQ(r.kept, 6u);
    EXPECT_LE(store->stats().bytes, entry * 6);
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ(fs::exists(store->entry_path(keys[i])), i < 3 || i >= 7) << i;
    EXPECT_EQ(store->prune(0).kept, 0u);
    EXPECT_EQ(store->stats().entries, 0u);
}

TEST(Store, TheCapIsKeptWithoutAPruneCommand) {
    TempDir dir;
    const uint64_t cap = 100'000;
    auto store = Store::open(dir.path, cap);
    for (int i = 0; i < 60; ++i) {
        store->put(key_of("k" + std::to_string(i)), outcome_of(5'000, 1));
        EXPECT_LE(store->stats().bytes, cap) << i;
    }
    EXPECT_GT(store->stats().entries, 10u);
}

TEST(Store, ClearRemovesEntriesAndCounts) {
    TempDir dir;
    auto store = Store::open(dir.path);
    store->put(key_of("a"), outcome_of(10, 1));
    EXPECT_TRUE(store->lookup(key_of("a")));
    store->clear();
    cache::Stats s = store->stats();
    EXPECT_EQ(s.entries, 0u);
    EXPECT_EQ(s.hits + s.misses + s.stores, 0u);
    EXPECT_FALSE(store->lookup(key_of("a")));
}

TEST(Store, AnUnwritableDirectoryIsAnErrorNamingIt) {
    TempDir dir;
    std::ofstream(dir.path / "file") << "in the way";
    try {
        Store::open(dir.path / "file" / "expansions");
        FAIL() << "opened";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find((dir.path / "file").string()), std::string::npos)
            << e.what();
    }
}

TEST(Store, ConcurrentProcessesSeeWholeEntries) {
    TempDir dir;
    constexpr int kProcesses = 8, kKeys = 40;
    std::vector<pid_t> children;
    for (int p = 0; p < kProcesses; ++p) {
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            // Each writes every entry and reads every one back, racing the others.
            int bad = 0;
            auto store = Store::open(dir.path);
            for (int round = 0; round < 3; ++round)
                for (int i = 0; i < kKeys; ++i) {
                    Key k = key_of("k" + std::to_string(i));
                    Outcome o =
                        outcome_of(20'000 + static_cast<size_t>(i), static_cast<uint8_t>(i));
                    if (auto hit = store->lookup(k))
                        bad += hit->bytes != o.bytes;
                    else
                        store->put(k, o);
                }
            store->flush(); // _exit runs no destructor
            _exit(bad == 0 ? 0 : 1);
        }
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        int status = 0;
        waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    auto store = Store::open(dir.path);
    cache::Stats s = store->stats();
    EXPECT_EQ(s.entries, static_cast<uint64_t>(kKeys));
    EXPECT_EQ(s.hits + s.misses, uint64_t{kProcesses} * 3 * kKeys);
    EXPECT_TRUE(fs::is_empty(dir.path / "tmp"));
}

TEST(Config, FromTheEnvironment) {
    setenv("WASMACRO_CACHE_DIR", "/some/where", 1);
    unsetenv("WASMACRO_CACHE");
    unsetenv("WASMACRO_CACHE_MAX_SIZE");
    cache::Config c = cache::config_from_environment();
    EXPECT_TRUE(c.enabled);
    EXPECT_EQ(c.dir, fs::path("/some/where/expansions"));
    EXPECT_EQ(c.max_bytes, cache::kDefaultMaxBytes);
    setenv("WASMACRO_CACHE", "off", 1);
    setenv("WASMACRO_CACHE_MAX_SIZE", "300M", 1);
    c = cache::config_from_environment();
    EXPECT_FALSE(c.enabled);
    EXPECT_EQ(c.max_bytes, uint64_t{300} << 20);
    unsetenv("WASMACRO_CACHE_DIR");
    setenv("XDG_CACHE_HOME", "/xdg", 1);
    EXPECT_EQ(cache::config_from_environment().dir, fs::path("/xdg/wasmacro/expansions"));
    setenv("WASMACRO_CACHE_MAX_SIZE", "lots", 1);
    EXPECT_THROW(cache::config_from_environment(), Error);
    unsetenv("WASMACRO_CACHE");
    unsetenv("WASMACRO_CACHE_MAX_SIZE");
    unsetenv("XDG_CACHE_HOME");
}

TEST(Config, Sizes) {
    EXPECT_EQ(cache::parse_size("1024"), 1024u);
    EXPECT_EQ(cache::parse_size("2K"), 2048u);
    EXPECT_EQ(cache::parse_size("1G"), uint64_t{1} << 30);
    EXPECT_EQ(cache::parse_size("3GiB"), uint64_t{3} << 30);
    for (const char* bad : {"", "G", "1X", "-1", "1.5G", "99999999999999999999"})
        EXPECT_THROW(cache::parse_size(bad), Error) << bad;
}

// --- Expansions in process ------------------------------------------------------

TokenStream lex(const std::string& text, tokens::Edition edition) {
    tokens::LexOptions options;
    options.edition = edition;
    return tokens::tokenize_or_throw(tokens::SourceFile::from_bytes("<test>", text), options);
}

/// The stream in wire form, spans included (as line:col:lo:hi of each).
std::vector<uint8_t> wire_with_spans(const TokenStream& s) {
    wasmacro::abi::HostSpanTables tables;
    std::vector<uint8_t> out =
        wasmacro::abi::encode(s, wasmacro::abi::Direction::GuestToHost, tables);
    for (const tokens::Tree& t : s.nodes())
        for (uint32_t v : {t.span.source, t.span.lo, t.span.hi, t.span.line, t.span.col})
            for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return out;
}

struct Cached {
    std::shared_ptr<Store> store;
    std::unique_ptr<macros::Library> plain, cached;

    Cached(const fs::path& dir, const std::string& fixture, wasm::SandboxLimits limits = {},
           std::vector<uint8_t> wasm = {}) {
        if (wasm.empty()) wasm = read_file(kFixtures + "/" + fixture);
        store = Store::open(dir);
        plain = macros::Library::load(wasm, fixture, limits);
        cached =
            cache::with_cache(macros::Library::load(wasm, fixture, limits), store, wasm, limits);
    }
    TokenStream run(macros::Library& lib, const std::string& macro, const std::string& input,
                    const std::string* args = nullptr) {
        const macros::MacroDecl* decl = lib.decls().find(macro);
        EXPECT_NE(decl, nullptr);
        TokenStream in = lex(input, lib.decls().edition);
        if (!args) return lib.expand(*decl, in);
        TokenStream a = lex(*args, lib.decls().edition);
        return lib.expand(*decl, in, &a);
    }
    /// Expands with the cache and without; they must agree, spans and all.
    TokenStream both(const std::string& macro, const std::string& input,
                     const std::string* args = nullptr) {
        TokenStream want = run(*plain, macro, input, args);
        TokenStream got = run(*cached, macro, input, args);
        EXPECT_EQ(wire_with_spans(got), wire_with_spans(want)) << tokens::to_string(got);
        return got;
    }
    uint64_t hits() { return store->stats().hits; }
    uint64_t misses() { return store->stats().misses; }
};

const std::string kRecord = R"rs(#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Record<T> { pub record_id: u64, pub display_name: String, pub tags: Vec<T> }
)rs";

TEST(CachedLibrary, AHitIsTheSameExpansionOnTheCurrentSpans) {
    TempDir dir;
    Cached c(dir.path, "serde_derive.wasm");
    TokenStream first = c.both("Serialize", kRecord);
    EXPECT_EQ(c.misses(), 1u);
    EXPECT_EQ(c.hits(), 0u);
    c.both("Serialize", kRecord);
    EXPECT_EQ(c.hits(), 1u);
    // The same tokens further down: a hit, with the spans of where they are now.
    TokenStream moved = c.both("Serialize", "\n\n\n// moved\n\n\n" + kRecord);
    EXPECT_EQ(c.hits(), 2u);
    EXPECT_EQ(c.misses(), 1u);
    bool found = false;
    for (const tokens::Tree& t : moved.nodes())
        if (t.kind == tokens::TreeKind::Ident && t.text() == "record_id") {
            found = true;
            EXPECT_EQ(t.span.line, 9u);
        }
    EXPECT_TRUE(found) << tokens::to_string(moved);
    EXPECT_EQ(tokens::to_string(first), tokens::to_string(moved));
}

TEST(CachedLibrary, EverythingInTheKeyMakesAMiss) {
    TempDir dir;
    Cached c(dir.path, "serde_derive.wasm");
    c.both("Serialize", kRecord);
    c.both("Deserialize", kRecord); // another macro
    EXPECT_EQ(c.misses(), 2u);
    std::string one_token = kRecord;
    one_token.replace(one_token.find("u64"), 3, "u32");
    c.both("Serialize", one_token);
    EXPECT_EQ(c.misses(), 3u);
    c.both("Serialize", kRecord + "\n"); // whitespace is no token
    EXPECT_EQ(c.hits(), 1u);

    wasm::SandboxLimits less;
    less.fuel -= 1;
    Cached other_limits(dir.path, "serde_derive.wasm", less);
    other_limits.both("Serialize", kRecord);
    EXPECT_EQ(c.misses(), 4u);

    // The same module with a custom section more is another module.
    std::vector<uint8_t> wasm = read_file(kFixtures + "/serde_derive.wasm");
    for (int b : {0, 3, 2, int{'x'}, int{'y'}}) wasm.push_back(static_cast<uint8_t>(b));
    Cached other_module(dir.path, "serde_derive.wasm", {}, wasm);
    other_module.both("Serialize", kRecord);
    EXPECT_EQ(c.misses(), 5u);
    EXPECT_EQ(c.hits(), 1u);
}

TEST(CachedLibrary, AttributeArgumentsArePartOfTheKey) {
    TempDir dir;
    Cached c(dir.path, "example_macros.wasm");
    const std::string item = "fn add(a: i32, b: i32) -> i32 { a + b }";
    std::string a = "\"first\"", b = "\"second\"";
    TokenStream with_a = c.both("trace", item, &a);
    TokenStream with_b = c.both("trace", item, &b);
    c.both("trace", item);
    EXPECT_EQ(c.misses(), 3u);
    EXPECT_NE(tokens::to_string(with_a), tokens::to_string(with_b));
    c.both("trace", item, &a);
    c.both("trace", item);
    EXPECT_EQ(c.hits(), 2u);
}

TEST(CachedLibrary, TheEnvironmentOfAWasiMacroIsPartOfTheKey) {
    TempDir dir;
    Cached c(dir.path, "wasi.wasm");
    auto probe = [&](const std::vector<std::string>& environment) {
        c.plain->set_environment(environment);
        c.cached->set_environment(environment);
        return tokens::to_string(c.both("wasi_probe", "a"));
    };
    std::string one = probe({"WASI_PROBE=one"});
    std::string two = probe({"WASI_PROBE=two"});
    EXPECT_NE(one.find("\"one\""), std::string::npos) << one;
    EXPECT_NE(two.find("\"two\""), std::string::npos) << two;
    EXPECT_EQ(c.misses(), 2u);
    EXPECT_EQ(probe({"WASI_PROBE=one"}), one);
    EXPECT_EQ(c.hits(), 1u);

    // A module without WASI cannot read it: no environment, the same key.
    Cached serde(dir.path, "serde_derive.wasm");
    serde.both("Serialize", kRecord);
    serde.cached->set_environment({"CARGO_PKG_NAME=another"});
    EXPECT_TRUE(serde.cached->environment().empty());
    serde.both("Serialize", kRecord);
    EXPECT_EQ(serde.hits(), 2u);
}

TEST(CachedLibrary, ErrorsReplayWithTheirMessage) {
    TempDir dir;
    wasm::SandboxLimits limits;
    limits.fuel = 2'000'000;
    Cached c(dir.path, "hostile.wasm", limits);
    // Everything a front end reads off the error: a trap's kind and the limit
    // it hit are data, and the advice goes where the first run put it.
    struct Failure {
        macros::ExpansionError::Cause cause = macros::ExpansionError::Cause::Abi;
        std::string message, hinted;
        std::optional<wasm::TrapKind> trap;
        std::optional<macros::LimitHit::Kind> limit;
        uint64_t limit_value = 0;
        bool operator==(const Failure&) const = default;
    };
    auto failure = [&](macros::Library& lib, const std::string& macro) {
        try {
            c.run(lib, macro, "struct S;");
        } catch (const macros::ExpansionError& e) {
            Failure f{e.cause(), e.what(), e.with_hint("; HINT"), e.trap(), std::nullopt, 0};
            if (e.limit()) {
                f.limit = e.limit()->kind;
                f.limit_value = e.limit()->value;
            }
            return f;
        }
        ADD_FAILURE() << macro << " expanded";
        return Failure{};
    };
    for (const char* macro : {"Panic", "infinite_loop", "bad_abi"}) {
        Failure want = failure(*c.plain, macro);
        uint64_t hits = c.hits();
        EXPECT_EQ(failure(*c.cached, macro), want) << macro;
        EXPECT_EQ(c.hits(), hits);
        EXPECT_EQ(failure(*c.cached, macro), want) << macro << " replayed";
        EXPECT_EQ(c.hits(), hits + 1);
    }
    Failure looped = failure(*c.cached, "infinite_loop");
    EXPECT_EQ(looped.trap, wasm::TrapKind::FuelExhausted);
    EXPECT_EQ(looped.limit, macros::LimitHit::Kind::Fuel);
    EXPECT_EQ(looped.limit_value, limits.fuel);
    EXPECT_NE(looped.hinted.find("; HINT"), std::string::npos) << looped.hinted;
    // Loaded under another name, the replayed message names it so.
    std::vector<uint8_t> wasm = read_file(kFixtures + "/hostile.wasm");
    auto renamed = cache::with_cache(macros::Library::load(wasm, "elsewhere.wasm", limits), c.store,
                                     wasm, limits);
    Failure panicked = failure(*renamed, "Panic");
    EXPECT_EQ(panicked.cause, macros::ExpansionError::Cause::Panic);
    EXPECT_TRUE(panicked.message.starts_with("elsewhere.wasm: derive macro `Panic` panicked"))
        << panicked.message;
    // A trap's advice stays before the macro's stderr under the new name too.
    Failure renamed_loop = failure(*renamed, "infinite_loop");
    EXPECT_TRUE(renamed_loop.message.starts_with("elsewhere.wasm:")) << renamed_loop.message;
    EXPECT_EQ(renamed_loop.hinted.substr(std::string("elsewhere.wasm").size()),
              looped.hinted.substr(std::string("hostile.wasm").size()));
}

// --- The C API ----------------------------------------------------------------------

/// `struct NAME;` in the C API's wire form, its spans numbered from `first`.
std::vector<uint8_t> demo_input(std::string_view name, uint32_t first) {
    std::vector<uint8_t> out;
    auto u32 = [&](uint32_t v) {
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    };
    auto ident = [&](std::string_view text) {
        out.push_back(2);
        u32(first++);
        u32(static_cast<uint32_t>(text.size()));
        out.insert(out.end(), text.begin(), text.end());
    };
    ident("struct");
    ident(name);
    out.push_back(3);
    u32(';');
    out.push_back(0);
    u32(first++);
    out.push_back(0);
    return out;
}

TEST(CApi, ACachedExpansionIsTheSameBytes) {
    TempDir dir;
    std::vector<uint8_t> wasm = read_file(kFixtures + "/demo.wasm");
    wasmacro_cache* handle = nullptr;
    ASSERT_EQ(wasmacro_cache_open(dir.path.c_str(), &handle, nullptr), WASMACRO_OK);
    wasmacro_engine* engine = wasmacro_engine_new(nullptr);
    wasmacro_engine_set_cache(engine, handle);
    wasmacro_cache_free(handle); // the engine keeps what it needs
    wasmacro_module* module = nullptr;
    ASSERT_EQ(wasmacro_module_load(engine, wasm.data(), wasm.size(), "demo", 0, &module, nullptr),
              WASMACRO_OK);
    auto expand = [&](const std::vector<uint8_t>& in) {
        wasmacro_buffer out{};
        EXPECT_EQ(wasmacro_expand(module, "Demo", in.data(), in.size(), nullptr, 0, &out, nullptr),
                  WASMACRO_OK);
        std::vector<uint8_t> bytes(out.data, out.data + out.len);
        wasmacro_buffer_free(&out);
        return bytes;
    };
    auto store = Store::open(dir.path);
    std::vector<uint8_t> first = expand(demo_input("S", 0));
    EXPECT_EQ(store->stats().misses, 1u);
    EXPECT_EQ(expand(demo_input("S", 0)), first);
    EXPECT_EQ(store->stats().hits, 1u);
    // Other handles for the same tokens are another key: the output names them.
    std::vector<uint8_t> shifted = expand(demo_input("S", 100));
    EXPECT_NE(shifted, first);
    EXPECT_EQ(store->stats().misses, 2u);
    expand(demo_input("T", 0));
    EXPECT_EQ(store->stats().misses, 3u);
    wasmacro_module_free(module);
    wasmacro_engine_free(engine);
    // Errors come back with their status.
    engine = wasmacro_engine_new(nullptr);
    ASSERT_EQ(wasmacro_cache_open(dir.path.c_str(), &handle, nullptr), WASMACRO_OK);
    wasmacro_engine_set_cache(engine, handle);
    std::vector<uint8_t> hostile = read_file(kFixtures + "/hostile.wasm");
    ASSERT_EQ(wasmacro_module_load(engine, hostile.data(), hostile.size(), "hostile", 0, &module,
                                   nullptr),
              WASMACRO_OK);
    std::vector<uint8_t> in = demo_input("S", 0);
    for (int i = 0; i < 2; ++i) {
        wasmacro_buffer out{};
        char* message = nullptr;
        EXPECT_EQ(
            wasmacro_expand(module, "Panic", in.data(), in.size(), nullptr, 0, &out, &message),
            WASMACRO_ERROR_PANIC);
        ASSERT_NE(message, nullptr);
        EXPECT_TRUE(std::string_view(message).starts_with("hostile: derive macro `Panic` panicked"))
            << message;
        wasmacro_message_free(message);
    }
    EXPECT_EQ(store->stats().hits, 2u);
    wasmacro_module_free(module);
    wasmacro_engine_free(engine);
    // A replayed trap says which limit stopped it, as the first run did.
    wasmacro_limits limits{2'000'000, 1024, 10'000};
    engine = wasmacro_engine_new(&limits);
    wasmacro_engine_set_cache(engine, handle);
    ASSERT_EQ(wasmacro_module_load(engine, hostile.data(), hostile.size(), "hostile", 0, &module,
                                   nullptr),
              WASMACRO_OK);
    for (int i = 0; i < 2; ++i) {
        wasmacro_buffer out{};
        EXPECT_EQ(wasmacro_expand(module, "infinite_loop", in.data(), in.size(), nullptr, 0, &out,
                                  nullptr),
                  WASMACRO_ERROR_TRAP);
        wasmacro_error_info info{};
        ASSERT_EQ(wasmacro_module_last_error(module, &info), WASMACRO_OK);
        EXPECT_EQ(info.trap, WASMACRO_TRAP_FUEL_EXHAUSTED) << "run " << i;
        EXPECT_EQ(info.limit, WASMACRO_LIMIT_FUEL) << "run " << i;
        EXPECT_EQ(info.limit_value, limits.fuel) << "run " << i;
    }
    EXPECT_EQ(store->stats().hits, 3u);
    wasmacro_module_free(module);
    wasmacro_engine_free(engine);
    wasmacro_cache_free(handle);
}

TEST(CApi, OffInTheEnvironmentIsNoCache) {
    setenv("WASMACRO_CACHE", "off", 1);
    wasmacro_cache* handle = reinterpret_cast<wasmacro_cache*>(1);
    EXPECT_EQ(wasmacro_cache_open(nullptr, &handle, nullptr), WASMACRO_OK);
    EXPECT_EQ(handle, nullptr);
    unsetenv("WASMACRO_CACHE");
    TempDir dir;
    std::ofstream(dir.path / "file") << "in the way";
    char* message = nullptr;
    EXPECT_EQ(wasmacro_cache_open((dir.path / "file").c_str(), &handle, &message),
              WASMACRO_ERROR_CACHE);
    ASSERT_NE(message, nullptr);
    EXPECT_NE(std::string(message).find("file"), std::string::npos) << message;
    wasmacro_message_free(message);
}

} // namespace
