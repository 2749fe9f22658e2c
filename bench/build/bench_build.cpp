// The benchmark of `wasmacro build`'s modules: every macro of a corpus
// (tests/build/corpus) expanded on wasmacro with the module that `wasmacro
// build` made, against the same crate compiled natively (its native harness,
// tests/build/native-harness.py, which times its own loop), with the method of
// bench/macros: CPU time of the thread, best of REPEATS rounds after an
// untimed warm-up round, inputs lexed before timing, the native rounds run
// before and after ours and the best of them counted.
//
//     wasmacro_bench_build MODULE.wasm NATIVE_HARNESS REPEATS CORPUS.rs
#include "corpus.hpp"

#include <fmt/format.h>

#include <ctime>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>

namespace {

using namespace wasmacro;

double native_best_seconds(const std::string& exe, int repeats, const std::string& file,
                           size_t expansions) {
    std::istringstream in(corpus::run_native(exe, {"bench", std::to_string(repeats)}, {file}));
    std::map<std::string, double> report;
    std::string key;
    double value = 0;
    while (in >> key >> value) report[key] = value;
    if (report["expansions"] != static_cast<double>(expansions))
        throw std::runtime_error(fmt::format("the native harness ran {} expansions, we ran {}",
                                             report["expansions"], expansions));
    return report["best_ns"] * 1e-9;
}

int run(const std::string& module, const std::string& native, int repeats,
        const std::string& file) {
    std::string text = corpus::read_text(module);
    std::vector<uint8_t> wasm(text.begin(), text.end());
    macros::Registry registry;
    registry.add("module", macros::Library::load(wasm, module));
    struct Work {
        macros::Library* lib;
        const macros::MacroDecl* macro;
        corpus::LexedEntry entry;
    };
    std::vector<Work> work;
    for (const corpus::Entry& e : corpus::read_entries({file}))
        for (const std::string& m : e.macros) {
            auto [lib, decl] = corpus::find_macro(registry, m);
            if (!decl) throw std::runtime_error(module + " has no macro " + m);
            work.push_back({lib, decl, corpus::lex_entry(e, lib->decls().edition)});
        }

    double native_before = native_best_seconds(native, repeats, file, work.size());
    double best = std::numeric_limits<double>::max();
    for (int round = 0; round <= repeats; ++round) {
        double t0 = corpus::cpu_seconds();
        for (const Work& w : work) corpus::expand_entry(*w.lib, *w.macro, w.entry);
        if (round > 0) best = std::min(best, corpus::cpu_seconds() - t0);
    }
    double native_s =
        std::min(native_before, native_best_seconds(native, repeats, file, work.size()));
    auto per = [&](double s) { return s * 1e6 / static_cast<double>(work.size()); };
    fmt::print("{}: {} expansions, wasmacro {:.1f} us, native {:.1f} us per expansion: {:.2f}x\n",
               module.substr(module.find_last_of('/') + 1), work.size(), per(best), per(native_s),
               best / native_s);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::cerr << "usage: wasmacro_bench_build MODULE.wasm NATIVE_HARNESS REPEATS CORPUS.rs\n";
        return 2;
    }
    try {
        return run(argv[1], argv[2], std::stoi(argv[3]), argv[4]);
    } catch (const std::exception& e) {
        std::cerr << "wasmacro_bench_build: " << e.what() << "\n";
        return 2;
    }
}
