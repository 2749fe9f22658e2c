// wasmacro timing harness: loads a .wasm with no imports and times its
// exported `run()` the way native_main.c and run.mjs do: one warm-up call,
// then the best of N calls on the same instance.
//
//   usage: wasmacro_bench_engine MODULE.wasm [RUNS]
//
// Prints one line: checksum=<i32> best_ms=<ms> best_cpu_ms=<ms> runs=<N>
// load_ms=<ms> decode_ms=<ms> instantiate_ms=<ms> first_ms=<ms>
// first_cpu_ms=<ms>.
// - best_ms is wall-clock time; best_cpu_ms is the process's CPU time, which
//   other processes on a busy machine disturb less.
// - load_ms is decode_ms (decoding and validating: load_module) plus
//   instantiate_ms (Store::instantiate), wall-clock, each the best of N.
// - first_ms and first_cpu_ms time the warm-up call, which includes
//   translating each function the first time it is called.
#include "wasm/engine.hpp"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The process's CPU time; std::clock() has the same meaning but too coarse a unit.
double cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

std::vector<uint8_t> read_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(std::string("cannot open ") + path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int bench(const char* path, int runs) {
    using namespace wasmacro::wasm;
    const std::vector<uint8_t> bytes = read_file(path);

    // A benchmark measures speed, not the sandbox: no realistic limit on work.
    // Not the maximum, so an engine adding to the budget cannot overflow.
    SandboxLimits limits;
    limits.fuel = uint64_t{1} << 62;
    const ImportResolver no_imports = [](const Import&) -> std::optional<Extern> { return {}; };

    // Loading takes milliseconds, so one sample is easily disturbed by the
    // other processes: load and instantiate `runs` times, each in a fresh
    // store, and keep the best of each step. The last store runs the code.
    double decode_ms = -1, instantiate_ms = -1;
    std::unique_ptr<Store> store;
    Instance* instance = nullptr;
    for (int i = 0; i < runs; ++i) {
        const auto decode_start = Clock::now();
        std::shared_ptr<const Module> module = load_module(bytes);
        const double decode = ms_since(decode_start);

        store.reset(); // first free the previous store's memory
        store = std::make_unique<Store>(limits);
        const auto instantiate_start = Clock::now();
        instance = &store->instantiate(module, no_imports);
        const double instantiate = ms_since(instantiate_start);

        if (decode_ms < 0 || decode < decode_ms) decode_ms = decode;
        if (instantiate_ms < 0 || instantiate < instantiate_ms) instantiate_ms = instantiate;
    }

    Function* run = instance->exported_function("run");
    if (run == nullptr) {
        std::fprintf(stderr, "%s exports no function \"run\"\n", path);
        return 1;
    }
    uint64_t result = 0;
    const auto first_start = Clock::now();
    const double first_start_cpu = cpu_ms();
    store->call_raw(*run, {}, {&result, 1});
    const double first_cpu_ms = cpu_ms() - first_start_cpu;
    const double first_ms = ms_since(first_start);
    const auto checksum = static_cast<int32_t>(result);

    double best = -1, best_cpu = -1;
    for (int i = 0; i < runs; ++i) {
        const auto start = Clock::now();
        const double start_cpu = cpu_ms();
        store->call_raw(*run, {}, {&result, 1});
        const double elapsed_cpu = cpu_ms() - start_cpu;
        const double elapsed = ms_since(start);
        if (static_cast<int32_t>(result) != checksum) {
            std::fprintf(stderr, "run %d returned %" PRId32 ", the warm-up %" PRId32 "\n", i,
                         static_cast<int32_t>(result), checksum);
            return 1;
        }
        if (best < 0 || elapsed < best) best = elapsed;
        if (best_cpu < 0 || elapsed_cpu < best_cpu) best_cpu = elapsed_cpu;
    }
    std::printf("checksum=%" PRId32 " best_ms=%.3f best_cpu_ms=%.3f runs=%d load_ms=%.3f "
                "decode_ms=%.3f instantiate_ms=%.3f first_ms=%.3f first_cpu_ms=%.3f\n",
                checksum, best, best_cpu, runs, decode_ms + instantiate_ms, decode_ms,
                instantiate_ms, first_ms, first_cpu_ms);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: %s MODULE.wasm [RUNS]\n", argv[0]);
        return 2;
    }
    const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    if (runs < 1) {
        std::fprintf(stderr, "bad run count: %s\n", argv[2]);
        return 2;
    }
    try {
        return bench(argv[1], runs);
    } catch (const wasmacro::wasm::Trap& trap) {
        // The message already names the function.
        std::fprintf(stderr, "%s: trap: %s\n", argv[1], trap.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[1], e.what());
    }
    return 1;
}
