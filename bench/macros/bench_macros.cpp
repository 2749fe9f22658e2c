// The macro benchmark: serde_derive's Serialize + Deserialize over the corpus
// (tests/corpus), on wasmacro with the wasm fixture against the same macro
// code compiled natively (tests/native-expand, which times its own loop), and
// the time to load the serde_derive fixture (decode, validate, instantiate).
//
//     wasmacro_bench_macros FIXTURES_DIR NATIVE_EXPAND REPEATS FILE...
//
// Times are CPU time of the running thread, best of REPEATS rounds after one
// untimed warm-up round: the machine is shared, and other processes' work
// must not count. Inputs are lexed before timing on both sides.
#include "corpus.hpp"

#include "macros/library.hpp"
#include "tokens/tokenize.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace wasmacro;

/// The native harness's `bench` report: "key value" lines.
std::map<std::string, double> run_native(const std::string& exe, int repeats,
                                         const std::vector<std::string>& files) {
    std::istringstream in(corpus::run_native(exe, {"bench", std::to_string(repeats)}, files));
    std::map<std::string, double> report;
    std::string key;
    double value = 0;
    while (in >> key >> value) report[key] = value;
    return report;
}

int run(const std::string& fixtures, const std::string& native, int repeats,
        const std::vector<std::string>& files) {
    std::string text = corpus::read_text(fixtures + "/serde_derive.wasm");
    std::vector<uint8_t> wasm(text.begin(), text.end());

    // Load: the first one (cold caches) and the best of the rest.
    double first_load = 0, best_load = std::numeric_limits<double>::max();
    for (int i = 0; i <= repeats; ++i) {
        double t0 = corpus::cpu_seconds();
        auto lib = macros::Library::load(wasm, "serde_derive.wasm");
        double t = corpus::cpu_seconds() - t0;
        if (i == 0)
            first_load = t;
        else
            best_load = std::min(best_load, t);
    }

    std::unique_ptr<macros::Library> lib = macros::Library::load(wasm, "serde_derive.wasm");
    struct Work {
        const macros::MacroDecl* macro;
        tokens::TokenStream input;
    };
    std::vector<Work> work;
    tokens::LexOptions options;
    options.edition = lib->decls().edition;
    options.skip_shebang = false;
    for (const corpus::Entry& e : corpus::read_entries(files)) {
        tokens::TokenStream input =
            tokens::tokenize_or_throw(tokens::SourceFile::from_bytes(e.name, e.source), options);
        for (const char* m : {"Serialize", "Deserialize"})
            if (std::find(e.macros.begin(), e.macros.end(), m) != e.macros.end())
                work.push_back({lib->decls().find(m), input});
    }

    // The native rounds run both before and after ours and the best counts,
    // so that a slow spell of the (shared) machine does not land on one side
    // of the ratio only.
    std::map<std::string, double> native_before = run_native(native, repeats, files);

    double first_round = 0, best = std::numeric_limits<double>::max();
    size_t tokens_out = 0;
    for (int round = 0; round <= repeats; ++round) {
        size_t produced = 0;
        double t0 = corpus::cpu_seconds();
        for (const Work& w : work) produced += lib->expand(*w.macro, w.input).size();
        double t = corpus::cpu_seconds() - t0;
        tokens_out = produced;
        if (round == 0)
            first_round = t;
        else
            best = std::min(best, t);
    }

    std::map<std::string, double> native_after = run_native(native, repeats, files);
    for (auto* nat : {&native_before, &native_after})
        if ((*nat)["expansions"] != static_cast<double>(work.size()))
            throw std::runtime_error(fmt::format("the native harness ran {} expansions, we ran {}",
                                                 (*nat)["expansions"], work.size()));
    double native_s = std::min(native_before["best_ns"], native_after["best_ns"]) * 1e-9;

    size_t n = work.size();
    fmt::print("serde_derive.wasm: {} bytes\n", wasm.size());
    fmt::print("load (decode + validate + instantiate): {:.2f} ms best of {}, {:.2f} ms first\n",
               best_load * 1e3, repeats, first_load * 1e3);
    fmt::print("Serialize + Deserialize over the corpus: {} expansions, {} output tokens\n", n,
               tokens_out);
    fmt::print("  wasmacro: {:8.2f} ms total, {:7.1f} us per expansion (first round {:.2f} ms)\n",
               best * 1e3, best * 1e6 / static_cast<double>(n), first_round * 1e3);
    fmt::print("  native:   {:8.2f} ms total, {:7.1f} us per expansion\n", native_s * 1e3,
               native_s * 1e6 / static_cast<double>(n));
    fmt::print("  ratio wasmacro / native: {:.2f}x\n", best / native_s);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::cerr << "usage: wasmacro_bench_macros FIXTURES_DIR NATIVE_EXPAND REPEATS FILE...\n";
        return 2;
    }
    try {
        return run(argv[1], argv[2], std::stoi(argv[3]),
                   std::vector<std::string>(argv + 4, argv + argc));
    } catch (const std::exception& e) {
        std::cerr << "wasmacro_bench_macros: " << e.what() << "\n";
        return 2;
    }
}
