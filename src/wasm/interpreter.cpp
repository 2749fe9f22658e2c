// The interpreter: direct-threaded dispatch over the slot code of slot_code.hpp.
// Each instruction starts with its handler's address, and each handler is a
// function that ends by jumping to the next one (see HANDLER below). Wasm
// calls do not recurse in C++: frames live in Store::Impl, so call depth is
// bounded by a counter, not by the native stack.
#include "wasm/numeric.hpp"
#include "wasm/opcode.hpp"
#include "wasm/runtime.hpp"
#include "wasm/slot_code.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

namespace wasmacro::wasm {
namespace {} // namespace

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

[[gnu::noinline]] void ensure_translated(Function& function) {
    if (!function.slot_code) translate_function(function);
}

// Loads and stores, bounds-checked against the current memory size. Their
// width is their natural alignment (opcodes.def); a load extends the value
// to its result type, with a sign if its name ends in _s.
template <Op op>
uint64_t load(const uint8_t* base, uint64_t size, uint64_t address, int& trap) {
    constexpr const OpInfo& row = info(op);
    constexpr size_t width = size_t{1} << row.align_log2;
    if (address + width > size) {
        trap = numeric::trap_code(TrapKind::MemoryOutOfBounds);
        return 0;
    }
    uint64_t value = 0;
    std::memcpy(&value, base + address, width);
    if constexpr (width < 8 && row.text.ends_with("_s")) {
        constexpr unsigned unused_bits = 64 - 8 * width;
        value = static_cast<uint64_t>(static_cast<int64_t>(value << unused_bits) >> unused_bits);
    }
    if constexpr (row.result == OpType::I32 || row.result == OpType::F32)
        value = static_cast<uint32_t>(value);
    return value;
}
template <Op op>
bool store(uint8_t* base, uint64_t size, uint64_t address, uint64_t value) {
    constexpr size_t width = size_t{1} << info(op).align_log2;
    if (address + width > size) return false;
    std::memcpy(base + address, &value, width);
    return true;
}

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
    /// The values of the exception being raised (Store::Impl's buffer).
    std::vector<uint64_t>* exception_values = nullptr;
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
// (On wasm32 there are no registers to save: the convention does not exist.)
#if defined(__x86_64__) || defined(__aarch64__)
#define WASMACRO_PRESERVE_NONE __attribute__((preserve_none))
#else
#define WASMACRO_PRESERVE_NONE
#endif
typedef void(WASMACRO_PRESERVE_NONE* Handler)(WASMACRO_HANDLER_PARAMS);
#define HANDLER(name) WASMACRO_PRESERVE_NONE void H_##name(WASMACRO_HANDLER_PARAMS)
/// The handler at the start of the instruction at `ip`.
Handler handler_at(const uint8_t* ip) {
    Handler handler;
    std::memcpy(&handler, ip, sizeof handler);
    return handler;
}

#define NEXT()                                                                                     \
    [[clang::musttail]] return handler_at(ip)(ip, fp, acc, memory_base, memory_size, fuel, ctx)
#define TRAP_CODE(code)                                                                            \
    do {                                                                                           \
        ctx->trap = (code);                                                                        \
        return;                                                                                    \
    } while (0)
#define TRAP(kind) TRAP_CODE(numeric::trap_code(TrapKind::kind))
// A bulk instruction pays for the bytes it touches before it touches them;
// a table's element is 8 bytes, its count in the slot `count`.
#define CHARGE_BULK(bytes)                                                                         \
    do {                                                                                           \
        fuel -= bulk_fuel(bytes);                                                                  \
        if (fuel < 0) TRAP(FuelExhausted);                                                         \
    } while (0)
#define CHARGE_ELEMENTS(count)                                                                     \
    CHARGE_BULK(uint64_t{static_cast<uint32_t>(fp[count])} * sizeof(uint64_t))
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
        if (!callee_->slot_code) ensure_translated(*callee_);                                      \
        const SlotCode& cc_ = *callee_->slot_code;                                                 \
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
    const auto& in = slot::decode<slot::Copy>(ip);
    fp[in.dst] = acc = fp[in.src];
    ip += slot::fixed_size<slot::Copy>;
    NEXT();
}
HANDLER(Const) {
    const auto& in = slot::decode<slot::Const>(ip);
    fp[in.dst] = acc = in.value;
    ip += slot::fixed_size<slot::Const>;
    NEXT();
}
HANDLER(Br) {
    JUMP(slot::decode<slot::Br>(ip).rel);
}
#define WASMACRO_BRANCH_IF(name, condition)                                                        \
    HANDLER(name) {                                                                                \
        const auto& in = slot::decode<slot::BrIf>(ip);                                             \
        if (condition) JUMP(in.rel);                                                               \
        ip += slot::fixed_size<slot::BrIf>;                                                        \
        NEXT();                                                                                    \
    }
