// The WASI shim on small hand-built modules: each imports one preview 1
// function and exports `go`, which calls it with constant arguments and
// returns its errno. In WAT:
//
//   (module
//     (import "wasi_snapshot_preview1" "<function>" (func $f (type <its type>)))
//     (memory (export "memory") 1)
//     (data (i32.const 0) "<data>")
//     (func (export "go") (result i32) <i32.const / i64.const args> call $f))
#include "wasi/wasi.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using namespace wasmacro;
using Bytes = std::vector<uint8_t>;
using testing::HasSubstr;

void leb_unsigned(Bytes& out, uint64_t v) {
    do {
        uint8_t byte = v & 0x7F;
        v >>= 7;
        out.push_back(byte | (v ? 0x80 : 0));
    } while (v);
}

void leb_signed(Bytes& out, int64_t v) {
    bool more = true;
    while (more) {
        uint8_t byte = v & 0x7F;
        v >>= 7;
        more = !((v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40)));
        out.push_back(byte | (more ? 0x80 : 0));
    }
}

void name(Bytes& out, std::string_view text) {
    leb_unsigned(out, text.size());
    out.insert(out.end(), text.begin(), text.end());
}

void section(Bytes& module, uint8_t id, const Bytes& contents) {
    module.push_back(id);
    leb_unsigned(module, contents.size());
    module.insert(module.end(), contents.begin(), contents.end());
}

struct Arg {
    bool is_i64;
    int64_t value;
};
Arg i32(int64_t v) {
    return {false, v};
}
Arg i64(int64_t v) {
    return {true, v};
}

/// The module described at the top; `returns` is false for proc_exit.
Bytes module_calling(std::string_view function, const std::vector<Arg>& args,
                     std::string_view data = {}, bool returns = true) {
    Bytes m = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
    Bytes types = {2, 0x60};
    leb_unsigned(types, args.size());
    for (const Arg& a : args) types.push_back(a.is_i64 ? 0x7E : 0x7F);
    if (returns)
        types.insert(types.end(), {1, 0x7F}); // the errno
    else
        types.push_back(0);
    types.insert(types.end(), {0x60, 0, 1, 0x7F}); // go: () -> (i32)
    section(m, 1, types);
    Bytes imports = {1};
    name(imports, wasi::kImportModule);
    name(imports, function);
    imports.insert(imports.end(), {0x00, 0});
    section(m, 2, imports);
    section(m, 3, {1, 1});
    section(m, 5, {1, 0, 1});
    Bytes exports = {2};
    name(exports, "go");
    exports.insert(exports.end(), {0x00, 1});
    name(exports, "memory");
    exports.insert(exports.end(), {0x02, 0});
    section(m, 7, exports);
    Bytes body = {0};
    for (const Arg& a : args) {
        body.push_back(a.is_i64 ? 0x42 : 0x41);
        leb_signed(body, a.value);
    }
    body.insert(body.end(), {0x10, 0});
    if (!returns) body.insert(body.end(), {0x41, 0});
    body.push_back(0x0B);
    Bytes code = {1};
    leb_unsigned(code, body.size());
    code.insert(code.end(), body.begin(), body.end());
    section(m, 10, code);
    Bytes segments = {1, 0, 0x41, 0, 0x0B};
    name(segments, data);
    section(m, 11, segments);
    return m;
}

/// Instantiates a module against `shim` and calls `go`.
struct Probe {
    wasm::Store store;
    wasm::Instance* instance = nullptr;

    Probe(wasi::Wasi& shim, const Bytes& bytes) {
        auto module = wasm::load_module(bytes);
        for (const wasm::Import& import : module->imports) wasi::check_import(*module, import);
        shim.link(store);
        instance = &store.instantiate(
            module, [&](const wasm::Import& import) { return shim.resolve(import); });
    }
    uint32_t go() { return store.call(*instance->exported_function("go"), {})[0].as_u32(); }
    std::span<uint8_t> memory() { return wasm::memory_bytes(*instance->memory(0)); }
    uint32_t u32(uint32_t at) {
        uint32_t v;
        std::memcpy(&v, memory().data() + at, 4);
        return v;
    }
    uint64_t u64(uint32_t at) {
        uint64_t v;
        std::memcpy(&v, memory().data() + at, 8);
        return v;
    }
    std::string text(uint32_t at, uint32_t length) {
        return {reinterpret_cast<const char*>(memory().data() + at), length};
    }
};

