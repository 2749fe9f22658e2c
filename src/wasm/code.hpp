// The internal instruction set that compiler.cpp emits and interpreter.cpp
// runs. Shared by those two files only.
//
// Code is a byte stream of instructions, each the address of its handler (8
// bytes, so dispatch is one indirect jump) followed by fixed operands. Values
// live in 64-bit slots of the current frame: slot i is fp[i]; the function's
// locals come first, then its operand stack. Operands name slots directly, so
// `local.get a; local.get b; i32.add; local.set c` is one instruction.
// Branch offsets are relative to the start of the branching instruction.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wasmacro::wasm {

// Control and miscellaneous instructions. Operand layouts (u32 unless noted):
//   Copy dst src | Const dst imm64 | Br rel:i32 | BrIfNz/BrIfZ cond rel:i32
//   BrTable index count [rel:i32 x count+1] (last is the default)
//   A taken branch with rel <= 0 (back to a loop header) charges back_branch_fuel(rel).
//   Fuel units: charges `units`; the first instruction of a function whose
//   code is long enough to cost more than its call (see entry_fuel)
//   Return | Return1 src | Call callee:ptr base count [source x max(count, 4)]
//   CallLocal callee:ptr base count entry:ptr frame_size zeroed [source x max(count, 4)]
//   for a wasm callee in the caller's instance (so with the caller's memory):
//   entry is null until the first call translates the callee if need be and
//   fills in its code, frame size and number of declared locals to zero
//   CallIndirect table:ptr type_id index base | Select dst a b cond
//   ReturnCall callee:ptr base count | ReturnCallIndirect table:ptr type_id index base
//   (tail calls: the arguments are in slots from base; they move to slot 0
//   and the callee runs in the caller's frame, at the caller's depth)
//   GlobalGet dst global:ptr | GlobalSet global:ptr src
//   The shadow-stack pointer's updates, fused (an i32 global; i32.sub by a
//   constant becomes an add of its negation): GlobalAddI dst global:ptr imm,
//   for global.get + i32.add; GlobalBumpI dst global:ptr imm, the same that
//   also writes the sum back to the global (every function's prologue);
//   GlobalSetAddI global:ptr a imm, for i32.add + global.set (its epilogue)
//   MemorySize dst | MemoryGrow dst delta | MemoryCopy dst src n | MemoryFill dst value n
//   MemoryInit segment dst src n | DataDrop segment
//   TableGet dst table:ptr index | TableSet table:ptr index value | TableSize dst table:ptr
//   TableGrow dst table:ptr init delta | TableFill table:ptr at value n
//   TableCopy dst_table:ptr src_table:ptr dst src n | TableInit table:ptr segment dst src n
//   ElemDrop segment | RefIsNull dst src | Unreachable
//
// The accumulator: Const, Copy and every numeric instruction and load leave
// their result in a machine register as well as in their dst slot. When an
// instruction's first operand is the result of the instruction just before
// it (with no label in between), the translator picks its Acc variant, which
// reads the register instead: same layout, the operand field is unused. This
// takes the store-to-load round trip through the frame off the dependency
// chains that most compiled code is made of. Acc variants exist for Un_, Bin_,
// BinI_, Ld_, LdA_ (the address or base), the fused compare-and-branches and
// BrIfNz/BrIfZ (the condition), and St_, StA_, StK_ (the value stored).
#define WASMACRO_CONTROL_IOPS(X)                                                                   \
    X(Unreachable)                                                                                 \
    X(Copy)                                                                                        \
    X(Const)                                                                                       \
    X(Br)                                                                                          \
    X(BrIfNz)                                                                                      \
    X(BrIfZ)                                                                                       \
    X(AccBrIfNz)                                                                                   \
    X(AccBrIfZ)                                                                                    \
    X(BrTable)                                                                                     \
    X(Return)                                                                                      \
    X(Return1)                                                                                     \
    X(Call)                                                                                        \
    X(CallLocal)                                                                                   \
    X(CallIndirect)                                                                                \
    X(ReturnCall)                                                                                  \
    X(ReturnCallIndirect)                                                                          \
    X(Select)                                                                                      \
    X(GlobalGet)                                                                                   \
    X(GlobalSet)                                                                                   \
    X(GlobalAddI)                                                                                  \
    X(GlobalBumpI)                                                                                 \
    X(GlobalSetAddI)                                                                               \
    X(MemorySize)                                                                                  \
    X(MemoryGrow)                                                                                  \
    X(MemoryCopy)                                                                                  \
    X(MemoryFill)                                                                                  \
    X(MemoryInit)                                                                                  \
    X(DataDrop)                                                                                    \
    X(TableGet)                                                                                    \
    X(TableSet)                                                                                    \
    X(TableSize)                                                                                   \
    X(TableGrow)                                                                                   \
    X(TableFill)                                                                                   \
    X(TableCopy)                                                                                   \
    X(TableInit)                                                                                   \
    X(ElemDrop)                                                                                    \
    X(RefIsNull)                                                                                   \
    X(Fuel)