WASMACRO_BRANCH_IF(BrIfNz, static_cast<uint32_t>(fp[in.cond]) != 0)
WASMACRO_BRANCH_IF(BrIfZ, static_cast<uint32_t>(fp[in.cond]) == 0)
WASMACRO_BRANCH_IF(AccBrIfNz, static_cast<uint32_t>(acc) != 0)
WASMACRO_BRANCH_IF(AccBrIfZ, static_cast<uint32_t>(acc) == 0)
#undef WASMACRO_BRANCH_IF
HANDLER(BrTable) {
    const auto& in = slot::decode<slot::BrTable>(ip);
    uint32_t index = static_cast<uint32_t>(fp[in.index]);
    if (index > in.count) index = in.count;
    JUMP(slot::tail<slot::BrTable>(ip, index));
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
    fp[0] = fp[slot::decode<slot::Return1>(ip).src];
    RETURN();
}
// Copies the arguments of the call `in` (of layout L) into place.
#define COPY_ARGUMENTS(L)                                                                          \
    uint64_t* new_fp = fp + in.base;                                                               \
    uint32_t count = in.count;                                                                     \
    for (size_t i = 0; i < call_unrolled_arguments; ++i) new_fp[i] = fp[slot::tail<L>(ip, i)];     \
    for (uint32_t i = call_unrolled_arguments; i < count; ++i)                                     \
        new_fp[i] = fp[slot::tail<L>(ip, i)];                                                      \
    const uint8_t* return_ip = ip + slot::size<L>(ip);
HANDLER(Call) {
    const auto& in = slot::decode<slot::Call>(ip);
    COPY_ARGUMENTS(slot::Call);
    ENTER(in.callee.get(), new_fp, return_ip);
}
/// A CallLocal's first run: translates the callee if need be and fills in
/// the instruction's entry fields, then runs it again. Out of line, so the
/// hot path has no call to save registers for.
[[gnu::noinline]] HANDLER(CallLocalFirst) {
    Function& callee = *slot::decode<slot::CallLocal>(ip).callee;
    ensure_translated(callee);
    const SlotCode& cc = *callee.slot_code;
    auto* instruction = const_cast<uint8_t*>(ip);
    slot::CodeRef entry = cc.code.data();
    uint32_t zeroed = cc.num_locals - callee.num_params;
    std::memcpy(instruction + WASMACRO_SLOT_FIELD_OFFSET(CallLocal, entry), &entry, sizeof entry);
    std::memcpy(instruction + WASMACRO_SLOT_FIELD_OFFSET(CallLocal, frame_size), &cc.frame_size,
                sizeof cc.frame_size);
    std::memcpy(instruction + WASMACRO_SLOT_FIELD_OFFSET(CallLocal, zeroed), &zeroed,
                sizeof zeroed);
    NEXT();
}
HANDLER(CallLocal) {
    const auto& in = slot::decode<slot::CallLocal>(ip);
    if (!in.entry.get()) [[clang::musttail]]
        return H_CallLocalFirst(ip, fp, acc, memory_base, memory_size, fuel, ctx);
    COPY_ARGUMENTS(slot::CallLocal);
    if (--fuel < 0) TRAP(FuelExhausted);
    ENTER_CODE(in.callee.get(), new_fp, return_ip, in.entry.get(), in.frame_size, count, in.zeroed);
    NEXT();
}
HANDLER(CallIndirect) {
    const auto& in = slot::decode<slot::CallIndirect>(ip);
    Function* callee =
        indirect_callee(*in.table, static_cast<uint32_t>(fp[in.index]), in.type_id, ctx->result);
    if (!callee) TRAP_CODE(numeric::trap_code(ctx->result.trap));
    ENTER(callee, fp + in.base, ip + slot::fixed_size<slot::CallIndirect>);
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
        if (!callee_->slot_code) ensure_translated(*callee_);                                      \
        const SlotCode& cc_ = *callee_->slot_code;                                                 \
        if (fp + cc_.frame_size > ctx->stack_end) TRAP(CallStackExhausted);                        \
        std::memmove(fp, arguments_, callee_->num_params * sizeof(uint64_t));                      \
        zero_locals(fp + callee_->num_params, cc_.num_locals - callee_->num_params);               \
        ctx->current = callee_;                                                                    \
        ip = cc_.code.data();                                                                      \
        if (callee_->memory != ctx->memory) LOAD_MEMORY(callee_->memory);                          \
        NEXT();                                                                                    \
    } while (0)
