// mmap and munmap for the engine when wasmacro itself is built for
// wasm32-wasip1, in place of wasi-libc's emulation, which mallocs and
// clears the whole length: the engine reserves each linear memory at its
// largest size up front (so its base never moves), and clearing 256 MiB for
// every instance would cost more than the expansions. Memory fresh from
// memory.grow is zero already, so a reservation takes whole pages from it;
// a released one is kept for the next of its size or smaller and cleared
// only then. wasi-libc's sbrk asks memory.grow too, so malloc is unaffected.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <sys/mman.h>
#include <vector>

namespace {

constexpr size_t kPageSize = 65536;

struct Region {
    void* base;
    size_t size;
};
std::vector<Region>& released() {
    static std::vector<Region> regions;
    return regions;
}

} // namespace

extern "C" void* mmap(void*, size_t length, int, int flags, int, off_t) {
    if (!(flags & MAP_ANONYMOUS) || length == 0 || length > SIZE_MAX - kPageSize) {
        errno = flags & MAP_ANONYMOUS ? EINVAL : ENOTSUP;
        return MAP_FAILED;
    }
    size_t size = (length + kPageSize - 1) / kPageSize * kPageSize;
    std::vector<Region>& regions = released();
    Region* best = nullptr;
    for (Region& r : regions)
        if (r.size >= size && (!best || r.size < best->size)) best = &r;
    if (best) {
        void* base = best->base;
        std::memset(base, 0, size);
        *best = regions.back();
        regions.pop_back();
        return base;
    }
    size_t old_pages = __builtin_wasm_memory_grow(0, size / kPageSize);
    if (old_pages == SIZE_MAX) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    return reinterpret_cast<void*>(old_pages * kPageSize);
}

extern "C" int munmap(void* base, size_t length) {
    size_t size = (length + kPageSize - 1) / kPageSize * kPageSize;
    released().push_back({base, size});
    return 0;
}
