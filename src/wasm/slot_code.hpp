// The internal instruction set: translate.cpp emits it, interpreter.cpp runs
// it, x64_compile.cpp compiles it.
//
// Code is a byte stream of instructions, each the address of its handler (8
// bytes, so dispatch is one indirect jump) followed by fixed operands. Values
// live in 64-bit slots of the current frame: slot i is fp[i]; the function's
// locals come first, then its operand stack. Operands name slots directly, so
// `local.get a; local.get b; i32.add; local.set c` is one instruction.
// Branch offsets are relative to the start of the branching instruction.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>

namespace wasmacro::wasm {

// Control and miscellaneous instructions, each with its layout (slot_code.def)
// and whether it reads the accumulator (see below).
//   A taken branch with rel <= 0 (back to a loop header) charges back_branch_fuel(rel).
//   Fuel charges `units`: the first instruction of a function whose code is
//   long enough to cost more than its call (see entry_fuel).
//   Tail calls (ReturnCall, ReturnCallIndirect): the arguments are in slots
//   from base; they move to slot 0 and the callee runs in the caller's
//   frame, at the caller's depth.
//   Throw and Rethrow raise an exception: the interpreter finds its
//   handler in the TryRegions of the functions on the stack (runtime.hpp).
//   The shadow-stack pointer's updates are fused (an i32 global; i32.sub by a
//   constant becomes an add of its negation): GlobalAddI for global.get +
//   i32.add; GlobalBumpI, the same that also writes the sum back to the
//   global (every function's prologue); GlobalSetAddI for i32.add +
//   global.set (its epilogue).
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
    X(Unreachable, Bare, false)                                                                    \
    X(Copy, Copy, false)                                                                           \
    X(Const, Const, false)                                                                         \
    X(Br, Br, false)                                                                               \
    X(BrIfNz, BrIf, false)                                                                         \
    X(BrIfZ, BrIf, false)                                                                          \
    X(AccBrIfNz, BrIf, true)                                                                       \
    X(AccBrIfZ, BrIf, true)                                                                        \
    X(BrTable, BrTable, false)                                                                     \
    X(Return, Bare, false)                                                                         \
    X(Return1, Return1, false)                                                                     \
    X(Call, Call, false)                                                                           \
    X(CallLocal, CallLocal, false)                                                                 \
    X(CallIndirect, CallIndirect, false)                                                           \
    X(ReturnCall, ReturnCall, false)                                                               \
    X(ReturnCallIndirect, CallIndirect, false)                                                     \
    X(Select, Select, false)                                                                       \
    X(GlobalGet, GlobalGet, false)                                                                 \
    X(GlobalSet, GlobalSet, false)                                                                 \
    X(GlobalAddI, GlobalAddI, false)                                                               \
    X(GlobalBumpI, GlobalAddI, false)                                                              \
    X(GlobalSetAddI, GlobalSetAddI, false)                                                         \
    X(MemorySize, MemorySize, false)                                                               \
    X(MemoryGrow, MemoryGrow, false)                                                               \
    X(MemoryCopy, MemoryCopy, false)                                                               \
    X(MemoryFill, MemoryFill, false)                                                               \
    X(MemoryInit, MemoryInit, false)                                                               \
    X(DataDrop, SegmentDrop, false)                                                                \
    X(TableGet, TableGet, false)                                                                   \
    X(TableSet, TableSet, false)                                                                   \
    X(TableSize, TableSize, false)                                                                 \
    X(TableGrow, TableGrow, false)                                                                 \
    X(TableFill, TableFill, false)                                                                 \
    X(TableCopy, TableCopy, false)                                                                 \
    X(TableInit, TableInit, false)                                                                 \
    X(ElemDrop, SegmentDrop, false)                                                                \
    X(RefIsNull, RefIsNull, false)                                                                 \
    X(Fuel, Fuel, false)                                                                           \
    X(Throw, Throw, false)                                                                         \
    X(Rethrow, Rethrow, false)

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

// The numeric instructions of opcodes.def have these forms (layouts in
// slot_code.def): Un_<op>, Bin_<op> and BinI_<op> (the second operand an
// immediate); loads Ld_<op> (address in a slot), LdA_<op> (a slot plus a
// constant, wrapping at 32 bits: the fusion of `i32.add`) and LdK_<op> (a
// constant address); stores St_<op>, StA_<op> and StK_<op> likewise.
enum class IOp : uint16_t {
#define WASMACRO_IOP(name, layout, acc, op) name,
#include "wasm/slot_code_ops.inc"
#undef WASMACRO_IOP
    Count_
};

/// The layouts of slot_code.def.
enum class Layout : uint8_t {
#define WASMACRO_LAYOUT(name) name,
#include "wasm/slot_code.def"
};

inline constexpr Layout iop_layouts[] = {
#define WASMACRO_IOP(name, layout, acc, op) Layout::layout,
#include "wasm/slot_code_ops.inc"
#undef WASMACRO_IOP
};
static_assert(std::size(iop_layouts) == static_cast<size_t>(IOp::Count_));
constexpr Layout layout_of(IOp op) {
    return iop_layouts[static_cast<size_t>(op)];
}
/// The instruction's name, as the disassembler prints it ("BinI_I32Add").
std::string_view iop_name(IOp op);

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

struct Function;
struct Table;
struct Global;
struct SlotCode;
class Instance;

namespace slot {

/// A pointer in slot code takes 8 bytes whatever its size (4 on wasm32), so
/// that the layouts are the same on every host.
template <typename T>
struct [[gnu::packed, gnu::may_alias]] Ref {
    uint64_t bits;
    Ref() = default;
    Ref(T * pointer) : bits(reinterpret_cast<uintptr_t>(pointer)) {}
    T* get() const {
        return reinterpret_cast<T*>(static_cast<uintptr_t>(bits));
    }
    T* operator->() const {
        return get();
    }
    T& operator*() const {
        return *get();
    }
};

// The field kinds of slot_code.def, as C++ types and as values.
using Slot = uint32_t;
using U32 = uint32_t;
using U64 = uint64_t;
using Rel = int32_t;
using FunctionRef = Ref<Function>;
using TableRef = Ref<Table>;
using GlobalRef = Ref<Global>;
using CodeRef = Ref<const uint8_t>;
enum class FieldKind : uint8_t { Slot, U32, U64, Rel, FunctionRef, TableRef, GlobalRef, CodeRef };

// Each layout as a packed struct of its fields, in order. An array after the
// fields (BrTable's targets, a call's sources) is the struct's Tail.
// may_alias: they are read in place from the code's bytes (decode below).
#define WASMACRO_LAYOUT(name)                                                                      \
    struct [[gnu::packed, gnu::may_alias]] name {                                                  \
        static constexpr Layout layout = Layout::name;
#define WASMACRO_FIELD(kind, name) kind name;
#define WASMACRO_TAIL(kind, name, count)                                                           \
    using Tail = kind;                                                                             \
    static constexpr FieldKind tail_kind = FieldKind::kind;                                        \
    static constexpr std::string_view tail_name = #name;                                           \
    size_t tail_count() const {                                                                    \
        return count;                                                                              \
    }
#define WASMACRO_END(name)                                                                         \
    }                                                                                              \
    ;
#include "wasm/slot_code.def"

/// Every instruction starts with its handler's address.
constexpr size_t header_bytes = 8;

/// The fields of the instruction at `ip`, whose layout is L: a view into
/// the code, so that each field read is one load (a copy of the struct
/// would be read in wide pieces and split, in the interpreter's hot path).
template <typename L>
const L& decode(const uint8_t* ip) {
    return *reinterpret_cast<const L*>(ip + header_bytes);
}
/// Element `i` of its tail.
template <typename L>
typename L::Tail tail(const uint8_t* ip, size_t i) {
    typename L::Tail element;
    std::memcpy(&element, ip + header_bytes + sizeof(L) + i * sizeof element, sizeof element);
    return element;
}
/// Where the tail of an instruction of layout L starts, from the instruction's start.
template <typename L>
constexpr size_t tail_offset = header_bytes + sizeof(L);
/// The length of an instruction of layout L without a tail.
template <typename L>
constexpr size_t fixed_size = header_bytes + sizeof(L);
/// The length of the instruction at `ip`, of layout L.
template <typename L>
size_t size(const uint8_t* ip) {
    if constexpr (requires(const L& fields) { fields.tail_count(); })
        return tail_offset<L> + decode<L>(ip).tail_count() * sizeof(typename L::Tail);
    else
        return fixed_size<L>;
}

} // namespace slot

/// Where `field` of layout `L` is, from the instruction's start.
#define WASMACRO_SLOT_FIELD_OFFSET(L, field) (slot::header_bytes + offsetof(slot::L, field))

/// The length of the instruction `op` at `ip`.
size_t instruction_size(IOp op, const uint8_t* ip);

/// Slot code as text, an instruction a line: its offset, name and fields
/// (slots as s<i>, branch targets as offsets, functions, tables and globals
/// by their index in `instance`). For unit tests and `wasmacro run --dump-code`.
std::string disassemble(const SlotCode& code, const Instance& instance);

} // namespace wasmacro::wasm