HANDLER(ReturnCall) {
    const auto& in = slot::decode<slot::ReturnCall>(ip);
    TAIL_ENTER(in.callee.get(), in.base);
}
HANDLER(ReturnCallIndirect) {
    const auto& in = slot::decode<slot::CallIndirect>(ip);
    Function* callee =
        indirect_callee(*in.table, static_cast<uint32_t>(fp[in.index]), in.type_id, ctx->result);
    if (!callee) TRAP_CODE(numeric::trap_code(ctx->result.trap));
    TAIL_ENTER(callee, in.base);
}
HANDLER(Select) {
    const auto& in = slot::decode<slot::Select>(ip);
    fp[in.dst] = static_cast<uint32_t>(fp[in.cond]) ? fp[in.a] : fp[in.b];
    ip += slot::fixed_size<slot::Select>;
    NEXT();
}
HANDLER(GlobalGet) {
    const auto& in = slot::decode<slot::GlobalGet>(ip);
    fp[in.dst] = in.global->value;
    ip += slot::fixed_size<slot::GlobalGet>;
    NEXT();
}
HANDLER(GlobalSet) {
    const auto& in = slot::decode<slot::GlobalSet>(ip);
    in.global->value = fp[in.src];
    ip += slot::fixed_size<slot::GlobalSet>;
    NEXT();
}
HANDLER(GlobalAddI) {
    const auto& in = slot::decode<slot::GlobalAddI>(ip);
    fp[in.dst] = acc = static_cast<uint32_t>(in.global->value + in.added);
    ip += slot::fixed_size<slot::GlobalAddI>;
    NEXT();
}
HANDLER(GlobalBumpI) {
    const auto& in = slot::decode<slot::GlobalAddI>(ip);
    Global* global = in.global.get();
    global->value = fp[in.dst] = acc = static_cast<uint32_t>(global->value + in.added);
    ip += slot::fixed_size<slot::GlobalAddI>;
    NEXT();
}
HANDLER(GlobalSetAddI) {
    const auto& in = slot::decode<slot::GlobalSetAddI>(ip);
    in.global->value = static_cast<uint32_t>(fp[in.src] + in.added);
    ip += slot::fixed_size<slot::GlobalSetAddI>;
    NEXT();
}
HANDLER(MemorySize) {
    fp[slot::decode<slot::MemorySize>(ip).dst] = memory_size / page_size;
    ip += slot::fixed_size<slot::MemorySize>;
    NEXT();
}
HANDLER(MemoryGrow) {
    const auto& in = slot::decode<slot::MemoryGrow>(ip);
    bool limit_exceeded = false;
    fp[in.dst] = memory_grow(*ctx->memory, static_cast<uint32_t>(fp[in.delta]),
                             ctx->max_memory_pages, limit_exceeded);
    if (limit_exceeded) TRAP(MemoryLimitExceeded);
    memory_size = ctx->memory->size;
    ip += slot::fixed_size<slot::MemoryGrow>;
    NEXT();
}
// The u32 operand in the slot `index` names.
#define OPERAND(index) static_cast<uint32_t>(fp[index])
HANDLER(MemoryCopy) {
    const auto& in = slot::decode<slot::MemoryCopy>(ip);
    uint64_t to = OPERAND(in.to), from = OPERAND(in.from), n = OPERAND(in.n);
    CHARGE_BULK(n);
    if (from + n > memory_size || to + n > memory_size) TRAP(MemoryOutOfBounds);
    std::memmove(memory_base + to, memory_base + from, n);
    ip += slot::fixed_size<slot::MemoryCopy>;
    NEXT();
}
HANDLER(MemoryFill) {
    const auto& in = slot::decode<slot::MemoryFill>(ip);
    uint64_t to = OPERAND(in.to), n = OPERAND(in.n);
    CHARGE_BULK(n);
    if (to + n > memory_size) TRAP(MemoryOutOfBounds);
    std::memset(memory_base + to, static_cast<uint8_t>(fp[in.value]), n);
    ip += slot::fixed_size<slot::MemoryFill>;
    NEXT();
}
HANDLER(MemoryInit) {
    const auto& in = slot::decode<slot::MemoryInit>(ip);
    CHARGE_BULK(OPERAND(in.n));
    if (!memory_init(ctx->current->instance->impl(), *ctx->memory, in.segment, OPERAND(in.to),
                     OPERAND(in.from), OPERAND(in.n)))
        TRAP(MemoryOutOfBounds);
    ip += slot::fixed_size<slot::MemoryInit>;
    NEXT();
}
HANDLER(DataDrop) {
    ctx->current->instance->impl().data_dropped[slot::decode<slot::SegmentDrop>(ip).segment] = true;
    ip += slot::fixed_size<slot::SegmentDrop>;
    NEXT();
}
HANDLER(TableGet) {
    const auto& in = slot::decode<slot::TableGet>(ip);
    Table* table = in.table.get();
    uint32_t index = OPERAND(in.index);
    if (index >= table->elements.size()) TRAP(TableOutOfBounds);
    fp[in.dst] = table->elements[index];
    ip += slot::fixed_size<slot::TableGet>;
    NEXT();
}
HANDLER(TableSet) {
    const auto& in = slot::decode<slot::TableSet>(ip);
    Table* table = in.table.get();
    uint32_t index = OPERAND(in.index);
    if (index >= table->elements.size()) TRAP(TableOutOfBounds);
    table->elements[index] = fp[in.value];
    ip += slot::fixed_size<slot::TableSet>;
    NEXT();
}
HANDLER(TableSize) {
    const auto& in = slot::decode<slot::TableSize>(ip);
    fp[in.dst] = in.table->elements.size();
    ip += slot::fixed_size<slot::TableSize>;
    NEXT();
}
HANDLER(TableGrow) {
    const auto& in = slot::decode<slot::TableGrow>(ip);
    CHARGE_ELEMENTS(in.delta);
    fp[in.dst] = table_grow(*in.table, fp[in.init], OPERAND(in.delta));
    ip += slot::fixed_size<slot::TableGrow>;
    NEXT();
}
HANDLER(TableFill) {
    const auto& in = slot::decode<slot::TableFill>(ip);
    CHARGE_ELEMENTS(in.n);
    if (!table_fill(*in.table, OPERAND(in.at), fp[in.value], OPERAND(in.n))) TRAP(TableOutOfBounds);
    ip += slot::fixed_size<slot::TableFill>;
    NEXT();
}
HANDLER(TableCopy) {
    const auto& in = slot::decode<slot::TableCopy>(ip);
    CHARGE_ELEMENTS(in.n);
    if (!table_copy(*in.to_table, *in.from_table, OPERAND(in.to), OPERAND(in.from), OPERAND(in.n)))
        TRAP(TableOutOfBounds);
    ip += slot::fixed_size<slot::TableCopy>;
    NEXT();
}
HANDLER(TableInit) {
    const auto& in = slot::decode<slot::TableInit>(ip);
    CHARGE_ELEMENTS(in.n);
    if (!table_init(ctx->current->instance->impl(), *in.table, in.segment, OPERAND(in.to),
                    OPERAND(in.from), OPERAND(in.n)))
        TRAP(TableOutOfBounds);
    ip += slot::fixed_size<slot::TableInit>;
    NEXT();
}
#undef OPERAND
HANDLER(ElemDrop) {
    ctx->current->instance->impl().elements[slot::decode<slot::SegmentDrop>(ip).segment].clear();
    ip += slot::fixed_size<slot::SegmentDrop>;
    NEXT();
}
HANDLER(Fuel) {
    fuel -= slot::decode<slot::Fuel>(ip).units;
    if (fuel < 0) TRAP(FuelExhausted);
    ip += slot::fixed_size<slot::Fuel>;
    NEXT();
}
/// The innermost try region of `code` around `offset`, or -1, counting the
/// regions it looked at in `examined`.
int32_t innermost_region(const SlotCode& code, uint32_t offset, int64_t& examined) {
    for (size_t i = code.try_regions.size(); i-- > 0;) {
        ++examined;
        const TryRegion& region = code.try_regions[i];
        if (region.start <= offset && offset < region.end) return static_cast<int32_t>(i);
    }
    return -1;
}

