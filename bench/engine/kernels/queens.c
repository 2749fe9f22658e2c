// Benchmark kernel: recursive and branchy. Counts the solutions of the
// N-queens problem by plain backtracking over occupancy arrays: deep call
// chains, data-dependent branches and small loads and stores, the shape of a
// parser's or a tree walker's inner loop rather than of numeric code.
//
// Self-contained (no libc) so the same file builds for wasm32 with -nostdlib.
#include <stdint.h>

enum { N = 11, REPEATS = 4 };

struct board {
    uint8_t column[N];
    uint8_t diagonal[2 * N - 1];      // row + col
    uint8_t anti_diagonal[2 * N - 1]; // row - col + N - 1
    uint32_t nodes;                   // placements tried, part of the checksum
};

static uint32_t place(struct board* b, int row) {
    if (row == N) return 1;
    uint32_t solutions = 0;
    for (int col = 0; col < N; ++col) {
        if (b->column[col] || b->diagonal[row + col] || b->anti_diagonal[row - col + N - 1])
            continue;
        ++b->nodes;
        b->column[col] = b->diagonal[row + col] = b->anti_diagonal[row - col + N - 1] = 1;
        solutions += place(b, row + 1);
        b->column[col] = b->diagonal[row + col] = b->anti_diagonal[row - col + N - 1] = 0;
    }
    return solutions;
}

int32_t run(void) {
    uint32_t checksum = 0;
    for (int i = 0; i < REPEATS; ++i) {
        // A fresh board each time, and the checksum folds in every repeat,
        // so no compiler may do the search once and reuse it.
        struct board b = {{0}, {0}, {0}, 0};
        uint32_t solutions = place(&b, 0);
        checksum = checksum * 31 + solutions * 65599u + b.nodes;
    }
    return (int32_t)checksum;
}