// Preview 1 errno values the tests expect.
constexpr uint32_t kAcces = 2, kBadf = 8, kInval = 28, kNosys = 52, kNotcapable = 76;

// Two iovecs at 0 ({16, 5}, {21, 3}) over "hello" and "abc".
const std::string kTwoIovecs =
    std::string("\x10\0\0\0\x05\0\0\0\x15\0\0\0\x03\0\0\0", 16) + "helloabc";

TEST(WasiShim, FdWriteGoesToTheCallsBuffers) {
    wasi::Wasi shim;
    for (uint32_t fd : {1, 2}) {
        Probe run(shim,
                  module_calling("fd_write", {i32(fd), i32(0), i32(2), i32(100)}, kTwoIovecs));
        shim.begin_call();
        EXPECT_EQ(run.go(), 0u);
        EXPECT_EQ(run.u32(100), 8u);
        EXPECT_EQ(fd == 1 ? shim.stdout_text() : shim.stderr_text(), "helloabc");
        EXPECT_EQ(fd == 1 ? shim.stderr_text() : shim.stdout_text(), "");
    }
    Probe run(shim, module_calling("fd_write", {i32(0), i32(0), i32(2), i32(100)}, kTwoIovecs));
    EXPECT_EQ(run.go(), kBadf); // stdin is not writable
}

TEST(WasiShim, BufferedOutputIsCapped) {
    wasi::Options options;
    options.max_buffered_output = 6;
    wasi::Wasi shim(options);
    Probe run(shim, module_calling("fd_write", {i32(2), i32(0), i32(2), i32(100)}, kTwoIovecs));
    EXPECT_EQ(run.go(), 0u);
    EXPECT_EQ(shim.stderr_text(), "helloa");
}

TEST(WasiShim, OutputCanGoToTheHost) {
    std::string seen;
    wasi::Options options;
    options.output = [&](int fd, std::string_view bytes) {
        seen += std::to_string(fd) + ":" + std::string(bytes) + ";";
    };
    wasi::Wasi shim(options);
    Probe run(shim, module_calling("fd_write", {i32(1), i32(0), i32(2), i32(100)}, kTwoIovecs));
    EXPECT_EQ(run.go(), 0u);
    EXPECT_EQ(seen, "1:hello;1:abc;");
    EXPECT_EQ(shim.stdout_text(), "");
}

TEST(WasiShim, ABadPointerTrapsNamingTheFunction) {
    wasi::Wasi shim;
    // The second iovec's buffer runs past the end of the 64 KiB memory.
    std::string data = kTwoIovecs;
    data[12] = '\xFF', data[13] = '\xFF';
    Probe run(shim, module_calling("fd_write", {i32(1), i32(0), i32(2), i32(100)}, data));
    try {
        run.go();
        FAIL() << "no trap";
    } catch (const wasm::Trap& e) {
        EXPECT_EQ(e.kind(), wasm::TrapKind::MemoryOutOfBounds);
        EXPECT_THAT(e.what(), HasSubstr("wasi_snapshot_preview1.fd_write"));
        EXPECT_THAT(e.what(), HasSubstr("65535 bytes at 0x15"));
    }
    Probe result(shim,
                 module_calling("fd_write", {i32(1), i32(0), i32(1), i32(65534)}, kTwoIovecs));
    EXPECT_THROW(result.go(), wasm::Trap); // nwritten does not fit
}