/// Finds the catch clause for an exception of `tag` (its values in
/// ctx->exception_values) raised by the instruction at `at` of the current
/// function, unwinding the frames that have none; puts the exception and its
/// values where the clause expects them and returns the clause's code, with
/// ctx and `fp` those of its function. Null when no clause takes it (ctx is
/// then the entry function's), or when the search used up the fuel: a unit
/// a frame, and one per 16 regions and clauses looked at, so that a module
/// with thousands of try blocks on a deep stack pays for its throws.
[[gnu::noinline]] const uint8_t* unwind(Context* ctx, const uint8_t* at, uint64_t*& fp,
                                        const Tag* tag, int64_t& fuel) {
    const std::vector<uint64_t>& values = *ctx->exception_values;
    for (;;) {
        const SlotCode& code = *ctx->current->slot_code;
        auto offset = static_cast<uint32_t>(at - code.code.data());
        int64_t examined = 0;
        for (int32_t index = innermost_region(code, offset, examined); index >= 0;) {
            const TryRegion& region = code.try_regions[index];
            for (const TryRegion::Clause& clause : region.clauses) {
                ++examined;
                if (clause.tag && clause.tag != tag) continue;
                fuel -= examined / 16;
                fp[region.exception_slot] = reinterpret_cast<uintptr_t>(tag);
                std::copy(values.begin(), values.end(), fp + region.exception_slot + 1);
                if (clause.tag) std::copy(values.begin(), values.end(), fp + region.values_slot);
                return code.code.data() + clause.handler;
            }
            index = region.outer;
        }
        fuel -= 1 + examined / 16;
        if (ctx->depth == 0 || fuel < 0) return nullptr;
        const Store::Impl::Frame& frame = ctx->frames[--ctx->depth];
        at = frame.return_ip - 1; // within the call
        fp = frame.fp;
        ctx->current = frame.function;
        ctx->memory = frame.memory;
    }
}
// Raises an exception of `tag` whose values are in ctx->exception_values.
#define RAISE(tag_expr)                                                                            \
    do {                                                                                           \
        --fuel;                                                                                    \
        ip = unwind(ctx, ip, fp, (tag_expr), fuel);                                                \
        if (fuel < 0) TRAP(FuelExhausted);                                                         \
        if (!ip) TRAP(UncaughtException);                                                          \
        LOAD_MEMORY(ctx->memory);                                                                  \
        NEXT();                                                                                    \
    } while (0)
