// Building small binary modules by hand in tests.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace wasm_bytes {

using Bytes = std::vector<uint8_t>;

inline Bytes concat(std::initializer_list<Bytes> parts) {
    size_t total = 0;
    for (const Bytes& part : parts) total += part.size();
    Bytes out;
    // Reserving first also keeps g++ 12 from a false -Warray-bounds on insert.
    out.reserve(total);
    for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

/// A section: id, LEB128 size (sizes below 128 only), contents.
inline Bytes section(uint8_t id, const Bytes& contents) {
    return concat({{id, static_cast<uint8_t>(contents.size())}, contents});
}

/// The header followed by the given sections.
inline Bytes module(std::initializer_list<Bytes> sections) {
    Bytes out = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
    for (const Bytes& s : sections) out = concat({out, s});
    return out;
}

/// A name: its length (below 128) and its bytes.
inline Bytes name_bytes(std::string_view text) {
    return concat({{static_cast<uint8_t>(text.size())}, Bytes(text.begin(), text.end())});
}

} // namespace wasm_bytes
