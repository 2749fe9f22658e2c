// Unchecked LEB128 reading for code that the validator has already accepted.
#pragma once

#include <cstdint>
#include <cstring>

namespace wasmacro::wasm::leb {

inline uint64_t read_unsigned(const uint8_t*& p) {
    uint64_t result = 0;
    unsigned shift = 0;
    uint8_t byte;
    do {
        byte = *p++;
        if (shift < 64) result |= static_cast<uint64_t>(byte & 0x7F) << shift;
        shift += 7;
    } while (byte & 0x80);
    return result;
}

inline int64_t read_signed(const uint8_t*& p) {
    uint64_t result = 0;
    unsigned shift = 0;
    uint8_t byte;
    do {
        byte = *p++;
        if (shift < 64) result |= static_cast<uint64_t>(byte & 0x7F) << shift;
        shift += 7;
    } while (byte & 0x80);
    if (shift < 64 && (byte & 0x40)) result |= ~uint64_t{0} << shift;
    return static_cast<int64_t>(result);
}

inline uint32_t read_u32(const uint8_t*& p) {
    return static_cast<uint32_t>(read_unsigned(p));
}

template <typename T>
T read_fixed(const uint8_t*& p) {
    T value;
    std::memcpy(&value, p, sizeof value);
    p += sizeof value;
    return value;
}

} // namespace wasmacro::wasm::leb
