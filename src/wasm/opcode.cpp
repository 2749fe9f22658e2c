#include "wasm/opcode.hpp"

#include <array>

namespace wasmacro::wasm {
namespace {

constexpr uint16_t no_op = 0xFFFF;

struct Lookup {
    std::array<uint16_t, 256> single{};
    std::array<uint16_t, 32> misc{};

    constexpr Lookup() {
        single.fill(no_op);
        misc.fill(no_op);
        for (size_t i = 0; i < static_cast<size_t>(Op::Count_); ++i) {
            const OpInfo& row = op_table[i];
            if (row.prefix == 0)
                single[row.code] = static_cast<uint16_t>(i);
            else
                misc[row.code] = static_cast<uint16_t>(i);
        }
    }
};

constexpr Lookup lookup;

} // namespace

std::optional<Op> single_byte_op(uint8_t byte) {
    uint16_t index = lookup.single[byte];
    if (index == no_op) return std::nullopt;
    return static_cast<Op>(index);
}

std::optional<Op> misc_op(uint32_t sub_opcode) {
    if (sub_opcode >= lookup.misc.size() || lookup.misc[sub_opcode] == no_op) return std::nullopt;
    return static_cast<Op>(lookup.misc[sub_opcode]);
}

} // namespace wasmacro::wasm