// Integer comparisons that fuse with a following br_if / if into one
// compare-and-branch (BrIf_<op> a b rel, BrIfI_<op> a imm64 rel), with the
// comparison that is true when they are false, for `if`. An i32.and that
// feeds a branch fuses as well, into a bit test (I32AndNz: a & b != 0), the
// most common condition in compiled Rust after the comparisons.
#define WASMACRO_FUSED_COMPARES(X)                                                                 \
    WASMACRO_FUSED_RELATIONS(X)                                                                    \
    X(I32AndNz, I32AndZ)                                                                           \
    X(I32AndZ, I32AndNz)
#define WASMACRO_FUSED_RELATIONS(X)                                                                \
    X(I32Eq, I32Ne)                                                                                \
    X(I32Ne, I32Eq)                                                                                \
    X(I32LtS, I32GeS)                                                                              \
    X(I32LtU, I32GeU)                                                                              \
    X(I32GtS, I32LeS)                                                                              \
    X(I32GtU, I32LeU)                                                                              \
    X(I32LeS, I32GtS)                                                                              \
    X(I32LeU, I32GtU)                                                                              \
    X(I32GeS, I32LtS)                                                                              \
    X(I32GeU, I32LtU)                                                                              \
    X(I64Eq, I64Ne)                                                                                \
    X(I64Ne, I64Eq)                                                                                \
    X(I64LtS, I64GeS)                                                                              \
    X(I64LtU, I64GeU)                                                                              \
    X(I64GtS, I64LeS)                                                                              \
    X(I64GtU, I64LeU)                                                                              \
    X(I64LeS, I64GtS)                                                                              \
    X(I64LeU, I64GtU)                                                                              \
    X(I64GeS, I64LtS)                                                                              \
    X(I64GeU, I64LtU)

// Numeric instructions come from opcodes.def:
//   Un_<op> dst a | Bin_<op> dst a b | BinI_<op> dst a imm64
//   Ld_<op> dst address offset | St_<op> address value offset
//   LdA_<op> dst base added offset | StA_<op> base value added offset, whose
//   address is (u32)(base + added), the fusion of `i32.add` with a constant
//   LdK_<op> dst address:u64 | StK_<op> value address:u64, a constant address
#define WASMACRO_IOP_Special(name)
#define WASMACRO_IOP_Const(name)
#define WASMACRO_IOP_Memory(name)
#define WASMACRO_IOP_Unary(name) Un_##name, AccUn_##name,
#define WASMACRO_IOP_Binary(name) Bin_##name, BinI_##name, AccBin_##name, AccBinI_##name,
#define WASMACRO_IOP_Load(name) Ld_##name, LdA_##name, LdK_##name, AccLd_##name, AccLdA_##name,
#define WASMACRO_IOP_Store(name)                                                                   \
    St_##name, StA_##name, StK_##name, AccSt_##name, AccStA_##name, AccStK_##name,

enum class IOp : uint16_t {
#define WASMACRO_X(name) name,
    WASMACRO_CONTROL_IOPS(WASMACRO_X)
#undef WASMACRO_X
#define WASMACRO_X(name, negated) BrIf_##name, BrIfI_##name, AccBrIf_##name, AccBrIfI_##name,
        WASMACRO_FUSED_COMPARES(WASMACRO_X)
#undef WASMACRO_X
#define WASM_OP(name, prefix, code, text, kind, p1, p2, result, align) WASMACRO_IOP_##kind(name)
#include "wasm/opcodes.def"
#undef WASM_OP
            Count_
};

// Fuel stands for work, and code without a backward branch runs each of its
// instructions at most once, so a unit may cover at most 2^fuel_code_shift
// bytes of slot code: a loop pays for the length of its body on every iteration, a
// function for its length on every call. Without that, a loop around a
// megabyte of straight-line code would run it all for one unit an iteration.
// (A short loop, or a call of a short function, still costs one unit.)
constexpr unsigned fuel_code_shift = 8;
/// Fuel for a taken branch `rel` bytes back (rel <= 0), to a loop's header.
constexpr int64_t back_branch_fuel(int32_t rel) {
    return 1 + ((-int64_t{rel}) >> fuel_code_shift);
}
/// Fuel for entering a function of `code_bytes` of slot code, beyond the
/// unit every call costs.
constexpr int64_t entry_fuel(std::size_t code_bytes) {
    return static_cast<int64_t>(code_bytes >> fuel_code_shift);
}

/// Call and CallLocal copy this many arguments whatever the count, without a
/// loop: sources beyond the count are slot 0, and the copies land in the
/// callee's frame or in the room past it (see frame_overrun_slots).
constexpr uint32_t call_unrolled_arguments = 4;

/// Handler addresses of the interpreter loop, indexed by IOp.
const void* const* interpreter_handlers();

} // namespace wasmacro::wasm
