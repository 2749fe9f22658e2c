// Lexing throughput over a corpus of .rs files (the Debian crate registry by
// default), next to proc-macro2's lexer on the same files.
//
//   wasmacro_bench_tokens [--corpus=DIR] [--compare=PM2DUMP...] [benchmark flags]
//
// With --compare (repeatable), each given pm2dump binary is run in `bench` mode on
// the same corpus first and the ratio of best-of-5 throughputs is printed; then
// Google Benchmark runs the per-stage benchmarks.
#include "tokens/lexer.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace wasmacro::tokens;

namespace {

std::string g_corpus = "/usr/share/cargo/registry";
std::vector<SourceFile> g_files;
std::size_t g_bytes = 0;

void load_corpus() {
    std::vector<std::string> paths;
    for (auto& e : fs::recursive_directory_iterator(g_corpus))
        if (e.is_regular_file() && e.path().extension() == ".rs") paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    uint32_t id = 1;
    for (const auto& p : paths) {
        g_files.push_back(SourceFile::load(p, id++));
        g_bytes += g_files.back().text->size();
    }
}

void BM_RawLexer(benchmark::State& state) {
    for (auto _ : state) {
        std::size_t n = 0;
        for (const SourceFile& f : g_files) {
            Lexer lex(*f.text);
            while (lex.next().kind != RawKind::Eof) ++n;
        }
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * g_bytes));
}
BENCHMARK(BM_RawLexer)->Unit(benchmark::kMillisecond);

void BM_Tokenize(benchmark::State& state) {
    for (auto _ : state) {
        std::size_t n = 0;
        for (const SourceFile& f : g_files) n += tokenize(f).stream.size();
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * g_bytes));
}
BENCHMARK(BM_Tokenize)->Unit(benchmark::kMillisecond);

void BM_Print(benchmark::State& state) {
    std::vector<TokenStream> streams;
    for (const SourceFile& f : g_files) streams.push_back(tokenize(f).stream);
    for (auto _ : state) {
        std::size_t n = 0;
        for (const TokenStream& s : streams) n += to_string(s).size();
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * g_bytes));
}
BENCHMARK(BM_Print)->Unit(benchmark::kMillisecond);

// The same measure as pm2dump's bench mode: best of `iters` passes over the
// corpus, tokenizing every file (trees and spans), in MB/s.
double our_throughput(int iters) {
    double best = 1e100;
    for (int i = 0; i < iters; ++i) {
        // Processor time, as pm2dump measures: steadier than wall time on a busy machine.
        std::clock_t start = std::clock();
        std::size_t n = 0;
        for (const SourceFile& f : g_files) n += tokenize(f).stream.size();
        benchmark::DoNotOptimize(n);
        best = std::min(best, static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC);
    }
    return static_cast<double>(g_bytes) / 1e6 / best;
}

// Runs `pm2dump bench CORPUS 5` and reads the MB/s figure from its one line.
double pm2_throughput(const std::string& exe, std::string& line) {
    std::string cmd = "'" + exe + "' bench '" + g_corpus + "' 5";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return 0;
    char buf[1024];
    while (fgets(buf, sizeof buf, p)) line += buf;
    pclose(p);
    auto at = line.find(" MB/s");
    if (at == std::string::npos) return 0;
    auto begin = line.rfind(' ', at - 1);
    return std::stod(line.substr(begin + 1, at - begin - 1));
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> compare;
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--corpus=", 9) == 0)
            g_corpus = argv[i] + 9;
        else if (std::strncmp(argv[i], "--compare=", 10) == 0)
            compare.push_back(argv[i] + 10);
        else
            rest.push_back(argv[i]);
    }
    load_corpus();
    std::printf("corpus: %s, %zu files, %.1f MB\n", g_corpus.c_str(), g_files.size(),
                static_cast<double>(g_bytes) / 1e6);
    if (!compare.empty()) {
        double ours = our_throughput(5);
        std::printf("wasmacro tokenize (trees + spans), best of 5, CPU time: %.1f MB/s\n", ours);
        for (const std::string& exe : compare) {
            std::string line;
            double theirs = pm2_throughput(exe, line);
            std::printf("%s", line.c_str());
            if (theirs > 0) std::printf("  ratio wasmacro / proc-macro2: %.2fx\n", ours / theirs);
        }
        std::fflush(stdout);
    }
    int rest_argc = static_cast<int>(rest.size());
    benchmark::Initialize(&rest_argc, rest.data());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