TEST(WasiShim, FdReadReadsWhatTheHostSupplied) {
    wasi::Wasi shim;
    // One iovec {16, 4}.
    std::string data("\x10\0\0\0\x04\0\0\0", 8);
    Probe run(shim, module_calling("fd_read", {i32(0), i32(0), i32(1), i32(100)}, data));
    shim.begin_call("abcdef");
    EXPECT_EQ(run.go(), 0u);
    EXPECT_EQ(run.u32(100), 4u);
    EXPECT_EQ(run.text(16, 4), "abcd");
    EXPECT_EQ(run.go(), 0u);
    EXPECT_EQ(run.u32(100), 2u);
    EXPECT_EQ(run.text(16, 2), "ef");
    EXPECT_EQ(run.go(), 0u);
    EXPECT_EQ(run.u32(100), 0u); // end of input
    shim.begin_call();
    EXPECT_EQ(run.go(), 0u);
    EXPECT_EQ(run.u32(100), 0u); // a call without input reads nothing
}

TEST(WasiShim, ArgumentsAndEnvironmentAreOnlyWhatTheHostPasses) {
    wasi::Options options;
    options.args = {"prog", "x"};
    wasi::Wasi shim(options);
    Probe sizes(shim, module_calling("args_sizes_get", {i32(100), i32(104)}));
    EXPECT_EQ(sizes.go(), 0u);
    EXPECT_EQ(sizes.u32(100), 2u);
    EXPECT_EQ(sizes.u32(104), 7u);
    Probe get(shim, module_calling("args_get", {i32(100), i32(200)}));
    EXPECT_EQ(get.go(), 0u);
    EXPECT_EQ(get.u32(100), 200u);
    EXPECT_EQ(get.u32(104), 205u);
    EXPECT_EQ(get.text(200, 7), std::string("prog\0x\0", 7));
    Probe environ(shim, module_calling("environ_sizes_get", {i32(100), i32(104)}));
    EXPECT_EQ(environ.go(), 0u);
    EXPECT_EQ(environ.u32(100), 0u);
    EXPECT_EQ(environ.u32(104), 0u);
}

TEST(WasiShim, ClockAndRandomAreFixed) {
    wasi::Wasi shim;
    Probe clock(shim, module_calling("clock_time_get", {i32(0), i64(1), i32(104)},
                                     std::string(112, '\xAA')));
    EXPECT_EQ(clock.go(), 0u);
    EXPECT_EQ(clock.u64(104), 0u);
    Probe bad_clock(shim, module_calling("clock_time_get", {i32(9), i64(1), i32(104)}));
    EXPECT_EQ(bad_clock.go(), kInval);

    Probe random(shim, module_calling("random_get", {i32(16), i32(16)}));
    EXPECT_EQ(random.go(), 0u);
    std::string first = random.text(16, 16);
    EXPECT_NE(first, std::string(16, '\0'));
    EXPECT_EQ(random.go(), 0u);
    EXPECT_NE(random.text(16, 16), first); // a sequence, not one value
    shim.begin_call();
    EXPECT_EQ(random.go(), 0u);
    EXPECT_EQ(random.text(16, 16), first); // and the same one every call
    wasi::Wasi other;
    Probe again(other, module_calling("random_get", {i32(16), i32(16)}));
    EXPECT_EQ(again.go(), 0u);
    EXPECT_EQ(again.text(16, 16), first);
}

TEST(WasiShim, ProcExitEndsTheCallWithItsCode) {
    wasi::Wasi shim;
    Probe run(shim, module_calling("proc_exit", {i32(7)}, {}, false));
    try {
        run.go();
        FAIL() << "proc_exit returned";
    } catch (const wasi::ProcExit& e) {
        EXPECT_EQ(e.code(), 7u);
        EXPECT_THAT(e.what(), HasSubstr("exited with code 7"));
    }
}

