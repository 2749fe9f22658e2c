// The interpreter: direct-threaded dispatch over the slot code of code.hpp.
// Each instruction starts with its handler's address, and each handler is a
// function that ends by jumping to the next one (see HANDLER below). Wasm
// calls do not recurse in C++: frames live in Store::Impl, so call depth is
// bounded by a counter, not by the native stack.
#include "wasm/code.hpp"
#include "wasm/jit.hpp"
#include "wasm/numeric.hpp"
#include "wasm/runtime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

namespace wasmacro::wasm {
namespace {

template <typename T>
T field(const uint8_t* ip, size_t offset) {
    T value;
    std::memcpy(&value, ip + offset, sizeof value);
    return value;
}

} // namespace

// Kept out of line so the exception handling stays off the hot loop.
[[gnu::noinline]] bool call_host(Function& callee, uint64_t* slots, Memory* memory, int64_t& fuel,
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
        fuel -= call.fuel_used();
        std::copy(out.begin(), out.end(), slots);
        return true;
    } catch (...) {
        failure = std::current_exception();
        return false;
    }
}

namespace {

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

/// What the handlers share besides their parameters: the state that only
/// calls, returns, traps and a few rare instructions touch.
struct Context {
    Store::Impl::Frame* frames = nullptr;
    uint32_t depth = 0;
    /// How many frames `frames` has room for: fewer than the depth cap until
    /// a call goes that deep, since the cap may be far beyond what any call
    /// needs (and 32 bytes a level).
    uint32_t frame_capacity = 0;
    uint32_t max_depth = 0;
    std::vector<Store::Impl::Frame>* frame_storage = nullptr;
    uint32_t max_memory_pages = 0;
    int trap = 0;          ///< numeric::trap_code of the trap that ended the run, or 0
    int64_t fuel_left = 0; ///< what execute_one's instruction left
    uint64_t* stack_end = nullptr;
    Function* current = nullptr;
    Memory* memory = nullptr;
    ExecutionResult result;
};

// Every handler is a function of the interpreter's registers that ends by
// tail-calling the next instruction's handler. musttail makes that call a
// jump, and preserve_none passes all seven parameters in registers and makes
// the handlers save none, so ip, fp, the accumulator, the memory's base and
// size and the fuel stay in registers for the whole run; only a handler that
// calls out (a host function, memory.grow) saves anything. A handler that
// returns ends the run: a trap, or the entry function's return.
#define WASMACRO_HANDLER_PARAMS                                                                    \
    [[maybe_unused]] const uint8_t *ip, [[maybe_unused]] uint64_t *fp,                             \
        [[maybe_unused]] uint64_t acc, [[maybe_unused]] uint8_t *memory_base,                      \
        [[maybe_unused]] uint64_t memory_size, [[maybe_unused]] int64_t fuel,                      \
        [[maybe_unused]] Context *ctx
typedef void(__attribute__((preserve_none)) * Handler)(WASMACRO_HANDLER_PARAMS);
#define HANDLER(name) __attribute__((preserve_none)) void H_##name(WASMACRO_HANDLER_PARAMS)

#define NEXT()                                                                                     \
    [[clang::musttail]] return field<Handler>(ip, 0)(ip, fp, acc, memory_base, memory_size, fuel,  \
                                                     ctx)
#define U32(offset) field<uint32_t>(ip, offset)
#define U64(offset) field<uint64_t>(ip, offset)
#define PTR(type, offset) reinterpret_cast<type*>(field<uintptr_t>(ip, offset))
#define REL(offset) field<int32_t>(ip, offset)
#define TRAP_CODE(code)                                                                            \
    do {                                                                                           \
        ctx->trap = (code);                                                                        \
        return;                                                                                    \
    } while (0)
#define TRAP(kind) TRAP_CODE(numeric::trap_code(TrapKind::kind))
// A bulk instruction pays for the bytes it touches before it touches them;
// a table's element is 8 bytes, its count in the u32 slot at `offset`.
#define CHARGE_BULK(bytes)                                                                         \
    do {                                                                                           \
        fuel -= bulk_fuel(bytes);                                                                  \
        if (fuel < 0) TRAP(FuelExhausted);                                                         \
    } while (0)
#define CHARGE_ELEMENTS(offset)                                                                    \
    CHARGE_BULK(uint64_t{static_cast<uint32_t>(fp[U32(offset)])} * sizeof(uint64_t))
// A taken branch; going back (to a loop header) costs fuel for the loop's length.
#define JUMP(rel_expr)                                                                             \
    do {                                                                                           \
        int32_t rel_ = (rel_expr);                                                                 \
        ip += rel_;                                                                                \
        if (rel_ <= 0 && (fuel -= back_branch_fuel(rel_)) < 0) TRAP(FuelExhausted);                \
        NEXT();                                                                                    \
    } while (0)
#define LOAD_MEMORY(memory_expr)                                                                   \
    do {                                                                                           \
        Memory* memory_ = (memory_expr);                                                           \
        ctx->memory = memory_;                                                                     \
        memory_base = memory_ ? memory_->base : nullptr;                                           \
        memory_size = memory_ ? memory_->size : 0;                                                 \
    } while (0)

/// Room for one more call frame, up to the depth cap: the trap code when
/// there is none, or 0. Out of line: a call reaches it once per doubling.
[[gnu::noinline]] int more_frames(Context* ctx) {
    if (ctx->depth >= ctx->max_depth) return numeric::trap_code(TrapKind::CallStackExhausted);
    try {
        std::vector<Store::Impl::Frame>& frames = *ctx->frame_storage;
        size_t wanted = std::max<size_t>({frames.size() * 2, size_t{ctx->depth} + 1, 256});
        frames.resize(std::min<size_t>(wanted, ctx->max_depth));
        ctx->frames = frames.data();
        ctx->frame_capacity = static_cast<uint32_t>(frames.size());
        return 0;
    } catch (const std::bad_alloc&) {
        return numeric::trap_code(TrapKind::MemoryLimitExceeded);
    }
}

// Entering a wasm function whose arguments are at new_fp: its code, frame
// size, number of parameters and of declared locals are `entry`,
// `frame_size`, `params` and `zeroed`.
#define ENTER_CODE(callee, new_fp, return_ip, entry, frame_size, params, zeroed)                   \
    do {                                                                                           \
        uint64_t* nfp_ = (new_fp);                                                                 \
        if (ctx->depth >= ctx->frame_capacity || nfp_ + (frame_size) > ctx->stack_end)             \
            [[unlikely]] {                                                                         \
            if (nfp_ + (frame_size) > ctx->stack_end) TRAP(CallStackExhausted);                    \
            if (int trap_ = more_frames(ctx)) TRAP_CODE(trap_);                                    \
        }                                                                                          \
        zero_locals(nfp_ + (params), (zeroed));                                                    \
        ctx->frames[ctx->depth++] = {(return_ip), fp, ctx->current, ctx->memory};                  \
        fp = nfp_;                                                                                 \
        ctx->current = (callee);                                                                   \
        ip = (entry);                                                                              \
    } while (0)
#define ENTER_WASM(callee_expr, new_fp, return_ip)                                                 \
    do {                                                                                           \
        Function* callee_ = (callee_expr);                                                         \
        if (!callee_->compiled) ensure_compiled(*callee_);                                         \
        const CompiledCode& cc_ = *callee_->compiled;                                              \
        ENTER_CODE(callee_, new_fp, return_ip, cc_.code.data(), cc_.frame_size,                    \
                   callee_->num_params, cc_.num_locals - callee_->num_params);                     \
    } while (0)
// Entering any function, which may be the host's or another instance's.
#define ENTER(callee_expr, new_fp, return_ip)                                                      \
    do {                                                                                           \
        Function* callee_any_ = (callee_expr);                                                     \
        if (--fuel < 0) TRAP(FuelExhausted);                                                       \
        if (callee_any_->is_host()) {                                                              \
            if (!call_host(*callee_any_, (new_fp), ctx->memory, fuel, ctx->result.host_exception)) \
                TRAP(HostError);                                                                   \
            if (fuel < 0) TRAP(FuelExhausted);                                                     \
            ip = (return_ip);                                                                      \
            NEXT();                                                                                \
        }                                                                                          \
        ENTER_WASM(callee_any_, new_fp, return_ip);                                                \
        if (ctx->current->memory != ctx->memory) LOAD_MEMORY(ctx->current->memory);                \
        NEXT();                                                                                    \
    } while (0)

HANDLER(Unreachable) {
    TRAP(Unreachable);
}
HANDLER(Copy) {
    fp[U32(8)] = acc = fp[U32(12)];
    ip += 16;
    NEXT();
}
HANDLER(Const) {
    fp[U32(8)] = acc = U64(12);
    ip += 20;
    NEXT();
}
HANDLER(Br) {
    JUMP(REL(8));
}
#define WASMACRO_BRANCH_IF(name, condition)                                                        \
    HANDLER(name) {                                                                                \
        if (condition) JUMP(REL(12));                                                              \
        ip += 16;                                                                                  \
        NEXT();                                                                                    \
    }
WASMACRO_BRANCH_IF(BrIfNz, static_cast<uint32_t>(fp[U32(8)]) != 0)
WASMACRO_BRANCH_IF(BrIfZ, static_cast<uint32_t>(fp[U32(8)]) == 0)
WASMACRO_BRANCH_IF(AccBrIfNz, static_cast<uint32_t>(acc) != 0)
WASMACRO_BRANCH_IF(AccBrIfZ, static_cast<uint32_t>(acc) == 0)
#undef WASMACRO_BRANCH_IF
HANDLER(BrTable) {
    uint32_t index = static_cast<uint32_t>(fp[U32(8)]);
    uint32_t count = U32(12);
    if (index > count) index = count;
    JUMP(field<int32_t>(ip, 16 + 4 * size_t{index}));
}
// The entry function's return (at depth 0) ends the run, handing back the fuel.
#define RETURN()                                                                                   \
    do {                                                                                           \
        if (ctx->depth == 0) {                                                                     \
            ctx->result.fuel_left = fuel;                                                          \
            return;                                                                                \
        }                                                                                          \
        Store::Impl::Frame& frame = ctx->frames[--ctx->depth];                                     \
        ip = frame.return_ip;                                                                      \
        fp = frame.fp;                                                                             \
        ctx->current = frame.function;                                                             \
        /* Only a callee with another memory changes it: memory.grow on the */                     \
        /* same memory, whoever runs it, updates memory_size as it goes. */                        \
        if (frame.memory != ctx->memory) LOAD_MEMORY(frame.memory);                                \
        NEXT();                                                                                    \
    } while (0)
HANDLER(Return) {
    RETURN();
}
HANDLER(Return1) {
    fp[0] = fp[U32(8)];
    RETURN();
}
// Copies a call's arguments, whose source slots start at `sources`.
#define COPY_ARGUMENTS(sources)                                                                    \
    uint64_t* new_fp = fp + U32(16);                                                               \
    uint32_t count = U32(20);                                                                      \
    for (size_t i = 0; i < call_unrolled_arguments; ++i) new_fp[i] = fp[U32(sources + 4 * i)];     \
    for (uint32_t i = call_unrolled_arguments; i < count; ++i)                                     \
        new_fp[i] = fp[U32(sources + 4 * size_t{i})];                                              \
    const uint8_t* return_ip =                                                                     \
        ip + sources + 4 * size_t{std::max<uint32_t>(count, call_unrolled_arguments)};
HANDLER(Call) {
    COPY_ARGUMENTS(24);
    ENTER(PTR(Function, 8), new_fp, return_ip);
}
/// A CallLocal's first run: translates the callee if need be and fills in
/// the instruction's entry fields, then runs it again. Out of line, so the
/// hot path has no call to save registers for.
[[gnu::noinline]] HANDLER(CallLocalFirst) {
    Function& callee = *PTR(Function, 8);
    ensure_compiled(callee);
    const CompiledCode& cc = *callee.compiled;
    auto* instruction = const_cast<uint8_t*>(ip);
    const uint8_t* entry = cc.code.data();
    uint32_t zeroed = cc.num_locals - callee.num_params;
    std::memcpy(instruction + 24, &entry, sizeof entry);
    std::memcpy(instruction + 32, &cc.frame_size, 4);
    std::memcpy(instruction + 36, &zeroed, 4);
    NEXT();
}
HANDLER(CallLocal) {
    const uint8_t* entry = PTR(const uint8_t, 24);
    if (!entry) [[clang::musttail]]
        return H_CallLocalFirst(ip, fp, acc, memory_base, memory_size, fuel, ctx);
    COPY_ARGUMENTS(40);
    if (--fuel < 0) TRAP(FuelExhausted);
    ENTER_CODE(PTR(Function, 8), new_fp, return_ip, entry, U32(32), count, U32(36));
    NEXT();
}
HANDLER(CallIndirect) {
    Function* callee =
        indirect_callee(*PTR(Table, 8), static_cast<uint32_t>(fp[U32(20)]), U32(16), ctx->result);
    if (!callee) TRAP_CODE(numeric::trap_code(ctx->result.trap));
    ENTER(callee, fp + U32(24), ip + 28);
}
// A tail call: the arguments at fp + base move down to the frame's start
// and the callee runs in this frame, at this depth. A host callee runs as a
// call, its results going where this function's go, and this function returns.
#define TAIL_ENTER(callee_expr, base)                                                              \
    do {                                                                                           \
        Function* callee_ = (callee_expr);                                                         \
        uint64_t* arguments_ = fp + (base);                                                        \
        if (--fuel < 0) TRAP(FuelExhausted);                                                       \
        if (callee_->is_host()) {                                                                  \
            if (!call_host(*callee_, arguments_, ctx->memory, fuel, ctx->result.host_exception))   \
                TRAP(HostError);                                                                   \
            if (fuel < 0) TRAP(FuelExhausted);                                                     \
            std::memmove(fp, arguments_, callee_->num_results * sizeof(uint64_t));                 \
            RETURN();                                                                              \
        }                                                                                          \
        if (!callee_->compiled) ensure_compiled(*callee_);                                         \
        const CompiledCode& cc_ = *callee_->compiled;                                              \
        if (fp + cc_.frame_size > ctx->stack_end) TRAP(CallStackExhausted);                        \
        std::memmove(fp, arguments_, callee_->num_params * sizeof(uint64_t));                      \
        zero_locals(fp + callee_->num_params, cc_.num_locals - callee_->num_params);               \
        ctx->current = callee_;                                                                    \
        ip = cc_.code.data();                                                                      \
        if (callee_->memory != ctx->memory) LOAD_MEMORY(callee_->memory);                          \
        NEXT();                                                                                    \
    } while (0)
HANDLER(ReturnCall) {
    TAIL_ENTER(PTR(Function, 8), U32(16));
}
HANDLER(ReturnCallIndirect) {
    Function* callee =
        indirect_callee(*PTR(Table, 8), static_cast<uint32_t>(fp[U32(20)]), U32(16), ctx->result);
    if (!callee) TRAP_CODE(numeric::trap_code(ctx->result.trap));
    TAIL_ENTER(callee, U32(24));
}
HANDLER(Select) {
    fp[U32(8)] = static_cast<uint32_t>(fp[U32(20)]) ? fp[U32(12)] : fp[U32(16)];
    ip += 24;
    NEXT();
}
HANDLER(GlobalGet) {
    fp[U32(8)] = PTR(Global, 12)->value;
    ip += 20;
    NEXT();
}
HANDLER(GlobalSet) {
    PTR(Global, 8)->value = fp[U32(16)];
    ip += 20;
    NEXT();
}
HANDLER(GlobalAddI) {
    fp[U32(8)] = acc = static_cast<uint32_t>(PTR(Global, 12)->value + U32(20));
    ip += 24;
    NEXT();
}
HANDLER(GlobalBumpI) {
    Global* global = PTR(Global, 12);
    global->value = fp[U32(8)] = acc = static_cast<uint32_t>(global->value + U32(20));
    ip += 24;
    NEXT();
}
HANDLER(GlobalSetAddI) {
    PTR(Global, 8)->value = static_cast<uint32_t>(fp[U32(16)] + U32(20));
    ip += 24;
    NEXT();
}
HANDLER(MemorySize) {
    fp[U32(8)] = memory_size / page_size;
    ip += 12;
    NEXT();
}
HANDLER(MemoryGrow) {
    bool limit_exceeded = false;
    fp[U32(8)] = memory_grow(*ctx->memory, static_cast<uint32_t>(fp[U32(12)]),
                             ctx->max_memory_pages, limit_exceeded);
    if (limit_exceeded) TRAP(MemoryLimitExceeded);
    memory_size = ctx->memory->size;
    ip += 16;
    NEXT();
}
HANDLER(MemoryCopy) {
    uint64_t dst = static_cast<uint32_t>(fp[U32(8)]);
    uint64_t src = static_cast<uint32_t>(fp[U32(12)]);
    uint64_t n = static_cast<uint32_t>(fp[U32(16)]);
    CHARGE_BULK(n);
    if (src + n > memory_size || dst + n > memory_size) TRAP(MemoryOutOfBounds);
    std::memmove(memory_base + dst, memory_base + src, n);
    ip += 20;
    NEXT();
}
HANDLER(MemoryFill) {
    uint64_t dst = static_cast<uint32_t>(fp[U32(8)]);
    auto value = static_cast<uint8_t>(fp[U32(12)]);
    uint64_t n = static_cast<uint32_t>(fp[U32(16)]);
    CHARGE_BULK(n);
    if (dst + n > memory_size) TRAP(MemoryOutOfBounds);
    std::memset(memory_base + dst, value, n);
    ip += 20;
    NEXT();
}
HANDLER(MemoryInit) {
    CHARGE_BULK(static_cast<uint32_t>(fp[U32(20)]));
    if (!memory_init(ctx->current->instance->impl(), *ctx->memory, U32(8),
                     static_cast<uint32_t>(fp[U32(12)]), static_cast<uint32_t>(fp[U32(16)]),
                     static_cast<uint32_t>(fp[U32(20)])))
        TRAP(MemoryOutOfBounds);
    ip += 24;
    NEXT();
}
HANDLER(DataDrop) {
    ctx->current->instance->impl().data_dropped[U32(8)] = true;
    ip += 12;
    NEXT();
}
HANDLER(TableGet) {
    Table* table = PTR(Table, 12);
    uint32_t index = static_cast<uint32_t>(fp[U32(20)]);
    if (index >= table->elements.size()) TRAP(TableOutOfBounds);
    fp[U32(8)] = table->elements[index];
    ip += 24;
    NEXT();
}
HANDLER(TableSet) {
    Table* table = PTR(Table, 8);
    uint32_t index = static_cast<uint32_t>(fp[U32(16)]);
    if (index >= table->elements.size()) TRAP(TableOutOfBounds);
    table->elements[index] = fp[U32(20)];
    ip += 24;
    NEXT();
}
HANDLER(TableSize) {
    fp[U32(8)] = PTR(Table, 12)->elements.size();
    ip += 20;
    NEXT();
}
HANDLER(TableGrow) {
    CHARGE_ELEMENTS(24);
    fp[U32(8)] = table_grow(*PTR(Table, 12), fp[U32(20)], static_cast<uint32_t>(fp[U32(24)]));
    ip += 28;
    NEXT();
}
HANDLER(TableFill) {
    CHARGE_ELEMENTS(24);
    if (!table_fill(*PTR(Table, 8), static_cast<uint32_t>(fp[U32(16)]), fp[U32(20)],
                    static_cast<uint32_t>(fp[U32(24)])))
        TRAP(TableOutOfBounds);
    ip += 28;
    NEXT();
}
HANDLER(TableCopy) {
    CHARGE_ELEMENTS(32);
    if (!table_copy(*PTR(Table, 8), *PTR(Table, 16), static_cast<uint32_t>(fp[U32(24)]),
                    static_cast<uint32_t>(fp[U32(28)]), static_cast<uint32_t>(fp[U32(32)])))
        TRAP(TableOutOfBounds);
    ip += 36;
    NEXT();
}
HANDLER(TableInit) {
    CHARGE_ELEMENTS(28);
    if (!table_init(ctx->current->instance->impl(), *PTR(Table, 8), U32(16),
                    static_cast<uint32_t>(fp[U32(20)]), static_cast<uint32_t>(fp[U32(24)]),
                    static_cast<uint32_t>(fp[U32(28)])))
        TRAP(TableOutOfBounds);
    ip += 32;
    NEXT();
}
HANDLER(ElemDrop) {
    ctx->current->instance->impl().elements[U32(8)].clear();
    ip += 12;
    NEXT();
}
HANDLER(Fuel) {
    fuel -= U32(8);
    if (fuel < 0) TRAP(FuelExhausted);
    ip += 12;
    NEXT();
}
HANDLER(RefIsNull) {
    fp[U32(8)] = fp[U32(12)] == 0 ? 1 : 0;
    ip += 16;
    NEXT();
}

// Compare-and-branch with the first operand `a`; `size` is the instruction's length.
#define WASMACRO_COMPARE_BRANCH(name, compare, a, b, size)                                         \
    HANDLER(name) {                                                                                \
        int unused_trap = 0;                                                                       \
        if (numeric::eval_##compare(a, b, unused_trap)) JUMP(REL(size - 4));                       \
        ip += size;                                                                                \
        NEXT();                                                                                    \
    }
#define WASMACRO_X(name, negated)                                                                  \
    WASMACRO_COMPARE_BRANCH(BrIf_##name, name, fp[U32(8)], fp[U32(12)], 20)                        \
    WASMACRO_COMPARE_BRANCH(BrIfI_##name, name, fp[U32(8)], U64(12), 24)                           \
    WASMACRO_COMPARE_BRANCH(AccBrIf_##name, name, acc, fp[U32(12)], 20)                            \
    WASMACRO_COMPARE_BRANCH(AccBrIfI_##name, name, acc, U64(12), 24)
WASMACRO_FUSED_COMPARES(WASMACRO_X)
#undef WASMACRO_X

// A numeric instruction computing `expression`, which may trap through `t`.
#define WASMACRO_NUMERIC(name, expression, size)                                                   \
    HANDLER(name) {                                                                                \
        int t = 0;                                                                                 \
        uint64_t value = (expression);                                                             \
        if (t) TRAP_CODE(t);                                                                       \
        fp[U32(8)] = acc = value;                                                                  \
        ip += size;                                                                                \
        NEXT();                                                                                    \
    }
#define WASMACRO_HANDLER_Special(name)
#define WASMACRO_HANDLER_Const(name)
#define WASMACRO_HANDLER_Memory(name)
#define WASMACRO_HANDLER_Unary(name)                                                               \
    WASMACRO_NUMERIC(Un_##name, numeric::eval_##name(fp[U32(12)], t), 16)                          \
    WASMACRO_NUMERIC(AccUn_##name, numeric::eval_##name(acc, t), 16)
#define WASMACRO_HANDLER_Binary(name)                                                              \
    WASMACRO_NUMERIC(Bin_##name, numeric::eval_##name(fp[U32(12)], fp[U32(16)], t), 20)            \
    WASMACRO_NUMERIC(BinI_##name, numeric::eval_##name(fp[U32(12)], U64(16), t), 24)               \
    WASMACRO_NUMERIC(AccBin_##name, numeric::eval_##name(acc, fp[U32(16)], t), 20)                 \
    WASMACRO_NUMERIC(AccBinI_##name, numeric::eval_##name(acc, U64(16), t), 24)
// A load or store at `address`; `size` is the instruction's length.
#define WASMACRO_LOAD_AT(name, op, address, size)                                                  \
    WASMACRO_NUMERIC(name, load_##op(memory_base, memory_size, address, t), size)
#define WASMACRO_STORE_AT(name, op, address, value, size)                                          \
    HANDLER(name) {                                                                                \
        if (!store_##op(memory_base, memory_size, address, value)) TRAP(MemoryOutOfBounds);        \
        ip += size;                                                                                \
        NEXT();                                                                                    \
    }
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
    WASMACRO_LOAD_AT(Ld_##name, name, WASMACRO_ADDRESS(fp[U32(12)]), 20)                           \
    WASMACRO_LOAD_AT(LdA_##name, name, WASMACRO_ADDED_ADDRESS(fp[U32(12)]), 24)                    \
    WASMACRO_LOAD_AT(LdK_##name, name, U64(12), 20)                                                \
    WASMACRO_LOAD_AT(AccLd_##name, name, WASMACRO_ADDRESS(acc), 20)                                \
    WASMACRO_LOAD_AT(AccLdA_##name, name, WASMACRO_ADDED_ADDRESS(acc), 24)
#define WASMACRO_HANDLER_Store(name)                                                               \
    WASMACRO_STORE_AT(St_##name, name, WASMACRO_ADDRESS(fp[U32(8)]), fp[U32(12)], 20)              \
    WASMACRO_STORE_AT(StA_##name, name, WASMACRO_ADDED_ADDRESS(fp[U32(8)]), fp[U32(12)], 24)       \
    WASMACRO_STORE_AT(StK_##name, name, U64(12), fp[U32(8)], 20)                                   \
    WASMACRO_STORE_AT(AccSt_##name, name, WASMACRO_ADDRESS(fp[U32(8)]), acc, 20)                   \
    WASMACRO_STORE_AT(AccStA_##name, name, WASMACRO_ADDED_ADDRESS(fp[U32(8)]), acc, 24)            \
    WASMACRO_STORE_AT(AccStK_##name, name, U64(12), acc, 20)
// clang-format on
#define WASM_OP(name, prefix, code, text, kind, p1, p2, result, align) WASMACRO_HANDLER_##kind(name)
#include "wasm/opcodes.def"
#undef WASM_OP

// Ends a run of one instruction (see execute_one), handing back the fuel.
HANDLER(Stop) {
    ctx->fuel_left = fuel;
}

#define WASMACRO_ADDRESS_OF(name) reinterpret_cast<const void*>(&H_##name),
const void* const handler_table[] = {
#define WASMACRO_X(name) WASMACRO_ADDRESS_OF(name)
    WASMACRO_CONTROL_IOPS(WASMACRO_X)
#undef WASMACRO_X
#define WASMACRO_X(name, negated)                                                                  \
    WASMACRO_ADDRESS_OF(BrIf_##name)                                                               \
    WASMACRO_ADDRESS_OF(BrIfI_##name)                                                              \
    WASMACRO_ADDRESS_OF(AccBrIf_##name) WASMACRO_ADDRESS_OF(AccBrIfI_##name)
        WASMACRO_FUSED_COMPARES(WASMACRO_X)
#undef WASMACRO_X
#define WASM_OP(name, prefix, code, text, kind, p1, p2, result, align) WASMACRO_TABLE_##kind(name)
#define WASMACRO_TABLE_Special(name)
#define WASMACRO_TABLE_Const(name)
#define WASMACRO_TABLE_Memory(name)
#define WASMACRO_TABLE_Unary(name) WASMACRO_ADDRESS_OF(Un_##name) WASMACRO_ADDRESS_OF(AccUn_##name)
#define WASMACRO_TABLE_Binary(name)                                                                \
    WASMACRO_ADDRESS_OF(Bin_##name)                                                                \
    WASMACRO_ADDRESS_OF(BinI_##name)                                                               \
    WASMACRO_ADDRESS_OF(AccBin_##name) WASMACRO_ADDRESS_OF(AccBinI_##name)
#define WASMACRO_TABLE_Load(name)                                                                  \
    WASMACRO_ADDRESS_OF(Ld_##name)                                                                 \
    WASMACRO_ADDRESS_OF(LdA_##name)                                                                \
    WASMACRO_ADDRESS_OF(LdK_##name)                                                                \
    WASMACRO_ADDRESS_OF(AccLd_##name) WASMACRO_ADDRESS_OF(AccLdA_##name)
#define WASMACRO_TABLE_Store(name)                                                                 \
    WASMACRO_ADDRESS_OF(St_##name)                                                                 \
    WASMACRO_ADDRESS_OF(StA_##name)                                                                \
    WASMACRO_ADDRESS_OF(StK_##name)                                                                \
    WASMACRO_ADDRESS_OF(AccSt_##name)                                                              \
    WASMACRO_ADDRESS_OF(AccStA_##name) WASMACRO_ADDRESS_OF(AccStK_##name)
#include "wasm/opcodes.def"
#undef WASM_OP
};
static_assert(std::size(handler_table) == static_cast<size_t>(IOp::Count_));

} // namespace

const void* const* interpreter_handlers() {
    return handler_table;
}

int execute_one(const uint8_t* instruction, size_t size, uint64_t* fp, Function& current,
                uint32_t max_memory_pages, int64_t& fuel, ExecutionResult& result) {
    // The handler goes on to whatever follows its instruction, so it runs on
    // a copy followed by Stop.
    alignas(8) uint8_t copy[64];
    if (size + sizeof(Handler) > sizeof copy)
        throw Error(fmt::format("a {}-byte instruction cannot run on its own", size));
    std::memcpy(copy, instruction, size);
    Handler stop = &H_Stop;
    std::memcpy(copy + size, &stop, sizeof stop);
    Context ctx;
    ctx.current = &current;
    ctx.memory = current.memory;
    ctx.max_memory_pages = max_memory_pages;
    uint8_t* memory_base = ctx.memory ? ctx.memory->base : nullptr;
    uint64_t memory_size = ctx.memory ? ctx.memory->size : 0;
    field<Handler>(copy, 0)(copy, fp, 0, memory_base, memory_size, fuel, &ctx);
    if (ctx.result.element) result.element = ctx.result.element;
    if (!ctx.trap) fuel = ctx.fuel_left;
    return ctx.trap;
}

ExecutionResult execute(Store::Impl& store, Function& function, uint64_t* args_and_results) {
    Context ctx;
    auto trapped = [&](TrapKind kind) {
        ctx.result.trapped = true;
        ctx.result.trap = kind;
        ctx.result.trap_function = ctx.current;
        return ctx.result;
    };
    ctx.current = &function;
    if (function.is_host()) {
        int64_t fuel = initial_fuel(store.limits);
        if (!call_host(function, args_and_results, nullptr, fuel, ctx.result.host_exception))
            return trapped(TrapKind::HostError);
        if (fuel < 0) return trapped(TrapKind::FuelExhausted);
        ctx.result.fuel_left = fuel;
        return ctx.result;
    }
    if (store.jit) return jit_execute(store, function, args_and_results);
    const SandboxLimits& limits = store.limits;
    ctx.frame_storage = &store.frames;
    ctx.frames = store.frames.data();
    ctx.max_depth = limits.max_call_depth;
    ctx.frame_capacity =
        static_cast<uint32_t>(std::min<size_t>(store.frames.size(), ctx.max_depth));
    ctx.max_memory_pages = limits.max_memory_pages;
    ctx.stack_end = store.value_stack.get() + store.value_stack_size;

    // The entry is charged like a call: fuel first, then room for its frame.
    int64_t fuel = initial_fuel(limits);
    if (--fuel < 0) return trapped(TrapKind::FuelExhausted);
    if (!function.compiled) ensure_compiled(function);
    const CompiledCode& cc = *function.compiled;
    if (args_and_results + cc.frame_size > ctx.stack_end)
        return trapped(TrapKind::CallStackExhausted);
    zero_locals(args_and_results + function.num_params, cc.num_locals - function.num_params);
    ctx.memory = function.memory;
    uint8_t* memory_base = ctx.memory ? ctx.memory->base : nullptr;
    uint64_t memory_size = ctx.memory ? ctx.memory->size : 0;
    const uint8_t* ip = cc.code.data();
    field<Handler>(ip, 0)(ip, args_and_results, 0, memory_base, memory_size, fuel, &ctx);
    if (ctx.trap) return trapped(static_cast<TrapKind>(ctx.trap - 1));
    return ctx.result;
}

} // namespace wasmacro::wasm
