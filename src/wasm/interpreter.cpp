// The interpreter loop: direct-threaded dispatch over the slot code of
// code.hpp (each instruction starts with its handler's address, so moving to
// the next one is a single indirect jump). Wasm calls do not recurse in C++:
// frames live in Store::Impl, so call depth is bounded by a counter, not by
// the native stack.
#include "wasm/code.hpp"
#include "wasm/numeric.hpp"
#include "wasm/runtime.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace wasmacro::wasm {
namespace {

template <typename T>
T field(const uint8_t* ip, size_t offset) {
    T value;
    std::memcpy(&value, ip + offset, sizeof value);
    return value;
}

/// Calls a host function with its arguments at `slots`, writing its results
/// there. Kept out of line so the exception handling stays off the hot loop.
[[gnu::noinline]] bool call_host(Function& callee, uint64_t* slots, Memory* memory,
                                 std::exception_ptr& failure) {
    try {
        uint64_t results[16];
        std::vector<uint64_t> many_results;
        std::span<uint64_t> out(results, callee.num_results);
        if (callee.num_results > 16) {
            many_results.resize(callee.num_results);
            out = many_results;
        }
        HostCall call({slots, callee.num_params}, out, memory);
        callee.host(call);
        std::copy(out.begin(), out.end(), slots);
        return true;
    } catch (...) {
        failure = std::current_exception();
        return false;
    }
}

/// Eight slots of zeros as separate stores, which the compiler merges into a
/// few wide ones; a memset or a loop here becomes `rep stos`, which is slow
/// to start.
[[gnu::always_inline]] inline void zero_eight(uint64_t* slots) {
    slots[0] = 0;
    slots[1] = 0;
    slots[2] = 0;
    slots[3] = 0;
    slots[4] = 0;
    slots[5] = 0;
    slots[6] = 0;
    slots[7] = 0;
}

/// Declared locals start at zero. They are zeroed eight slots at a time,
/// which may run past the frame (into frame_overrun_slots): fixed-size
/// stores, without a branch on the count for most functions. The empty asm
/// keeps the compiler from turning the loop into a memset.
[[gnu::always_inline]] inline void zero_locals(uint64_t* locals, uint32_t count) {
    static_assert(frame_overrun_slots >= 8);
    zero_eight(locals);
    for (uint32_t done = 8; done < count; done += 8) {
        zero_eight(locals + done);
        asm volatile("" : "+r"(done));
    }
}

[[gnu::noinline]] void ensure_compiled(Function& function) {
    if (!function.compiled) compile_function(function);
}

// Loads and stores, bounds-checked against the current memory size.
template <typename Stored, typename Loaded>
uint64_t load(const uint8_t* base, uint64_t size, uint64_t address, int& trap) {
    if (address + sizeof(Stored) > size) {
        trap = numeric::trap_code(TrapKind::MemoryOutOfBounds);
        return 0;
    }
    Stored value;
    std::memcpy(&value, base + address, sizeof value);
    return numeric::of(static_cast<Loaded>(value));
}
template <typename Stored>
bool store(uint8_t* base, uint64_t size, uint64_t address, uint64_t value) {
    if (address + sizeof(Stored) > size) return false;
    auto narrowed = static_cast<Stored>(value);
    std::memcpy(base + address, &narrowed, sizeof narrowed);
    return true;
}
#define WASMACRO_LOAD(name, Stored, Loaded)                                                        \
    uint64_t load_##name(const uint8_t* base, uint64_t size, uint64_t address, int& trap) {        \
        return load<Stored, Loaded>(base, size, address, trap);                                    \
    }
#define WASMACRO_STORE(name, Stored)                                                               \
    bool store_##name(uint8_t* base, uint64_t size, uint64_t address, uint64_t value) {            \
        return store<Stored>(base, size, address, value);                                          \
    }