TEST(WasiShim, EverythingElseIsAnErrnoNotAHostEffect) {
    wasi::Wasi shim;
    EXPECT_EQ(Probe(shim, module_calling("poll_oneoff", {i32(0), i32(0), i32(1), i32(100)})).go(),
              kNosys);
    EXPECT_EQ(Probe(shim, module_calling("proc_raise", {i32(9)})).go(), kNosys);
    EXPECT_EQ(
        Probe(shim, module_calling("sock_send", {i32(3), i32(0), i32(0), i32(0), i32(100)})).go(),
        kBadf);
    // No preopens: there is no directory to open anything in.
    EXPECT_EQ(Probe(shim, module_calling("path_open",
                                         {i32(3), i32(0), i32(0), i32(1), i32(0), i64(2), i64(0),
                                          i32(0), i32(100)},
                                         "x"))
                  .go(),
              kBadf);
    EXPECT_EQ(Probe(shim, module_calling("fd_prestat_get", {i32(3), i32(100)})).go(), kBadf);
    EXPECT_EQ(Probe(shim, module_calling("fd_seek", {i32(1), i64(0), i32(0), i32(100)})).go(),
              70u); // ESPIPE
}

TEST(WasiShim, ImportsAreChecked) {
    Bytes unknown = module_calling("fd_teleport", {i32(0)});
    auto module = wasm::load_module(unknown);
    EXPECT_THROW(
        {
            try {
                wasi::check_import(*module, module->imports[0]);
            } catch (const wasm::LinkError& e) {
                EXPECT_THAT(e.what(), HasSubstr("\"fd_teleport\", which is not a WASI preview 1"));
                throw;
            }
        },
        wasm::LinkError);
    Bytes wrong_type = module_calling("fd_close", {i64(0)});
    module = wasm::load_module(wrong_type);
    EXPECT_THROW(
        {
            try {
                wasi::check_import(*module, module->imports[0]);
            } catch (const wasm::LinkError& e) {
                EXPECT_THAT(e.what(), HasSubstr("with type (i64) -> (i32); its type is (i32) -> "
                                                "(i32)"));
                throw;
            }
        },
        wasm::LinkError);
}

TEST(WasiShim, LimitsApplyToWasiModules) {
    // fd_read from stdin into a buffer past a 1-page memory cap would be a
    // bad pointer; the engine's fuel and depth limits are per call, as for
    // any module: a call with no fuel stops before the shim runs.
    wasi::Wasi shim;
    Probe run(shim, module_calling("sched_yield", {}));
    run.store.limits().fuel = 0;
    EXPECT_THROW(run.go(), wasm::Trap);
    run.store.limits().fuel = 100;
    EXPECT_EQ(run.go(), 0u);
}

// --- read-only directories ---------------------------------------------------