HANDLER(Throw) {
    const auto& in = slot::decode<slot::Throw>(ip);
    const Tag* tag = ctx->current->instance->impl().tags[in.tag];
    const uint64_t* values = fp + in.base;
    ctx->exception_values->assign(values, values + tag->type->params.size());
    RAISE(tag);
}
HANDLER(Rethrow) {
    const uint64_t* kept = fp + slot::decode<slot::Rethrow>(ip).exception;
    const auto* tag = reinterpret_cast<const Tag*>(static_cast<uintptr_t>(kept[0]));
    ctx->exception_values->assign(kept + 1, kept + 1 + tag->type->params.size());
    RAISE(tag);
}
#undef RAISE
HANDLER(RefIsNull) {
    const auto& in = slot::decode<slot::RefIsNull>(ip);
    fp[in.dst] = fp[in.src] == 0 ? 1 : 0;
    ip += slot::fixed_size<slot::RefIsNull>;
    NEXT();
}

// Compare-and-branch (of layout L) with the operands `a` and `b`.
#define WASMACRO_COMPARE_BRANCH(name, compare, L, a, b)                                            \
    HANDLER(name) {                                                                                \
        const auto& in = slot::decode<L>(ip);                                                      \
        int unused_trap = 0;                                                                       \
        if (numeric::eval_##compare(a, b, unused_trap)) JUMP(in.rel);                              \
        ip += slot::fixed_size<L>;                                                                 \
        NEXT();                                                                                    \
    }
#define WASMACRO_X(name, negated)                                                                  \
    WASMACRO_COMPARE_BRANCH(BrIf_##name, name, slot::BrIfCompare, fp[in.a], fp[in.b])              \
    WASMACRO_COMPARE_BRANCH(BrIfI_##name, name, slot::BrIfCompareI, fp[in.a], in.imm)              \
    WASMACRO_COMPARE_BRANCH(AccBrIf_##name, name, slot::BrIfCompare, acc, fp[in.b])                \
    WASMACRO_COMPARE_BRANCH(AccBrIfI_##name, name, slot::BrIfCompareI, acc, in.imm)
WASMACRO_FUSED_COMPARES(WASMACRO_X)
#undef WASMACRO_X

// A numeric instruction (of layout L) computing `expression`, which may trap through `t`.
#define WASMACRO_NUMERIC(name, L, expression)                                                      \
    HANDLER(name) {                                                                                \
        const auto& in = slot::decode<L>(ip);                                                      \
        int t = 0;                                                                                 \
        uint64_t value = (expression);                                                             \
        if (t) TRAP_CODE(t);                                                                       \
        fp[in.dst] = acc = value;                                                                  \
        ip += slot::fixed_size<L>;                                                                 \
        NEXT();                                                                                    \
    }
#define WASMACRO_HANDLER_Special(name)
#define WASMACRO_HANDLER_Const(name)
#define WASMACRO_HANDLER_Memory(name)
#define WASMACRO_HANDLER_Unary(name)                                                               \
    WASMACRO_NUMERIC(Un_##name, slot::Un, numeric::eval_##name(fp[in.a], t))                       \
    WASMACRO_NUMERIC(AccUn_##name, slot::Un, numeric::eval_##name(acc, t))
#define WASMACRO_HANDLER_Binary(name)                                                              \
    WASMACRO_NUMERIC(Bin_##name, slot::Bin, numeric::eval_##name(fp[in.a], fp[in.b], t))           \
    WASMACRO_NUMERIC(BinI_##name, slot::BinI, numeric::eval_##name(fp[in.a], in.imm, t))           \
    WASMACRO_NUMERIC(AccBin_##name, slot::Bin, numeric::eval_##name(acc, fp[in.b], t))             \
    WASMACRO_NUMERIC(AccBinI_##name, slot::BinI, numeric::eval_##name(acc, in.imm, t))
// A load or store at `address`.
#define WASMACRO_LOAD_AT(name, op, L, address)                                                     \
    WASMACRO_NUMERIC(name, L, load<Op::op>(memory_base, memory_size, address, t))
#define WASMACRO_STORE_AT(name, op, L, address, value)                                             \
    HANDLER(name) {                                                                                \
        const auto& in = slot::decode<L>(ip);                                                      \
        if (!store<Op::op>(memory_base, memory_size, address, value)) TRAP(MemoryOutOfBounds);     \
        ip += slot::fixed_size<L>;                                                                 \
        NEXT();                                                                                    \
    }
// The address forms: a slot plus the offset; a slot plus an added constant
// (wrapping at 32 bits, as the fused i32.add would) plus the offset; a constant.
#define WASMACRO_ADDRESS(base)                                                                     \
    static_cast<uint32_t>(base) + uint64_t {                                                       \
        in.offset                                                                                  \
    }
#define WASMACRO_ADDED_ADDRESS(base)                                                               \
    static_cast<uint32_t>((base) + in.added) + uint64_t {                                          \
        in.offset                                                                                  \
    }
// clang-format off
#define WASMACRO_HANDLER_Load(name)                                                                \
    WASMACRO_LOAD_AT(Ld_##name, name, slot::Ld, WASMACRO_ADDRESS(fp[in.address]))                  \
    WASMACRO_LOAD_AT(LdA_##name, name, slot::LdA, WASMACRO_ADDED_ADDRESS(fp[in.base]))             \
    WASMACRO_LOAD_AT(LdK_##name, name, slot::LdK, in.address)                                      \
    WASMACRO_LOAD_AT(AccLd_##name, name, slot::Ld, WASMACRO_ADDRESS(acc))                          \
    WASMACRO_LOAD_AT(AccLdA_##name, name, slot::LdA, WASMACRO_ADDED_ADDRESS(acc))
#define WASMACRO_HANDLER_Store(name)                                                               \
    WASMACRO_STORE_AT(St_##name, name, slot::St, WASMACRO_ADDRESS(fp[in.address]), fp[in.value])   \
    WASMACRO_STORE_AT(StA_##name, name, slot::StA, WASMACRO_ADDED_ADDRESS(fp[in.base]), fp[in.value]) \
    WASMACRO_STORE_AT(StK_##name, name, slot::StK, in.address, fp[in.value])                       \
    WASMACRO_STORE_AT(AccSt_##name, name, slot::St, WASMACRO_ADDRESS(fp[in.address]), acc)         \
    WASMACRO_STORE_AT(AccStA_##name, name, slot::StA, WASMACRO_ADDED_ADDRESS(fp[in.base]), acc)    \
    WASMACRO_STORE_AT(AccStK_##name, name, slot::StK, in.address, acc)
// clang-format on
#define WASM_OP(name, prefix, code, text, kind, p1, p2, result, align) WASMACRO_HANDLER_##kind(name)
#include "wasm/opcodes.def"
#undef WASM_OP

// Ends a run of one instruction (see execute_one), handing back the fuel.
HANDLER(Stop) {
    ctx->fuel_left = fuel;
}

const void* const handler_table[] = {
#define WASMACRO_IOP(name, layout, acc, op) reinterpret_cast<const void*>(&H_##name),
#include "wasm/slot_code_ops.inc"
#undef WASMACRO_IOP
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
    handler_at(copy)(copy, fp, 0, memory_base, memory_size, fuel, &ctx);
    if (ctx.result.element) result.element = ctx.result.element;
    if (!ctx.trap) fuel = ctx.fuel_left;
    return ctx.trap;
}

ExecutionResult interpret(Store::Impl& store, Function& function, uint64_t* args_and_results) {
    Context ctx;
    auto trapped = [&](TrapKind kind) {
        ctx.result.trapped = true;
        ctx.result.trap = kind;
        ctx.result.trap_function = ctx.current;
        return ctx.result;
    };
    ctx.current = &function;
    const SandboxLimits& limits = store.limits;
    ctx.frame_storage = &store.frames;
    ctx.frames = store.frames.data();
    ctx.max_depth = limits.max_call_depth;
    ctx.frame_capacity =
        static_cast<uint32_t>(std::min<size_t>(store.frames.size(), ctx.max_depth));
    ctx.max_memory_pages = limits.max_memory_pages;
    ctx.stack_end = store.value_stack.get() + store.value_stack_size;
    ctx.exception_values = &store.exception_values;

    // The entry is charged like a call: fuel first, then room for its frame.
    int64_t fuel = initial_fuel(limits);
    if (--fuel < 0) return trapped(TrapKind::FuelExhausted);
    if (!function.slot_code) ensure_translated(function);
    const SlotCode& cc = *function.slot_code;
    if (args_and_results + cc.frame_size > ctx.stack_end)
        return trapped(TrapKind::CallStackExhausted);
    zero_locals(args_and_results + function.num_params, cc.num_locals - function.num_params);
    ctx.memory = function.memory;
    uint8_t* memory_base = ctx.memory ? ctx.memory->base : nullptr;
    uint64_t memory_size = ctx.memory ? ctx.memory->size : 0;
    const uint8_t* ip = cc.code.data();
    handler_at(ip)(ip, args_and_results, 0, memory_base, memory_size, fuel, &ctx);
    if (ctx.trap) return trapped(static_cast<TrapKind>(ctx.trap - 1));
    return ctx.result;
}

} // namespace wasmacro::wasm