WASMACRO_LOAD(I32Load, uint32_t, uint32_t)
WASMACRO_LOAD(I64Load, uint64_t, uint64_t)
WASMACRO_LOAD(F32Load, uint32_t, uint32_t)
WASMACRO_LOAD(F64Load, uint64_t, uint64_t)
WASMACRO_LOAD(I32Load8S, int8_t, int32_t)
WASMACRO_LOAD(I32Load8U, uint8_t, uint32_t)
WASMACRO_LOAD(I32Load16S, int16_t, int32_t)
WASMACRO_LOAD(I32Load16U, uint16_t, uint32_t)
WASMACRO_LOAD(I64Load8S, int8_t, int64_t)
WASMACRO_LOAD(I64Load8U, uint8_t, uint64_t)
WASMACRO_LOAD(I64Load16S, int16_t, int64_t)
WASMACRO_LOAD(I64Load16U, uint16_t, uint64_t)
WASMACRO_LOAD(I64Load32S, int32_t, int64_t)
WASMACRO_LOAD(I64Load32U, uint32_t, uint64_t)
WASMACRO_STORE(I32Store, uint32_t)
WASMACRO_STORE(I64Store, uint64_t)
WASMACRO_STORE(F32Store, uint32_t)
WASMACRO_STORE(F64Store, uint64_t)
WASMACRO_STORE(I32Store8, uint8_t)
WASMACRO_STORE(I32Store16, uint16_t)
WASMACRO_STORE(I64Store8, uint8_t)
WASMACRO_STORE(I64Store16, uint16_t)
WASMACRO_STORE(I64Store32, uint32_t)
#undef WASMACRO_LOAD
#undef WASMACRO_STORE

struct Loop {
    static ExecutionResult run(Store::Impl* store, Function* entry, uint64_t* args,
                               const void* const** handlers_out);
};

