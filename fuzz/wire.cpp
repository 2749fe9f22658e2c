// libFuzzer target for the wire format, the bytes a macro (or the bridge)
// sends the host: any bytes decode to a token stream or a WireError, never a
// crash; and whatever decodes must survive encode + decode unchanged.
//
// The first byte picks the direction (with literal handles refused, since
// these tables know none, as the bridge's do not).
#include "abi/wire.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace wasmacro;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    auto direction = data[0] % 2 ? abi::Direction::GuestToHost : abi::Direction::HostToGuest;
    abi::HostSpanTables tables;
    tokens::TokenStream decoded;
    try {
        decoded = abi::decode({data + 1, size - 1}, direction, tables);
    } catch (const abi::WireError&) {
        return 0;
    }
    std::vector<uint8_t> encoded = abi::encode(decoded, direction, tables);
    tokens::TokenStream again = abi::decode(encoded, direction, tables);
    if (!tokens::same_trees(decoded, again)) {
        std::fprintf(stderr, "wire round trip changed the trees\n");
        std::abort();
    }
    return 0;
}