class WasiFiles : public testing::Test {
protected:
    void SetUp() override {
        dir = std::filesystem::temp_directory_path() /
              ("wasmacro_wasi_" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir / "sub");
        std::ofstream(dir / "a.txt") << "file contents";
        std::ofstream(dir / "sub" / "b.txt") << "b";
        std::filesystem::create_directory_symlink("/etc", dir / "escape");
        options.preopens = {{".", dir.string()}};
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    /// path_open(3, path) with read rights (or `rights`), the new fd at 100.
    Bytes open(std::string_view path, int64_t oflags = 0, int64_t rights = 2) {
        return module_calling("path_open",
                              {i32(3), i32(1), i32(16), i32(path.size()), i32(oflags), i64(rights),
                               i64(0), i32(0), i32(100)},
                              std::string(16, '\0') + std::string(path));
    }

    std::filesystem::path dir;
    wasi::Options options;
};

TEST_F(WasiFiles, PreopensAreListed) {
    wasi::Wasi shim(options);
    Probe prestat(shim, module_calling("fd_prestat_get", {i32(3), i32(100)}));
    EXPECT_EQ(prestat.go(), 0u);
    EXPECT_EQ(prestat.u32(100), 0u);
    EXPECT_EQ(prestat.u32(104), 1u);
    Probe name(shim, module_calling("fd_prestat_dir_name", {i32(3), i32(200), i32(1)}));
    EXPECT_EQ(name.go(), 0u);
    EXPECT_EQ(name.text(200, 1), ".");
    EXPECT_EQ(Probe(shim, module_calling("fd_prestat_get", {i32(4), i32(100)})).go(), kBadf);
}

TEST_F(WasiFiles, AFileOpensAndReads) {
    wasi::Wasi shim(options);
    Probe run(shim, open("sub/../a.txt"));
    EXPECT_EQ(run.go(), 0u);
    EXPECT_EQ(run.u32(100), 4u);
    // fd_read(4, {300, 64}) into a second module sharing the shim.
    std::string iovec("\x2C\x01\0\0\x40\0\0\0", 8);
    Probe read(shim, module_calling("fd_read", {i32(4), i32(0), i32(1), i32(100)}, iovec));
    EXPECT_EQ(read.go(), 0u);
    EXPECT_EQ(read.u32(100), 13u);
    EXPECT_EQ(read.text(300, 13), "file contents");
    Probe stat(shim, module_calling("fd_filestat_get", {i32(4), i32(200)}));
    EXPECT_EQ(stat.go(), 0u);
    EXPECT_EQ(stat.memory()[216], 4); // a regular file
    EXPECT_EQ(stat.u64(232), 13u);
    Probe seek(shim, module_calling("fd_seek", {i32(4), i64(-8), i32(2), i32(200)}));
    EXPECT_EQ(seek.go(), 0u);
    EXPECT_EQ(seek.u64(200), 5u);
    EXPECT_EQ(read.go(), 0u);
    EXPECT_EQ(read.text(300, 8), "contents");
    Probe write(shim, module_calling("fd_write", {i32(4), i32(0), i32(2), i32(100)}, kTwoIovecs));
    EXPECT_EQ(write.go(), kAcces);
    shim.begin_call(); // closes what the last call opened
    EXPECT_EQ(read.go(), kBadf);
}

TEST_F(WasiFiles, NothingOutsideThePreopenOrWritable) {
    wasi::Wasi shim(options);
    EXPECT_EQ(Probe(shim, open("../a.txt")).go(), kNotcapable);
    EXPECT_EQ(Probe(shim, open("/etc/passwd")).go(), kNotcapable);
    EXPECT_EQ(Probe(shim, open("escape/passwd")).go(), kNotcapable);
    EXPECT_EQ(Probe(shim, open("missing")).go(), 44u);             // ENOENT
    EXPECT_EQ(Probe(shim, open("new.txt", 1)).go(), kAcces);       // O_CREAT
    EXPECT_EQ(Probe(shim, open("a.txt", 8)).go(), kAcces);         // O_TRUNC
    EXPECT_EQ(Probe(shim, open("a.txt", 0, 2 | 64)).go(), kAcces); // fd_write right
    Bytes mkdir = module_calling("path_create_directory", {i32(3), i32(16), i32(3)},
                                 std::string(16, '\0') + "new");
    EXPECT_EQ(Probe(shim, mkdir).go(), kAcces);
    EXPECT_FALSE(std::filesystem::exists(dir / "new"));
    Bytes unlink = module_calling("path_unlink_file", {i32(3), i32(16), i32(5)},
                                  std::string(16, '\0') + "a.txt");
    EXPECT_EQ(Probe(shim, unlink).go(), kAcces);
    EXPECT_TRUE(std::filesystem::exists(dir / "a.txt"));
}

TEST_F(WasiFiles, DirectoriesListInOrder) {
    wasi::Wasi shim(options);
    Probe run(shim, module_calling("fd_readdir", {i32(3), i32(1000), i32(4096), i64(0), i32(100)}));
    EXPECT_EQ(run.go(), 0u);
    std::vector<std::string> names;
    for (uint32_t at = 1000, end = 1000 + run.u32(100); at < end;) {
        uint32_t length = run.u32(at + 16);
        names.push_back(run.text(at + 24, length));
        at += 24 + length;
    }
    EXPECT_THAT(names, testing::ElementsAre(".", "..", "a.txt", "escape", "sub"));
    // From cookie 3, with room for one entry and a part of the next.
    Probe more(shim, module_calling("fd_readdir", {i32(3), i32(1000), i32(30), i64(3), i32(100)}));
    EXPECT_EQ(more.go(), 0u);
    EXPECT_EQ(more.u32(100), 30u); // full: ask again
    EXPECT_EQ(more.text(1024, 6), "escape");
}

} // namespace
