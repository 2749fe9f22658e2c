// Benchmark kernel: a hash over a buffer. Each run() fills a 4 MiB buffer from
// a xorshift generator, then hashes it several times with a murmur3-style
// block function, so the time goes to loads, 32-bit multiplies, rotates and
// xors in a tight loop: what a checksum or a hash map over bytes costs.
//
// Self-contained (no libc) so the same file builds for wasm32 with -nostdlib.
#include <stdint.h>

enum {
    BUFFER_WORDS = 1 << 20, // 4 MiB: larger than L2, like a real input
    PASSES = 24,
};

static uint32_t buffer[BUFFER_WORDS];

static uint32_t rotl32(uint32_t x, int r) {
    return (x << r) | (x >> (32 - r));
}

static void fill(uint32_t state) {
    for (uint32_t i = 0; i < BUFFER_WORDS; ++i) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        buffer[i] = state;
    }
}

// One serial chain through h, so native code cannot vectorise the whole loop
// and wasm (without SIMD) is not at a structural disadvantage.
static uint32_t hash_words(const uint32_t* words, uint32_t count, uint32_t seed) {
    uint32_t h = seed;
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t k = words[i] * 0xcc9e2d51u;
        k = rotl32(k, 15) * 0x1b873593u;
        h = rotl32(h ^ k, 13) * 5 + 0xe6546b64u;
    }
    h ^= count * 4;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

int32_t run(void) {
    fill(0x9e3779b9u);
    uint32_t h = 0;
    for (uint32_t pass = 0; pass < PASSES; ++pass) h = hash_words(buffer, BUFFER_WORDS, h + pass);
    return (int32_t)h;
}