ExecutionResult Loop::run(Store::Impl* store, Function* entry, uint64_t* args,
                          const void* const** handlers_out) {
    static const void* const handlers[] = {
#define WASMACRO_X(name) &&L_##name,
        WASMACRO_CONTROL_IOPS(WASMACRO_X)
#undef WASMACRO_X
#define WASMACRO_X(name, negated)                                                                  \
    &&L_BrIf_##name, &&L_BrIfI_##name, &&L_AccBrIf_##name, &&L_AccBrIfI_##name,
            WASMACRO_FUSED_COMPARES(WASMACRO_X)
#undef WASMACRO_X
#define WASM_OP(name, prefix, code, text, kind, p1, p2, result, align) WASMACRO_LABEL_##kind(name)
#define WASMACRO_LABEL_Special(name)
#define WASMACRO_LABEL_Const(name)
#define WASMACRO_LABEL_Memory(name)
#define WASMACRO_LABEL_Unary(name) &&L_Un_##name, &&L_AccUn_##name,
#define WASMACRO_LABEL_Binary(name)                                                                \
    &&L_Bin_##name, &&L_BinI_##name, &&L_AccBin_##name, &&L_AccBinI_##name,
#define WASMACRO_LABEL_Load(name)                                                                  \
    &&L_Ld_##name, &&L_LdA_##name, &&L_LdK_##name, &&L_AccLd_##name, &&L_AccLdA_##name,
#define WASMACRO_LABEL_Store(name)                                                                 \
    &&L_St_##name, &&L_StA_##name, &&L_StK_##name, &&L_AccSt_##name, &&L_AccStA_##name,            \
        &&L_AccStK_##name,
#include "wasm/opcodes.def"
#undef WASM_OP
    };
    static_assert(std::size(handlers) == static_cast<size_t>(IOp::Count_));
    if (handlers_out) {
        *handlers_out = handlers;
        return {};
    }

    ExecutionResult result;
    const SandboxLimits& limits = store->limits;
    // Counted down as signed, so a budget beyond 2^63 (unlimited) is clamped.
    auto fuel = static_cast<int64_t>(std::min<uint64_t>(limits.fuel, INT64_MAX));
    Store::Impl::Frame* frames = store->frames.data();
    uint32_t depth = 0;
    uint32_t max_depth = limits.max_call_depth;
    uint64_t* stack_end = store->value_stack.get() + store->value_stack_size;

    Function* current = entry;
    uint64_t* fp = args;
    Memory* memory = nullptr;
    uint8_t* memory_base = nullptr;
    uint64_t memory_size = 0;
    const uint8_t* ip = nullptr;
    uint64_t acc = 0; // the accumulator of code.hpp
    int trap = 0;

#define NEXT() goto* field<const void*>(ip, 0)
#define U32(offset) field<uint32_t>(ip, offset)
#define U64(offset) field<uint64_t>(ip, offset)
#define PTR(type, offset) reinterpret_cast<type*>(field<uintptr_t>(ip, offset))
#define REL(offset) field<int32_t>(ip, offset)
    // A taken branch; going back (to a loop header) costs a unit of fuel.
#define JUMP(rel_expr)                                                                             \
    do {                                                                                           \
        int32_t rel_ = (rel_expr);                                                                 \
        ip += rel_;                                                                                \
        if (rel_ <= 0 && --fuel < 0) TRAP(FuelExhausted);                                          \
        NEXT();                                                                                    \
    } while (0)
#define TRAP(kind)                                                                                 \
    do {                                                                                           \
        trap = numeric::trap_code(TrapKind::kind);                                                 \
        goto trapped;                                                                              \
    } while (0)
#define LOAD_MEMORY()                                                                              \
    do {                                                                                           \
        memory = current->memory;                                                                  \
        memory_base = memory ? memory->base : nullptr;                                             \
        memory_size = memory ? memory->size : 0;                                                   \
    } while (0)

    // Entering a wasm function: `callee`'s arguments are at new_fp.
#define ENTER_WASM(callee_expr, new_fp, return_ip)                                                 \
    do {                                                                                           \
        Function* callee_ = (callee_expr);                                                         \
        uint64_t* nfp_ = (new_fp);                                                                 \
        if (!callee_->compiled) ensure_compiled(*callee_);                                         \
        const CompiledCode& cc_ = *callee_->compiled;                                              \
        if (depth >= max_depth || nfp_ + cc_.frame_size > stack_end) TRAP(CallStackExhausted);     \
        zero_locals(nfp_ + callee_->num_params, cc_.num_locals - callee_->num_params);             \
        frames[depth++] = {(return_ip), fp, current};                                              \
        fp = nfp_;                                                                                 \
        current = callee_;                                                                         \
        ip = cc_.code.data();                                                                      \
    } while (0)
    // Entering any function, which may be the host's or another instance's.
#define ENTER(callee_expr, new_fp, return_ip)                                                      \
    do {                                                                                           \
        Function* callee_any_ = (callee_expr);                                                     \
        if (--fuel < 0) TRAP(FuelExhausted);                                                       \
        if (callee_any_->is_host()) {                                                              \
            if (!call_host(*callee_any_, (new_fp), memory, result.host_exception))                 \
                TRAP(HostError);                                                                   \
            ip = (return_ip);                                                                      \
            NEXT();                                                                                \
        }                                                                                          \
        ENTER_WASM(callee_any_, new_fp, return_ip);                                                \
        if (current->memory != memory) LOAD_MEMORY();                                              \
        NEXT();                                                                                    \
    } while (0)

    {
        // The entry function's return (at depth 0) leaves the loop.
        if (!entry->compiled) ensure_compiled(*entry);
        const CompiledCode& cc = *entry->compiled;
        if (fp + cc.frame_size > stack_end) TRAP(CallStackExhausted);
        zero_locals(fp + entry->num_params, cc.num_locals - entry->num_params);
        LOAD_MEMORY();
        ip = cc.code.data();
        if (--fuel < 0) TRAP(FuelExhausted);
        NEXT();
    }

L_Unreachable:
    TRAP(Unreachable);
L_Copy:
    fp[U32(8)] = acc = fp[U32(12)];
    ip += 16;
    NEXT();
L_Const:
    fp[U32(8)] = acc = U64(12);
    ip += 20;
    NEXT();
L_Br:
    JUMP(REL(8));
#define WASMACRO_BRANCH_IF(label, condition)                                                       \
    label:                                                                                         \
    if (condition) JUMP(REL(12));                                                                  \
    ip += 16;                                                                                      \
    NEXT();
    WASMACRO_BRANCH_IF(L_BrIfNz, static_cast<uint32_t>(fp[U32(8)]) != 0)
    WASMACRO_BRANCH_IF(L_BrIfZ, static_cast<uint32_t>(fp[U32(8)]) == 0)
    WASMACRO_BRANCH_IF(L_AccBrIfNz, static_cast<uint32_t>(acc) != 0)
    WASMACRO_BRANCH_IF(L_AccBrIfZ, static_cast<uint32_t>(acc) == 0)
#undef WASMACRO_BRANCH_IF
L_BrTable : {
    uint32_t index = static_cast<uint32_t>(fp[U32(8)]);
    uint32_t count = U32(12);
    if (index > count) index = count;
    JUMP(field<int32_t>(ip, 16 + 4 * size_t{index}));
}
L_Return1:
    fp[0] = fp[U32(8)];
L_Return:
    if (depth == 0) goto finished;
    {
        Store::Impl::Frame& frame = frames[--depth];
        ip = frame.return_ip;
        fp = frame.fp;
        current = frame.function;
        // Only a callee with another memory changes it: memory.grow on the
        // same memory, whoever runs it, updates memory_size as it goes.
        if (current->memory != memory) LOAD_MEMORY();
    }
    NEXT();
#define COPY_ARGUMENTS()                                                                           \
    uint64_t* new_fp = fp + U32(16);                                                               \
    uint32_t count = U32(20);                                                                      \
    for (size_t i = 0; i < call_unrolled_arguments; ++i) new_fp[i] = fp[U32(24 + 4 * i)];          \
    for (uint32_t i = call_unrolled_arguments; i < count; ++i)                                     \
        new_fp[i] = fp[U32(24 + 4 * size_t{i})];                                                   \
    const uint8_t* return_ip =                                                                     \
        ip + 24 + 4 * size_t{std::max<uint32_t>(count, call_unrolled_arguments)};
L_Call : {
    COPY_ARGUMENTS();
    ENTER(PTR(Function, 8), new_fp, return_ip);
}
L_CallLocal : {
    COPY_ARGUMENTS();
    if (--fuel < 0) TRAP(FuelExhausted);
    ENTER_WASM(PTR(Function, 8), new_fp, return_ip);
    NEXT();
}
L_CallIndirect : {
    Table* table = PTR(Table, 8);
    uint32_t index = static_cast<uint32_t>(fp[U32(20)]);
    if (index >= table->elements.size()) {
        result.element = index;
        TRAP(UndefinedElement);
    }
    auto* callee = reinterpret_cast<Function*>(table->elements[index]);
    if (!callee) {
        result.element = index;
        TRAP(UninitializedElement);
    }
    if (callee->type_id != U32(16)) TRAP(IndirectCallTypeMismatch);
    ENTER(callee, fp + U32(24), ip + 28);
}
L_Select:
    fp[U32(8)] = static_cast<uint32_t>(fp[U32(20)]) ? fp[U32(12)] : fp[U32(16)];
    ip += 24;
    NEXT();
L_GlobalGet:
    fp[U32(8)] = PTR(Global, 12)->value;
    ip += 20;
    NEXT();
L_GlobalSet:
    PTR(Global, 8)->value = fp[U32(16)];
    ip += 20;
    NEXT();
L_MemorySize:
    fp[U32(8)] = memory_size / page_size;
    ip += 12;
    NEXT();
L_MemoryGrow : {
    bool limit_exceeded = false;
    fp[U32(8)] = memory_grow(*memory, static_cast<uint32_t>(fp[U32(12)]), limits.max_memory_pages,
                             limit_exceeded);
    if (limit_exceeded) TRAP(MemoryLimitExceeded);
    memory_size = memory->size;
    ip += 16;
    NEXT();
}
L_MemoryCopy : {
    uint64_t dst = static_cast<uint32_t>(fp[U32(8)]);
    uint64_t src = static_cast<uint32_t>(fp[U32(12)]);
    uint64_t n = static_cast<uint32_t>(fp[U32(16)]);
    if (src + n > memory_size || dst + n > memory_size) TRAP(MemoryOutOfBounds);
    std::memmove(memory_base + dst, memory_base + src, n);
    ip += 20;
    NEXT();
}
L_MemoryFill : {
    uint64_t dst = static_cast<uint32_t>(fp[U32(8)]);
    auto value = static_cast<uint8_t>(fp[U32(12)]);
    uint64_t n = static_cast<uint32_t>(fp[U32(16)]);
    if (dst + n > memory_size) TRAP(MemoryOutOfBounds);
    std::memset(memory_base + dst, value, n);
    ip += 20;
    NEXT();
}
L_MemoryInit:
    if (!memory_init(current->instance->impl(), *memory, U32(8), static_cast<uint32_t>(fp[U32(12)]),
                     static_cast<uint32_t>(fp[U32(16)]), static_cast<uint32_t>(fp[U32(20)])))
        TRAP(MemoryOutOfBounds);
    ip += 24;
    NEXT();
L_DataDrop:
    current->instance->impl().data_dropped[U32(8)] = true;
    ip += 12;
    NEXT();
L_TableGet : {
    Table* table = PTR(Table, 12);
    uint32_t index = static_cast<uint32_t>(fp[U32(20)]);
    if (index >= table->elements.size()) TRAP(TableOutOfBounds);
    fp[U32(8)] = table->elements[index];
    ip += 24;
    NEXT();
}
L_TableSet : {
    Table* table = PTR(Table, 8);
    uint32_t index = static_cast<uint32_t>(fp[U32(16)]);
    if (index >= table->elements.size()) TRAP(TableOutOfBounds);
    table->elements[index] = fp[U32(20)];
    ip += 24;
    NEXT();
}
L_TableSize:
    fp[U32(8)] = PTR(Table, 12)->elements.size();
    ip += 20;
    NEXT();
L_TableGrow:
    fp[U32(8)] = table_grow(*PTR(Table, 12), fp[U32(20)], static_cast<uint32_t>(fp[U32(24)]));
    ip += 28;
    NEXT();
L_TableFill:
    if (!table_fill(*PTR(Table, 8), static_cast<uint32_t>(fp[U32(16)]), fp[U32(20)],
                    static_cast<uint32_t>(fp[U32(24)])))
        TRAP(TableOutOfBounds);
    ip += 28;
    NEXT();
L_TableCopy:
    if (!table_copy(*PTR(Table, 8), *PTR(Table, 16), static_cast<uint32_t>(fp[U32(24)]),
                    static_cast<uint32_t>(fp[U32(28)]), static_cast<uint32_t>(fp[U32(32)])))
        TRAP(TableOutOfBounds);
    ip += 36;
    NEXT();
L_TableInit:
    if (!table_init(current->instance->impl(), *PTR(Table, 8), U32(16),
                    static_cast<uint32_t>(fp[U32(20)]), static_cast<uint32_t>(fp[U32(24)]),
                    static_cast<uint32_t>(fp[U32(28)])))
        TRAP(TableOutOfBounds);
    ip += 32;
    NEXT();
L_ElemDrop:
    current->instance->impl().elements[U32(8)].clear();
    ip += 12;
    NEXT();
L_RefIsNull:
    fp[U32(8)] = fp[U32(12)] == 0 ? 1 : 0;
    ip += 16;
    NEXT();

// Compare-and-branch with the first operand `a`; `size` is the instruction's length.
#define WASMACRO_COMPARE_BRANCH(label, name, a, b, size)                                           \
    label : {                                                                                      \
        int unused_trap = 0;                                                                       \
        if (numeric::eval_##name(a, b, unused_trap)) JUMP(REL(size - 4));                          \
        ip += size;                                                                                \
        NEXT();                                                                                    \
    }
#define WASMACRO_X(name, negated)                                                                  \
    WASMACRO_COMPARE_BRANCH(L_BrIf_##name, name, fp[U32(8)], fp[U32(12)], 20)                      \
    WASMACRO_COMPARE_BRANCH(L_BrIfI_##name, name, fp[U32(8)], U64(12), 24)                         \
    WASMACRO_COMPARE_BRANCH(L_AccBrIf_##name, name, acc, fp[U32(12)], 20)                          \
    WASMACRO_COMPARE_BRANCH(L_AccBrIfI_##name, name, acc, U64(12), 24)
    WASMACRO_FUSED_COMPARES(WASMACRO_X)
#undef WASMACRO_X

// A numeric instruction computing `expression`, which may trap through `t`.
#define WASMACRO_NUMERIC(label, expression, size)                                                  \
    label : {                                                                                      \
        int t = 0;                                                                                 \
        uint64_t value = (expression);                                                             \
        if (t) {                                                                                   \
            trap = t;                                                                              \
            goto trapped;                                                                          \
        }                                                                                          \
        fp[U32(8)] = acc = value;                                                                  \
        ip += size;                                                                                \
        NEXT();                                                                                    \
    }
#define WASMACRO_HANDLER_Special(name)
#define WASMACRO_HANDLER_Const(name)
#define WASMACRO_HANDLER_Memory(name)
#define WASMACRO_HANDLER_Unary(name)                                                               \
    WASMACRO_NUMERIC(L_Un_##name, numeric::eval_##name(fp[U32(12)], t), 16)                        \
    WASMACRO_NUMERIC(L_AccUn_##name, numeric::eval_##name(acc, t), 16)
#define WASMACRO_HANDLER_Binary(name)                                                              \
    WASMACRO_NUMERIC(L_Bin_##name, numeric::eval_##name(fp[U32(12)], fp[U32(16)], t), 20)          \
    WASMACRO_NUMERIC(L_BinI_##name, numeric::eval_##name(fp[U32(12)], U64(16), t), 24)             \
    WASMACRO_NUMERIC(L_AccBin_##name, numeric::eval_##name(acc, fp[U32(16)], t), 20)               \
    WASMACRO_NUMERIC(L_AccBinI_##name, numeric::eval_##name(acc, U64(16), t), 24)
// A load or store at `address`; `size` is the instruction's length.
#define WASMACRO_LOAD_AT(label, name, address, size)                                               \
    WASMACRO_NUMERIC(label, load_##name(memory_base, memory_size, address, t), size)
#define WASMACRO_STORE_AT(label, name, address, value, size)                                       \
    label:                                                                                         \
    if (!store_##name(memory_base, memory_size, address, value)) TRAP(MemoryOutOfBounds);          \
    ip += size;                                                                                    \
    NEXT();
// The address forms: a slot plus the offset; a slot plus an added constant
// (wrapping at 32 bits, as the fused i32.add would) plus the offset; a constant.
#define WASMACRO_ADDRESS(base)                                                                     \
    static_cast<uint32_t>(base) + uint64_t {                                                       \
        U32(16)                                                                                    \
    }
#define WASMACRO_ADDED_ADDRESS(base)                                                               \
    static_cast<uint32_t>((base) + U32(16)) + uint64_t {                                           \
        U32(20)                                                                                    \
    }
// clang-format off
#define WASMACRO_HANDLER_Load(name)                                                                \
    WASMACRO_LOAD_AT(L_Ld_##name, name, WASMACRO_ADDRESS(fp[U32(12)]), 20)                         \
    WASMACRO_LOAD_AT(L_LdA_##name, name, WASMACRO_ADDED_ADDRESS(fp[U32(12)]), 24)                  \
    WASMACRO_LOAD_AT(L_LdK_##name, name, U64(12), 20)                                              \
    WASMACRO_LOAD_AT(L_AccLd_##name, name, WASMACRO_ADDRESS(acc), 20)                              \
    WASMACRO_LOAD_AT(L_AccLdA_##name, name, WASMACRO_ADDED_ADDRESS(acc), 24)
#define WASMACRO_HANDLER_Store(name)                                                               \
    WASMACRO_STORE_AT(L_St_##name, name, WASMACRO_ADDRESS(fp[U32(8)]), fp[U32(12)], 20)            \
    WASMACRO_STORE_AT(L_StA_##name, name, WASMACRO_ADDED_ADDRESS(fp[U32(8)]), fp[U32(12)], 24)     \
    WASMACRO_STORE_AT(L_StK_##name, name, U64(12), fp[U32(8)], 20)                                 \
    WASMACRO_STORE_AT(L_AccSt_##name, name, WASMACRO_ADDRESS(fp[U32(8)]), acc, 20)                 \
    WASMACRO_STORE_AT(L_AccStA_##name, name, WASMACRO_ADDED_ADDRESS(fp[U32(8)]), acc, 24)          \
    WASMACRO_STORE_AT(L_AccStK_##name, name, U64(12), acc, 20)
// clang-format on
#define WASM_OP(name, prefix, code, text, kind, p1, p2, result, align) WASMACRO_HANDLER_##kind(name)
#include "wasm/opcodes.def"
#undef WASM_OP

finished:
    return result;

trapped:
    result.trapped = true;
    result.trap = static_cast<TrapKind>(trap - 1);
    result.trap_function = current;
    return result;
}

} // namespace

const void* const* interpreter_handlers() {
    static const void* const* handlers = [] {
        const void* const* table = nullptr;
        Loop::run(nullptr, nullptr, nullptr, &table);
        return table;
    }();
    return handlers;
}

ExecutionResult execute(Store::Impl& store, Function& function, uint64_t* args_and_results) {
    if (function.is_host()) {
        ExecutionResult result;
        if (!call_host(function, args_and_results, nullptr, result.host_exception)) {
            result.trapped = true;
            result.trap = TrapKind::HostError;
            result.trap_function = &function;
        }
        return result;
    }
    return Loop::run(&store, &function, args_and_results, nullptr);
}

} // namespace wasmacro::wasm
