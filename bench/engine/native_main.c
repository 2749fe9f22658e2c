// Native timing harness: linked with one workload (a C kernel or the Rust
// staticlib), it times the workload's `run()` exactly as run.mjs and the
// wasmacro runner time the .wasm: one warm-up call, then the best of N calls.
//
//   usage: <workload>-native [RUNS] [--details]
//
// Prints one line: checksum=<i32> best_ms=<ms> best_cpu_ms=<ms> runs=<N>
// load_ms=- first_ms=<ms> first_cpu_ms=<ms>, the last two for the warm-up call.
// best_ms is wall-clock time; best_cpu_ms is the process's CPU time, which
// other processes on a busy machine disturb less.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int32_t run(void);
// Only the syn-parse workload has it; see syn-parse/src/lib.rs.
void run_details(uint32_t* out) __attribute__((weak));

static double now_ms(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char** argv) {
    int runs = 5;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--details") == 0) {
            if (!run_details) {
                fprintf(stderr, "this workload has no details\n");
                return 2;
            }
            uint32_t c[6];
            run_details(c);
            printf("files=%" PRIu32 " failures=%" PRIu32 " items=%" PRIu32 " idents=%" PRIu32
                   " exprs=%" PRIu32 " ident_hash=%08" PRIx32 "\n",
                   c[0], c[1], c[2], c[3], c[4], c[5]);
            return 0;
        }
        runs = atoi(argv[i]);
        if (runs < 1) {
            fprintf(stderr, "usage: %s [RUNS] [--details]\n", argv[0]);
            return 2;
        }
    }

    // The warm-up call faults in pages and fills caches, as in the other engines.
    const double first_start = now_ms(CLOCK_MONOTONIC);
    const double first_start_cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID);
    const int32_t checksum = run();
    const double first_cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID) - first_start_cpu;
    const double first = now_ms(CLOCK_MONOTONIC) - first_start;
    double best = -1, best_cpu = -1;
    for (int i = 0; i < runs; ++i) {
        const double start = now_ms(CLOCK_MONOTONIC);
        const double start_cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID);
        const int32_t result = run();
        const double elapsed_cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID) - start_cpu;
        const double elapsed = now_ms(CLOCK_MONOTONIC) - start;
        if (result != checksum) {
            fprintf(stderr, "run %d returned %" PRId32 ", the warm-up %" PRId32 "\n", i, result,
                    checksum);
            return 1;
        }
        if (best < 0 || elapsed < best) best = elapsed;
        if (best_cpu < 0 || elapsed_cpu < best_cpu) best_cpu = elapsed_cpu;
    }
    printf("checksum=%" PRId32 " best_ms=%.3f best_cpu_ms=%.3f runs=%d load_ms=- first_ms=%.3f "
           "first_cpu_ms=%.3f\n",
           checksum, best, best_cpu, runs, first, first_cpu);
    return 0;
}
