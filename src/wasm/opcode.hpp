// Instruction identities generated from opcodes.def.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace wasmacro::wasm {

enum class Op : uint16_t {
#define WASM_OP(name, prefix, code, text, kind, p1, p2, result, align) name,
#include "wasm/opcodes.def"
#undef WASM_OP
    Count_
};

enum class OpKind : uint8_t { Special, Const, Unary, Binary, Load, Store, Memory };

/// Operand type of a table row; None where the row has no such operand.
enum class OpType : uint8_t { None, I32, I64, F32, F64 };

struct OpInfo {
    uint8_t prefix; ///< 0, or 0xFC for the misc prefix
    uint32_t code;  ///< the opcode byte, or the sub-opcode after the prefix
    std::string_view text;
    OpKind kind;
    OpType param1, param2, result;
    uint8_t align_log2; ///< natural alignment of loads and stores
};

inline constexpr OpInfo op_table[] = {
#define WASM_OP(name, prefix, code, text, kind, p1, p2, result, align)                             \
    {prefix, code, text, OpKind::kind, OpType::p1, OpType::p2, OpType::result, align},
#include "wasm/opcodes.def"
#undef WASM_OP
};

constexpr const OpInfo& info(Op op) {
    return op_table[static_cast<size_t>(op)];
}

/// The instruction a single-byte opcode stands for (the 0xFC prefix is not one).
std::optional<Op> single_byte_op(uint8_t byte);
/// The instruction that the 0xFC prefix with this sub-opcode stands for.
std::optional<Op> misc_op(uint32_t sub_opcode);

} // namespace wasmacro::wasm
