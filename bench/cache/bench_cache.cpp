// What the expansion cache costs and saves per expansion: serde_derive's
// Serialize + Deserialize over the corpus (tests/corpus), through the C API
// as the Rust bridge calls it (wire bytes in, spans numbered 0, 1, 2, ...)
// and in process (with_cache, as `wasmacro expand` and `call` use it), each
// uncached, with a cold cache (every lookup a miss, every outcome written)
// and with a warm one (every lookup a hit).
//
//     wasmacro_bench_cache FIXTURES_DIR SCRATCH_DIR REPEATS FILE...
//
// CPU time of the running thread (system time included: a miss writes a
// file), best of REPEATS rounds of each after one untimed warm-up, the
// rounds of the three ways interleaved so that a slow spell of the shared
// machine falls on all of them. Inputs are lexed and encoded before timing.
#include "corpus.hpp"

#include "abi/wire.hpp"
#include "cache/expansion.hpp"
#include "macros/library.hpp"
#include "tokens/tokenize.hpp"
#include "wasmacro.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

namespace {

using namespace wasmacro;

double seconds(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double cpu_seconds() {
    return seconds(CLOCK_THREAD_CPUTIME_ID);
}
double process_cpu_seconds() {
    return seconds(CLOCK_PROCESS_CPUTIME_ID);
}

/// Spans as the bridge numbers them: the i-th span met is handle i.
class Numbered final : public abi::WireTables {
public:
    uint32_t span_handle(const tokens::Span&) override { return next_++; }
    tokens::Span span(uint32_t handle) override { return tokens::Span::host(handle); }

private:
    uint32_t next_ = 0;
};

struct Work {
    const char* macro;
    tokens::TokenStream tokens;
    std::vector<uint8_t> wire;
};

/// One way to expand everything: `round` runs it all, `reset` (untimed)
/// comes before each round.
struct Way {
    std::string name;
    std::function<void()> reset;
    std::function<size_t()> round;
    std::function<void()> finish;                         ///< timed in the process CPU only
    double best = std::numeric_limits<double>::max();     ///< this thread
    double best_all = std::numeric_limits<double>::max(); ///< every thread, writes finished
};

int run(const std::string& fixtures, const std::filesystem::path& scratch, int repeats,
        const std::vector<std::string>& files) {
    std::string text = corpus::read_text(fixtures + "/serde_derive.wasm");
    std::vector<uint8_t> wasm(text.begin(), text.end());
    std::vector<Work> work;
    tokens::LexOptions options;
    options.edition = tokens::Edition::E2015; // serde_derive's
    options.skip_shebang = false;
    for (const corpus::Entry& e : corpus::read_entries(files)) {
        tokens::TokenStream input =
            tokens::tokenize_or_throw(tokens::SourceFile::from_bytes(e.name, e.source), options);
        Numbered tables;
        std::vector<uint8_t> wire = abi::encode(input, abi::Direction::GuestToHost, tables);
        for (const char* m : {"Serialize", "Deserialize"})
            if (std::find(e.macros.begin(), e.macros.end(), m) != e.macros.end())
                work.push_back({m, input, wire});
    }

    // --- The C API, with and without a cache handle. A cold round gets a
    // module whose cache is an empty directory; the store is flushed (its
    // writes finished) by freeing the module, inside the process CPU time.
    std::filesystem::remove_all(scratch);
    int dirs = 0;
    struct Loaded {
        wasmacro_engine* engine = nullptr;
        wasmacro_module* module = nullptr;
    };
    auto capi_load = [&](const std::filesystem::path* dir) {
        Loaded l;
        l.engine = wasmacro_engine_new(nullptr);
        if (dir) {
            wasmacro_cache* cache = nullptr;
            if (wasmacro_cache_open(dir->c_str(), &cache, nullptr) != WASMACRO_OK)
                throw std::runtime_error("cannot open " + dir->string());
            wasmacro_engine_set_cache(l.engine, cache);
            wasmacro_cache_free(cache);
        }
        char* message = nullptr;
        if (wasmacro_module_load(l.engine, wasm.data(), wasm.size(), "serde_derive", 0, &l.module,
                                 &message) != WASMACRO_OK)
            throw std::runtime_error(message);
        return l;
    };
    auto capi_free = [](Loaded& l) {
        wasmacro_module_free(l.module);
        wasmacro_engine_free(l.engine);
        l = {};
    };
    auto capi_round = [&work](wasmacro_module* module) {
        size_t bytes = 0;
        for (const Work& w : work) {
            wasmacro_buffer out{};
            char* message = nullptr;
            if (wasmacro_expand(module, w.macro, w.wire.data(), w.wire.size(), nullptr, 0, &out,
                                &message) != WASMACRO_OK)
                throw std::runtime_error(message != nullptr ? message : w.macro);
            bytes += out.len;
            wasmacro_buffer_free(&out);
        }
        return bytes;
    };
    auto fresh_dir = [&] { return scratch / std::to_string(dirs++); };
    Loaded plain_c;
    const std::filesystem::path warm_c_dir = fresh_dir();
    Loaded warm_c = capi_load(&warm_c_dir), cold_c;

    // --- In process.
    std::unique_ptr<macros::Library> plain_lib;
    auto warm_lib = cache::with_cache(macros::Library::load(wasm, "serde_derive.wasm"),
                                      cache::Store::open(fresh_dir()), wasm, {});
    std::unique_ptr<macros::Library> cold_lib;
    auto lib_round = [&work](macros::Library& lib) {
        size_t trees = 0;
        for (const Work& w : work) trees += lib.expand(*lib.decls().find(w.macro), w.tokens).size();
        return trees;
    };

    auto nothing = [] {};
    std::vector<Way> ways;
    // Each cold round needs a module of its own, whose code the engine then
    // compiles as it first runs: the uncached rounds load theirs afresh too.
    ways.push_back({"C API, uncached", [&] { plain_c = capi_load(nullptr); },
                    [&] { return capi_round(plain_c.module); }, [&] { capi_free(plain_c); }});
    ways.push_back({"C API, cold cache (all misses)",
                    [&] {
                        const std::filesystem::path dir = fresh_dir();
                        cold_c = capi_load(&dir);
                    },
                    [&] { return capi_round(cold_c.module); }, [&] { capi_free(cold_c); }});
    ways.push_back({"C API, warm cache (all hits)", nothing,
                    [&] { return capi_round(warm_c.module); }, nothing});
    ways.push_back({"in process, uncached",
                    [&] { plain_lib = macros::Library::load(wasm, "serde_derive.wasm"); },
                    [&] { return lib_round(*plain_lib); }, [&] { plain_lib.reset(); }});
    ways.push_back({"in process, cold cache",
                    [&] {
                        cold_lib =
                            cache::with_cache(macros::Library::load(wasm, "serde_derive.wasm"),
                                              cache::Store::open(fresh_dir()), wasm, {});
                    },
                    [&] { return lib_round(*cold_lib); }, [&] { cold_lib.reset(); }});
    ways.push_back(
        {"in process, warm cache", nothing, [&] { return lib_round(*warm_lib); }, nothing});

    for (int round = 0; round <= repeats; ++round)
        for (Way& w : ways) {
            w.reset();
            double t0 = cpu_seconds(), p0 = process_cpu_seconds();
            w.round();
            double t = cpu_seconds() - t0;
            w.finish();
            double p = process_cpu_seconds() - p0;
            if (round > 0) {
                w.best = std::min(w.best, t);
                w.best_all = std::min(w.best_all, p);
            }
        }

    size_t n = work.size();
    fmt::print("Serialize + Deserialize over the corpus: {} expansions; best of {} rounds\n", n,
               repeats);
    fmt::print("  {:32} {:>22} {:>30}\n", "", "the expanding thread",
               "all threads, writes finished");
    for (const Way& w : ways)
        fmt::print("  {:32} {:8.2f} ms {:7.1f} us {:14.2f} ms {:7.1f} us\n", w.name, w.best * 1e3,
                   w.best * 1e6 / static_cast<double>(n), w.best_all * 1e3,
                   w.best_all * 1e6 / static_cast<double>(n));
    for (size_t base : {size_t{0}, size_t{3}})
        fmt::print("  {}: miss / uncached {:.3f}x (all threads {:.3f}x; target <= 1.05x), hit / "
                   "uncached {:.3f}x\n",
                   base == 0 ? "C API" : "in process", ways[base + 1].best / ways[base].best,
                   ways[base + 1].best_all / ways[base].best_all,
                   ways[base + 2].best / ways[base].best);
    capi_free(warm_c);
    std::filesystem::remove_all(scratch);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::cerr << "usage: wasmacro_bench_cache FIXTURES_DIR SCRATCH_DIR REPEATS FILE...\n";
        return 2;
    }
    try {
        return run(argv[1], argv[2], std::stoi(argv[3]),
                   std::vector<std::string>(argv + 4, argv + argc));
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
