// The compiling tier. A function's slot code (slot_code.hpp), translated on its
// first call as for the interpreter, becomes x86-64 code that does what each
// instruction's handler does, with no dispatch and with the immediates in the
// instructions. Values stay in the same frame slots, so both tiers share the
// translator and its fusions; rare instructions (tables, bulk memory) run
// through the interpreter's own handler (execute_one).
//
// Registers while compiled code runs:
//   rbx  fp, the current frame          r12  memory base    r13  memory size
//   r14  fuel left (signed)             r15  JitRegs*       rbp  calls left
//   rax  the accumulator (slot_code.hpp): every instruction that fills it in the
//        interpreter leaves its result in rax
// A wasm call is a native call: the caller moves rbx up to the callee's frame
// and back, and the callee saves nothing. A trap jumps to the innermost
// trampoline from C++ (enter), which resets the native stack; C++ helpers
// called from compiled code never throw.
#include "wasm/x64_compile.hpp"

#include "wasm/numeric.hpp"
#include "wasm/opcode.hpp"
#include "wasm/slot_code.hpp"
#include "wasm/x64.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <unordered_map>

#if defined(__x86_64__) && defined(__linux__)
#define WASMACRO_JIT 1
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace wasmacro::wasm {

namespace {

using namespace x64;

/// What compiled code and its helpers share; r15 points here. Fields that
/// machine code reads are at the front, at fixed offsets.
struct JitRegs {
    uint64_t entry_rsp = 0; ///< the innermost trampoline's stack, for traps
    int64_t fuel = 0;       ///< r14 while C++ runs
    uintptr_t native_limit = 0;
    uint64_t* stack_end = nullptr;
    uint8_t* memory_base = nullptr; ///< r12 and r13 for the next trampoline
    uint64_t memory_size = 0;
    int32_t trap = 0;                  ///< numeric::trap_code of the trap, or 0
    uint32_t remaining_depth = 0;      ///< rbp while C++ runs
    const Function* current = nullptr; ///< where the trap happened
    Store::Impl* store = nullptr;
    ExecutionResult* result = nullptr;
};
constexpr int32_t at(size_t offset) {
    return static_cast<int32_t>(offset);
}
constexpr Mem regs_field(size_t offset) {
    return {R15, at(offset)};
}
const Mem regs_trap = regs_field(offsetof(JitRegs, trap));
const Mem regs_fuel = regs_field(offsetof(JitRegs, fuel));
const Mem regs_depth = regs_field(offsetof(JitRegs, remaining_depth));
const Mem regs_current = regs_field(offsetof(JitRegs, current));
const Mem regs_entry_rsp = regs_field(offsetof(JitRegs, entry_rsp));

using EnterFn = void (*)(JitRegs*, const void* code, uint64_t* fp);

// --- what each internal instruction is ---

/// What the compiler needs of an instruction beyond its layout: whether it
/// reads the accumulator, and the wasm instruction it computes (a relation's
/// Op, or I32And for a bit test, which branches when nonzero, or when zero).
struct IOpInfo {
    Layout layout = Layout::Bare;
    bool acc = false;
    Op op = Op::Nop;
    bool bit_test_zero = false;
};
constexpr size_t iop_count = static_cast<size_t>(IOp::Count_);
constexpr size_t index(IOp op) {
    return static_cast<size_t>(op);
}

const std::array<IOpInfo, iop_count> iop_infos = [] {
    std::array<IOpInfo, iop_count> t{{
#define WASMACRO_IOP(name, layout, acc, op) {Layout::layout, acc, Op::op, false},
#include "wasm/slot_code_ops.inc"
#undef WASMACRO_IOP
    }};
    for (IOp zero :
         {IOp::BrIf_I32AndZ, IOp::BrIfI_I32AndZ, IOp::AccBrIf_I32AndZ, IOp::AccBrIfI_I32AndZ})
        t[index(zero)].bit_test_zero = true;
    return t;
}();

// clang-format off
using UnaryEval = uint64_t (*)(uint64_t, int&);
using BinaryEval = uint64_t (*)(uint64_t, uint64_t, int&);
/// numeric.hpp's evaluator of each Unary or Binary operator, for those the
/// compiler calls instead of inlining.
const std::array<const void*, static_cast<size_t>(Op::Count_)> evaluators = [] {
    std::array<const void*, static_cast<size_t>(Op::Count_)> t{};
#define WASMACRO_EVAL_Special(name)
#define WASMACRO_EVAL_Const(name)
#define WASMACRO_EVAL_Memory(name)
#define WASMACRO_EVAL_Load(name)
#define WASMACRO_EVAL_Store(name)
#define WASMACRO_EVAL_Unary(name) t[static_cast<size_t>(Op::name)] = reinterpret_cast<const void*>(static_cast<UnaryEval>(&numeric::eval_##name));
#define WASMACRO_EVAL_Binary(name) t[static_cast<size_t>(Op::name)] = reinterpret_cast<const void*>(static_cast<BinaryEval>(&numeric::eval_##name));
#define WASM_OP(name, prefix, code, text, kind, p1, p2, result, align) WASMACRO_EVAL_##kind(name)
#include "wasm/opcodes.def"
#undef WASM_OP
    return t;
}();
// clang-format on

/// A relation's condition and width: for an i32 or i64 comparison.
struct Relation {
    Cond cond;
    bool wide;
};
std::optional<Relation> relation(Op op) {
    switch (op) {
    case Op::I32Eq: return Relation{E, false};
    case Op::I32Ne: return Relation{NE, false};
    case Op::I32LtS: return Relation{L, false};
    case Op::I32LtU: return Relation{B, false};
    case Op::I32GtS: return Relation{G, false};
    case Op::I32GtU: return Relation{A, false};
    case Op::I32LeS: return Relation{LE, false};
    case Op::I32LeU: return Relation{BE, false};
    case Op::I32GeS: return Relation{GE, false};
    case Op::I32GeU: return Relation{AE, false};
    case Op::I64Eq: return Relation{E, true};
    case Op::I64Ne: return Relation{NE, true};
    case Op::I64LtS: return Relation{L, true};
    case Op::I64LtU: return Relation{B, true};
    case Op::I64GtS: return Relation{G, true};
    case Op::I64GtU: return Relation{A, true};
    case Op::I64LeS: return Relation{LE, true};
    case Op::I64LeU: return Relation{BE, true};
    case Op::I64GeS: return Relation{GE, true};
    case Op::I64GeU: return Relation{AE, true};
    default: return std::nullopt;
    }
}

/// An integer operator that compiles to one x86 instruction.
struct Arithmetic {
    enum Kind : uint8_t { None, AluOp, Mul, ShiftOp } kind = None;
    bool wide = false;
    Alu alu = ADD;
    Shift shift = SHL;
};
Arithmetic arithmetic(Op op) {
    switch (op) {
    case Op::I32Add: return {Arithmetic::AluOp, false, ADD};
    case Op::I32Sub: return {Arithmetic::AluOp, false, SUB};
    case Op::I32And: return {Arithmetic::AluOp, false, AND};
    case Op::I32Or: return {Arithmetic::AluOp, false, OR};
    case Op::I32Xor: return {Arithmetic::AluOp, false, XOR};
    case Op::I32Mul: return {Arithmetic::Mul, false};
    case Op::I32Shl: return {Arithmetic::ShiftOp, false, ADD, SHL};
    case Op::I32ShrS: return {Arithmetic::ShiftOp, false, ADD, SAR};
    case Op::I32ShrU: return {Arithmetic::ShiftOp, false, ADD, SHR};
    case Op::I32Rotl: return {Arithmetic::ShiftOp, false, ADD, ROL};
    case Op::I32Rotr: return {Arithmetic::ShiftOp, false, ADD, ROR};
    case Op::I64Add: return {Arithmetic::AluOp, true, ADD};
    case Op::I64Sub: return {Arithmetic::AluOp, true, SUB};
    case Op::I64And: return {Arithmetic::AluOp, true, AND};
    case Op::I64Or: return {Arithmetic::AluOp, true, OR};
    case Op::I64Xor: return {Arithmetic::AluOp, true, XOR};
    case Op::I64Mul: return {Arithmetic::Mul, true};
    case Op::I64Shl: return {Arithmetic::ShiftOp, true, ADD, SHL};
    case Op::I64ShrS: return {Arithmetic::ShiftOp, true, ADD, SAR};
    case Op::I64ShrU: return {Arithmetic::ShiftOp, true, ADD, SHR};
    case Op::I64Rotl: return {Arithmetic::ShiftOp, true, ADD, ROL};
    case Op::I64Rotr: return {Arithmetic::ShiftOp, true, ADD, ROR};
    default: return {};
    }
}

/// A load's or store's width in bytes: its natural alignment.
uint32_t access_size(Op op) {
    return 1u << info(op).align_log2;
}

// --- helpers that compiled code calls (System V convention, never throwing) ---

/// Where the machine stack is now: the frame's address, since a local's may
/// be on AddressSanitizer's heap-allocated fake stack.
uintptr_t stack_position() {
    return reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
}

int record_trap(JitRegs* regs, TrapKind kind, const Function* where) {
    regs->trap = numeric::trap_code(kind);
    regs->current = where;
    return regs->trap;
}
int record_exception(JitRegs* regs, const Function* where) {
    regs->result->host_exception = std::current_exception();
    return record_trap(regs, TrapKind::HostError, where);
}

void* compile(JitCode& jit, Function& function);

/// Translates and compiles a wasm function if that has not happened yet.
/// Null when that failed (out of memory), with the trap recorded.
void* compiled_entry(JitRegs* regs, Function& function) {
    if (function.jit_compiled) return function.jit_entry;
    try {
        return compile(*regs->store->jit, function);
    } catch (...) {
        record_exception(regs, &function);
        return nullptr;
    }
}

/// Runs compiled code from C++ through the trampoline; the trap code, or 0.
/// UBSan's check of indirect calls reads a signature before the callee,
/// which machine code made here does not have.
__attribute__((no_sanitize("function"))) int enter(JitRegs* regs, Function& function,
                                                   uint64_t* fp) {
    void* code = compiled_entry(regs, function);
    if (!code) return regs->trap;
    if (fp + function.slot_code->frame_size > regs->stack_end)
        return record_trap(regs, TrapKind::CallStackExhausted, regs->current);
    regs->memory_base = function.memory ? function.memory->base : nullptr;
    regs->memory_size = function.memory ? function.memory->size : 0;
    reinterpret_cast<EnterFn>(regs->store->jit->enter)(regs, code, fp);
    return regs->trap;
}

/// The lazy stub's helper: the callee's code, compiled now.
void* lazy_compile_helper(JitRegs* regs, Function* callee) {
    return compiled_entry(regs, *callee);
}

/// A call that compiled code does not make directly: a host function, or a
/// function of another instance, whose arguments are at new_fp.
int call_any(JitRegs* regs, Function* callee, uint64_t* new_fp, Function* caller) {
    if (--regs->fuel < 0) return record_trap(regs, TrapKind::FuelExhausted, caller);
    if (callee->is_host()) {
        if (!call_host(*callee, new_fp, caller->memory, regs->fuel, regs->result->host_exception))
            return record_trap(regs, TrapKind::HostError, caller);
        if (regs->fuel < 0) return record_trap(regs, TrapKind::FuelExhausted, caller);
        return 0;
    }
    if (regs->remaining_depth == 0) return record_trap(regs, TrapKind::CallStackExhausted, caller);
    if (stack_position() < regs->native_limit)
        return record_trap(regs, TrapKind::MachineStackExhausted, caller);
    regs->current = caller; // where a stack overflow on entry is reported
    --regs->remaining_depth;
    int trap = enter(regs, *callee, new_fp);
    ++regs->remaining_depth;
    return trap;
}

/// The callee of a CallIndirect or ReturnCallIndirect, and where its
/// arguments start; null after a trap.
Function* indirect_target(JitRegs* regs, const uint8_t* instruction, uint64_t* fp, Function* caller,
                          uint32_t& base) {
    const auto& in = slot::decode<slot::CallIndirect>(instruction);
    base = in.base;
    Function* callee =
        indirect_callee(*in.table, static_cast<uint32_t>(fp[in.index]), in.type_id, *regs->result);
    if (!callee) record_trap(regs, regs->result->trap, caller);
    return callee;
}

int call_indirect_helper(JitRegs* regs, const uint8_t* instruction, uint64_t* fp,
                         Function* caller) {
    uint32_t base;
    Function* callee = indirect_target(regs, instruction, fp, caller, base);
    if (!callee) return regs->trap;
    return call_any(regs, callee, fp + base, caller);
}

/// What tail_call_any returns when it made the call itself.
void* const tail_call_done = reinterpret_cast<void*>(1);

/// A tail call that compiled code does not make by a jump of its own, whose
/// arguments are at fp + base. A wasm callee of the caller's instance: its
/// code, compiled, with the arguments moved down to fp, for the caller to
/// jump to. A host function or another instance's: called as call_any does
/// (so nesting, within the depth limit), its results moved to fp[0...], and
/// tail_call_done. Null after a trap.
void* tail_call_any(JitRegs* regs, Function* callee, uint64_t* fp, uint32_t base,
                    Function* caller) {
    uint64_t* arguments = fp + base;
    if (callee->is_host() || callee->instance != caller->instance) {
        if (call_any(regs, callee, arguments, caller)) return nullptr;
        std::memmove(fp, arguments, callee->num_results * sizeof(uint64_t));
        return tail_call_done;
    }
    if (--regs->fuel < 0) {
        record_trap(regs, TrapKind::FuelExhausted, caller);
        return nullptr;
    }
    void* entry = compiled_entry(regs, *callee);
    if (!entry) return nullptr;
    if (fp + callee->slot_code->frame_size > regs->stack_end) {
        record_trap(regs, TrapKind::CallStackExhausted, caller);
        return nullptr;
    }
    std::memmove(fp, arguments, callee->num_params * sizeof(uint64_t));
    return entry;
}

void* tail_call_indirect_helper(JitRegs* regs, const uint8_t* instruction, uint64_t* fp,
                                Function* caller) {
    uint32_t base;
    Function* callee = indirect_target(regs, instruction, fp, caller, base);
    if (!callee) return nullptr;
    return tail_call_any(regs, callee, fp, base, caller);
}

/// A rare instruction, run by the interpreter's handler.
int rare_helper(JitRegs* regs, const uint8_t* instruction, uint64_t* fp, Function* caller,
                size_t size) {
    try {
        int trap = execute_one(instruction, size, fp, *caller, regs->store->limits.max_memory_pages,
                               regs->fuel, *regs->result);
        if (trap) {
            regs->trap = trap;
            regs->current = caller;
        }
        return trap;
    } catch (...) {
        return record_exception(regs, caller);
    }
}

// --- compiling one function ---

constexpr Mem slot(uint32_t index) {
    return {RBX, static_cast<int32_t>(index * 8)};
}

class FunctionCompiler {
public:
    FunctionCompiler(JitCode& jit, Function& function)
        : jit_(jit), function_(function), cc_(*function.slot_code) {}

    /// Callees called directly but not compiled yet, and the offset of each
    /// one's lazy stub in the code: their jit_entry until they are compiled.
    std::unordered_map<Function*, size_t> lazy_stubs_;

    std::vector<uint8_t> compile() {
        const std::vector<uint8_t>& code = cc_.code;
        native_.assign(code.size() + 1, no_native);
        prologue();
        size_t at = 0;
        for (IOp op : cc_.kinds) {
            native_[at] = a_.here();
            const uint8_t* ip = code.data() + at;
            size_t size = instruction_size(op, ip);
            start_ = at;
            instruction(op, ip, size);
            at += size;
        }
        native_[code.size()] = a_.here();
        stubs();
        for (const Jump& jump : jumps_) a_.patch(jump.field, native_.at(jump.target));
        return std::move(a_.code);
    }

private:
    static constexpr size_t no_native = SIZE_MAX;
    struct Jump {
        size_t field;
        size_t target; ///< a slot-code offset
    };
    struct TrapJump {
        size_t field;
        int kind; ///< a TrapKind, or one of the two below
    };
    static constexpr int recorded_by_helper = -1;    ///< the trap and where
    static constexpr int recorded_by_evaluator = -2; ///< the trap, not where
    struct JumpTable {
        size_t lea_field;
        std::vector<size_t> targets; ///< slot-code offsets
        size_t from;                 ///< the BrTable's own offset
    };

    JitCode& jit_;
    Function& function_;
    const SlotCode& cc_;
    Assembler a_;
    std::vector<size_t> native_; ///< machine-code offset of each instruction
    std::vector<Jump> jumps_;
    std::vector<TrapJump> trap_jumps_;
    std::vector<JumpTable> tables_;
    size_t start_ = 0; ///< the instruction being compiled

    void trap_if(Cond c, TrapKind kind) {
        trap_jumps_.push_back({a_.jcc(c), static_cast<int>(kind)});
    }
    /// After a helper that returns a recorded trap in eax.
    void propagate_trap() {
        a_.test(false, RAX, RAX);
        trap_jumps_.push_back({a_.jcc(NE), recorded_by_helper});
    }
    void charge_fuel(int64_t units = 1) {
        if (units == 1)
            a_.dec(true, R14);
        else
            a_.alu_imm(SUB, true, R14, static_cast<int32_t>(std::min<int64_t>(units, INT32_MAX)));
        trap_if(S, TrapKind::FuelExhausted);
    }
    /// A branch to the slot-code offset start_ + rel, taken when `c` holds
    /// (or always); going back costs fuel, as in the interpreter.
    void branch(std::optional<Cond> c, int32_t rel) {
        size_t target = start_ + rel;
        if (rel > 0) {
            jumps_.push_back({c ? a_.jcc(*c) : a_.jmp(), target});
            return;
        }
        size_t skip = c ? a_.jcc(negate(*c)) : 0;
        charge_fuel(back_branch_fuel(rel));
        jumps_.push_back({a_.jmp(), target});
        if (c) a_.patch(skip, a_.here());
    }
    void call_helper(const void* helper) {
        a_.mov_imm(RAX, reinterpret_cast<uintptr_t>(helper));
        a_.call(RAX);
    }
    /// memory.grow may have changed the size, whoever ran it.
    void reload_memory_size() {
        if (!function_.memory) return;
        a_.mov_imm(RCX, reinterpret_cast<uintptr_t>(&function_.memory->size));
        a_.mov(true, R13, Mem{RCX});
    }
    void load(bool wide, Reg dst, uint32_t slot_index, bool from_acc) {
        if (from_acc) {
            if (dst != RAX) a_.mov(wide, dst, RAX);
        } else {
            a_.mov(wide, dst, slot(slot_index));
        }
    }
    /// Whether an instruction of this width can take the immediate as an
    /// imm32 (which x86 sign-extends in 64-bit instructions).
    static bool fits_imm32(bool wide, uint64_t imm) {
        return !wide || static_cast<int64_t>(imm) == static_cast<int32_t>(imm);
    }

    void prologue() {
        a_.alu_imm(SUB, true, RSP, 8); // keeps helper calls 16-byte aligned
        uint32_t first = function_.num_params, count = cc_.num_locals - first;
        if (count == 0) return;
        a_.alu(XOR, false, RAX, RAX);
        if (count <= 16) {
            for (uint32_t i = 0; i < count; ++i) a_.mov(true, slot(first + i), RAX);
            return;
        }
        a_.lea(RCX, slot(first));
        a_.mov_imm(RDX, count);
        size_t loop = a_.here();
        a_.mov(true, Mem{RCX}, RAX);
        a_.alu_imm(ADD, true, RCX, 8);
        a_.dec(false, RDX);
        a_.patch(a_.jcc(NE), loop);
    }

    void epilogue() {
        a_.alu_imm(ADD, true, RSP, 8);
        a_.ret();
    }

    void instruction(IOp op, const uint8_t* ip, size_t size) {
        const IOpInfo& info = iop_infos[index(op)];
        switch (info.layout) {
        case Layout::BrIfCompare:
        case Layout::BrIfCompareI: return compare_branch(info, ip);
        case Layout::Un: return unary(info, ip);
        case Layout::Bin:
        case Layout::BinI: return binary(info, ip);
        case Layout::Ld:
        case Layout::LdA:
        case Layout::LdK: return load_instruction(info, ip);
        case Layout::St:
        case Layout::StA:
        case Layout::StK: return store_instruction(info, ip);
        default: return control(op, ip, size);
        }
    }

    void control(IOp op, const uint8_t* ip, size_t size) {
        switch (op) {
        case IOp::Unreachable:
            trap_jumps_.push_back({a_.jmp(), static_cast<int>(TrapKind::Unreachable)});
            return;
        case IOp::Copy: {
            const auto& in = slot::decode<slot::Copy>(ip);
            a_.mov(true, RAX, slot(in.src));
            a_.mov(true, slot(in.dst), RAX);
            return;
        }
        case IOp::Const: {
            const auto& in = slot::decode<slot::Const>(ip);
            a_.mov_imm(RAX, in.value);
            a_.mov(true, slot(in.dst), RAX);
            return;
        }
        case IOp::Br: return branch(std::nullopt, slot::decode<slot::Br>(ip).rel);
        case IOp::Fuel: return charge_fuel(slot::decode<slot::Fuel>(ip).units);
        case IOp::BrIfNz:
        case IOp::BrIfZ: {
            const auto& in = slot::decode<slot::BrIf>(ip);
            a_.alu_imm(CMP, false, slot(in.cond), 0);
            return branch(op == IOp::BrIfNz ? NE : E, in.rel);
        }
        case IOp::AccBrIfNz:
        case IOp::AccBrIfZ:
            a_.test(false, RAX, RAX);
            return branch(op == IOp::AccBrIfNz ? NE : E, slot::decode<slot::BrIf>(ip).rel);
        case IOp::BrTable: return branch_table(ip);
        case IOp::Return: return epilogue();
        case IOp::Return1:
            a_.mov(true, RAX, slot(slot::decode<slot::Return1>(ip).src));
            a_.mov(true, slot(0), RAX);
            return epilogue();
        case IOp::Call:
        case IOp::CallLocal: return call(op, ip);
        case IOp::ReturnCall: return tail_call(ip);
        case IOp::ReturnCallIndirect:
            call_indirect_out(ip, reinterpret_cast<const void*>(&tail_call_indirect_helper));
            return after_tail_call_helper();
        case IOp::CallIndirect:
            call_indirect_out(ip, reinterpret_cast<const void*>(&call_indirect_helper));
            after_call_out();
            return;
        case IOp::Select: {
            const auto& in = slot::decode<slot::Select>(ip);
            a_.mov(true, RAX, slot(in.a));
            a_.alu_imm(CMP, false, slot(in.cond), 0);
            a_.cmov(E, true, RAX, slot(in.b));
            a_.mov(true, slot(in.dst), RAX);
            return;
        }
        case IOp::GlobalGet: {
            const auto& in = slot::decode<slot::GlobalGet>(ip);
            a_.mov_imm(RCX, reinterpret_cast<uintptr_t>(&in.global->value));
            a_.mov(true, RAX, Mem{RCX});
            a_.mov(true, slot(in.dst), RAX);
            return;
        }
        case IOp::GlobalSet: {
            const auto& in = slot::decode<slot::GlobalSet>(ip);
            a_.mov_imm(RCX, reinterpret_cast<uintptr_t>(&in.global->value));
            a_.mov(true, RAX, slot(in.src));
            a_.mov(true, Mem{RCX}, RAX);
            return;
        }
        case IOp::GlobalAddI:
        case IOp::GlobalBumpI: {
            const auto& in = slot::decode<slot::GlobalAddI>(ip);
            a_.mov_imm(RCX, reinterpret_cast<uintptr_t>(&in.global->value));
            a_.mov(false, RAX, Mem{RCX});
            a_.alu_imm(ADD, false, RAX, static_cast<int32_t>(in.added));
            if (op == IOp::GlobalBumpI) a_.mov(true, Mem{RCX}, RAX);
            a_.mov(true, slot(in.dst), RAX);
            return;
        }
        case IOp::GlobalSetAddI: {
            const auto& in = slot::decode<slot::GlobalSetAddI>(ip);
            a_.mov(false, RAX, slot(in.src));
            a_.alu_imm(ADD, false, RAX, static_cast<int32_t>(in.added));
            a_.mov_imm(RCX, reinterpret_cast<uintptr_t>(&in.global->value));
            a_.mov(true, Mem{RCX}, RAX);
            return;
        }
        case IOp::MemorySize:
            a_.mov(true, RAX, R13);
            a_.shift_imm(SHR, true, RAX, 16);
            a_.mov(true, slot(slot::decode<slot::MemorySize>(ip).dst), RAX);
            return;
        case IOp::RefIsNull: {
            const auto& in = slot::decode<slot::RefIsNull>(ip);
            a_.alu_imm(CMP, true, slot(in.src), 0);
            a_.setcc(E, RAX);
            a_.movzx8(RAX, RAX);
            a_.mov(true, slot(in.dst), RAX);
            return;
        }
        case IOp::Throw:
        case IOp::Rethrow:
            // A store with such a module has no compiling tier (instantiate).
            throw Error("internal error: exception handling is not compiled");
        default: return rare(ip, size);
        }
    }

    /// Table and bulk-memory instructions and memory.grow: the interpreter's
    /// handler runs the original instruction, and charges its fuel.
    void rare(const uint8_t* ip, size_t size) {
        a_.mov(true, regs_fuel, R14);
        a_.mov(true, RDI, R15);
        a_.mov_imm(RSI, reinterpret_cast<uintptr_t>(ip));
        a_.mov(true, RDX, RBX);
        a_.mov_imm(RCX, reinterpret_cast<uintptr_t>(&function_));
        a_.mov_imm(R8, size);
        call_helper(reinterpret_cast<const void*>(&rare_helper));
        after_call_out();
    }

    /// After a helper that may have run wasm code: it kept fuel in JitRegs.
    void after_call_out() {
        a_.mov(true, R14, regs_fuel);
        reload_memory_size();
        propagate_trap();
    }

    /// Call and CallLocal: the same fields, a CallLocal's entry aside.
    void call(IOp op, const uint8_t* ip) {
        static_assert(offsetof(slot::Call, callee) == offsetof(slot::CallLocal, callee) &&
                      offsetof(slot::Call, base) == offsetof(slot::CallLocal, base) &&
                      offsetof(slot::Call, count) == offsetof(slot::CallLocal, count));
        const auto& in = slot::decode<slot::Call>(ip);
        Function* callee = in.callee.get();
        uint32_t base = in.base, count = in.count;
        auto source = [&](uint32_t i) {
            return op == IOp::CallLocal ? slot::tail<slot::CallLocal>(ip, i)
                                        : slot::tail<slot::Call>(ip, i);
        };
        // A function of the same instance shares the memory in r12 and r13.
        bool direct = !callee->is_host() && callee->instance == function_.instance;
        if (direct) {
            if (!callee->slot_code) translate_function(*callee);
            charge_fuel();
            a_.alu_imm(SUB, false, RBP, 1);
            trap_if(B, TrapKind::CallStackExhausted);
            a_.lea(RAX, slot(base + callee->slot_code->frame_size));
            a_.alu(CMP, true, RAX, regs_field(offsetof(JitRegs, stack_end)));
            trap_if(A, TrapKind::CallStackExhausted);
            a_.alu(CMP, true, RSP, regs_field(offsetof(JitRegs, native_limit)));
            trap_if(B, TrapKind::MachineStackExhausted);
        }
        for (uint32_t i = 0; i < count; ++i) {
            a_.mov(true, RAX, slot(source(i)));
            a_.mov(true, slot(base + i), RAX);
        }
        if (!direct) {
            a_.mov(true, regs_fuel, R14);
            a_.mov(false, regs_depth, RBP);
            a_.mov(true, RDI, R15);
            a_.mov_imm(RSI, reinterpret_cast<uintptr_t>(callee));
            a_.lea(RDX, slot(base));
            a_.mov_imm(RCX, reinterpret_cast<uintptr_t>(&function_));
            call_helper(reinterpret_cast<const void*>(&call_any));
            after_call_out();
            return;
        }
        if (!callee->jit_entry) lazy_stubs_.try_emplace(callee, 0);
        if (base) a_.alu_imm(ADD, true, RBX, static_cast<int32_t>(base * 8));
        a_.mov_imm(RAX, reinterpret_cast<uintptr_t>(&callee->jit_entry));
        a_.call(Mem{RAX});
        if (base) a_.alu_imm(SUB, true, RBX, static_cast<int32_t>(base * 8));
        a_.alu_imm(ADD, false, RBP, 1);
    }

    /// A tail call to a function of this instance is a jump, after the
    /// arguments move down to slot 0; any other goes through tail_call_any.
    void tail_call(const uint8_t* ip) {
        const auto& in = slot::decode<slot::ReturnCall>(ip);
        Function* callee = in.callee.get();
        uint32_t base = in.base, count = in.count;
        if (callee->is_host() || callee->instance != function_.instance) {
            a_.mov(true, regs_fuel, R14);
            a_.mov(false, regs_depth, RBP);
            a_.mov(true, RDI, R15);
            a_.mov_imm(RSI, reinterpret_cast<uintptr_t>(callee));
            a_.mov(true, RDX, RBX);
            a_.mov_imm(RCX, base);
            a_.mov_imm(R8, reinterpret_cast<uintptr_t>(&function_));
            call_helper(reinterpret_cast<const void*>(&tail_call_any));
            return after_tail_call_helper();
        }
        if (!callee->slot_code) translate_function(*callee);
        charge_fuel();
        a_.lea(RAX, slot(callee->slot_code->frame_size));
        a_.alu(CMP, true, RAX, regs_field(offsetof(JitRegs, stack_end)));
        trap_if(A, TrapKind::CallStackExhausted);
        for (uint32_t i = 0; i < count; ++i) {
            a_.mov(true, RAX, slot(base + i));
            a_.mov(true, slot(i), RAX);
        }
        if (!callee->jit_entry) lazy_stubs_.try_emplace(callee, 0);
        a_.mov_imm(RAX, reinterpret_cast<uintptr_t>(&callee->jit_entry));
        a_.mov(true, RAX, Mem{RAX});
        jump_out(RAX);
    }
    /// Calls helper(regs, instruction, fp, caller), as the indirect calls do.
    void call_indirect_out(const uint8_t* ip, const void* helper) {
        a_.mov(true, regs_fuel, R14);
        a_.mov(false, regs_depth, RBP);
        a_.mov(true, RDI, R15);
        a_.mov_imm(RSI, reinterpret_cast<uintptr_t>(ip));
        a_.mov(true, RDX, RBX);
        a_.mov_imm(RCX, reinterpret_cast<uintptr_t>(&function_));
        call_helper(helper);
    }
    /// After tail_call_any's result in rax: a trap, a return, or a jump.
    void after_tail_call_helper() {
        a_.mov(true, R14, regs_fuel);
        reload_memory_size();
        a_.test(true, RAX, RAX);
        trap_jumps_.push_back({a_.jcc(E), recorded_by_helper});
        a_.alu_imm(CMP, true, RAX,
                   static_cast<int32_t>(reinterpret_cast<uintptr_t>(tail_call_done)));
        size_t jump = a_.jcc(NE);
        epilogue();
        a_.patch(jump, a_.here());
        jump_out(RAX);
    }
    /// Leaves this function's frame for `target`, which returns to our caller.
    void jump_out(Reg target) {
        a_.alu_imm(ADD, true, RSP, 8);
        a_.jmp(target);
    }

    void branch_table(const uint8_t* ip) {
        const auto& in = slot::decode<slot::BrTable>(ip);
        uint32_t count = in.count;
        a_.mov(false, RCX, slot(in.index));
        a_.alu_imm(CMP, false, RCX, static_cast<int32_t>(count));
        size_t in_range = a_.jcc(BE);
        a_.mov_imm(RCX, count);
        a_.patch(in_range, a_.here());
        JumpTable table{a_.lea_rip(RDX), {}, start_};
        a_.movsxd(RCX, Mem{RDX, 0, RCX, 2});
        a_.alu(ADD, true, RCX, RDX);
        a_.jmp(RCX);
        for (uint32_t i = 0; i <= count; ++i)
            table.targets.push_back(start_ + slot::tail<slot::BrTable>(ip, i));
        tables_.push_back(std::move(table));
    }

    void compare_branch(const IOpInfo& info, const uint8_t* ip) {
        bool immediate = info.layout == Layout::BrIfCompareI;
        // The two layouts differ in the second operand only.
        const auto& in = slot::decode<slot::BrIfCompare>(ip);
        const auto& with_imm = slot::decode<slot::BrIfCompareI>(ip);
        int32_t rel = immediate ? with_imm.rel : in.rel;
        Cond cond;
        bool wide;
        if (info.op == Op::I32And) {
            cond = info.bit_test_zero ? E : NE;
            wide = false;
        } else {
            Relation r = *relation(info.op);
            cond = r.cond;
            wide = r.wide;
        }
        load(wide, RAX, in.a, info.acc);
        if (!immediate) {
            if (info.op == Op::I32And)
                a_.test(false, slot(in.b), RAX);
            else
                a_.alu(CMP, wide, RAX, slot(in.b));
        } else {
            uint64_t imm = with_imm.imm;
            if (info.op == Op::I32And) {
                a_.test_imm(false, RAX, static_cast<uint32_t>(imm));
            } else if (fits_imm32(wide, imm)) {
                a_.alu_imm(CMP, wide, RAX, static_cast<int32_t>(imm));
            } else {
                a_.mov_imm(RCX, imm);
                a_.alu(CMP, true, RAX, RCX);
            }
        }
        branch(cond, rel);
    }

    void unary(const IOpInfo& info, const uint8_t* ip) {
        auto [dst, a] = slot::decode<slot::Un>(ip);
        switch (info.op) {
        case Op::I32Eqz:
        case Op::I64Eqz:
            load(info.op == Op::I64Eqz, RAX, a, info.acc);
            a_.test(info.op == Op::I64Eqz, RAX, RAX);
            a_.setcc(E, RAX);
            a_.movzx8(RAX, RAX);
            break;
        case Op::I32WrapI64:
        case Op::I64ExtendI32U:
            load(false, RAX, a, info.acc);
            if (info.acc) a_.mov(false, RAX, RAX);
            break;
        case Op::I64ExtendI32S:
            load(false, RAX, a, info.acc);
            a_.movsxd(RAX, RAX);
            break;
        case Op::I32Extend8S:
        case Op::I64Extend8S:
            load(false, RAX, a, info.acc);
            a_.movsx8(info.op == Op::I64Extend8S, RAX, RAX);
            break;
        case Op::I32Extend16S:
        case Op::I64Extend16S:
            load(false, RAX, a, info.acc);
            a_.movsx16(info.op == Op::I64Extend16S, RAX, RAX);
            break;
        case Op::I64Extend32S:
            load(false, RAX, a, info.acc);
            a_.movsxd(RAX, RAX);
            break;
        case Op::I32ReinterpretF32:
        case Op::I64ReinterpretF64:
        case Op::F32ReinterpretI32:
        case Op::F64ReinterpretI64: load(true, RAX, a, info.acc); break;
        default:
            load(true, RDI, a, info.acc);
            evaluate(info.op, RSI);
            break;
        }
        a_.mov(true, slot(dst), RAX);
    }

    /// Calls numeric.hpp's evaluator with the operands in rdi (and rsi) and
    /// the trap flag's address in `trap_argument`, the next argument register.
    void evaluate(Op op, Reg trap_argument) {
        a_.lea(trap_argument, regs_trap);
        call_helper(evaluators[static_cast<size_t>(op)]);
        a_.alu_imm(CMP, false, regs_trap, 0);
        trap_jumps_.push_back({a_.jcc(NE), recorded_by_evaluator});
    }

    void binary(const IOpInfo& info, const uint8_t* ip) {
        bool immediate = info.layout == Layout::BinI;
        const auto& slots = slot::decode<slot::Bin>(ip);
        uint32_t dst = slots.dst, a = slots.a;
        uint64_t imm = immediate ? slot::decode<slot::BinI>(ip).imm : 0;
        uint32_t b = immediate ? 0 : slots.b;
        Arithmetic arith = arithmetic(info.op);
        std::optional<Relation> rel = relation(info.op);
        if (arith.kind == Arithmetic::None && !rel) {
            load(true, RDI, a, info.acc);
            if (immediate)
                a_.mov_imm(RSI, imm);
            else
                a_.mov(true, RSI, slot(b));
            evaluate(info.op, RDX);
            a_.mov(true, slot(dst), RAX);
            return;
        }
        bool wide = rel ? rel->wide : arith.wide;
        load(wide, RAX, a, info.acc);
        bool imm_ok = immediate && fits_imm32(wide, imm);
        if (immediate && !imm_ok && arith.kind != Arithmetic::ShiftOp) a_.mov_imm(RCX, imm);
        if (rel) {
            if (imm_ok)
                a_.alu_imm(CMP, wide, RAX, static_cast<int32_t>(imm));
            else if (immediate)
                a_.alu(CMP, wide, RAX, RCX);
            else
                a_.alu(CMP, wide, RAX, slot(b));
            a_.setcc(rel->cond, RAX);
            a_.movzx8(RAX, RAX);
        } else if (arith.kind == Arithmetic::AluOp) {
            if (imm_ok)
                a_.alu_imm(arith.alu, wide, RAX, static_cast<int32_t>(imm));
            else if (immediate)
                a_.alu(arith.alu, wide, RAX, RCX);
            else
                a_.alu(arith.alu, wide, RAX, slot(b));
        } else if (arith.kind == Arithmetic::Mul) {
            if (imm_ok)
                a_.imul_imm(wide, RAX, RAX, static_cast<int32_t>(imm));
            else if (immediate)
                a_.imul(wide, RAX, RCX);
            else
                a_.imul(wide, RAX, slot(b));
        } else {
            if (immediate) {
                a_.shift_imm(arith.shift, wide, RAX, static_cast<uint8_t>(imm & (wide ? 63 : 31)));
            } else {
                a_.mov(false, RCX, slot(b));
                a_.shift_cl(arith.shift, wide, RAX);
            }
        }
        a_.mov(true, slot(dst), RAX);
    }

    /// Where a load or store accesses memory: a constant address, or the
    /// u32 in a slot (or the accumulator) plus `added` (wrapping) plus `offset`.
    struct Access {
        std::optional<uint64_t> constant;
        uint32_t base = 0;
        bool from_acc = false;
        std::optional<uint32_t> added;
        uint32_t offset = 0;
    };
    /// The memory operand of an access of `size` bytes, after checking it
    /// against the memory's size in r13. Uses rcx and rdx.
    Mem address(const Access& access, uint32_t size) {
        if (access.constant) {
            uint64_t constant = *access.constant;
            if (constant + size <= INT32_MAX) {
                a_.alu_imm(CMP, true, R13, static_cast<int32_t>(constant + size));
                trap_if(B, TrapKind::MemoryOutOfBounds);
                return {R12, static_cast<int32_t>(constant)};
            }
            a_.mov_imm(RCX, constant);
            return bounds_checked(0, size);
        }
        load(false, RCX, access.base, access.from_acc);
        if (access.added) a_.alu_imm(ADD, false, RCX, static_cast<int32_t>(*access.added));
        uint32_t offset = access.offset;
        if (offset > INT32_MAX - 16) {
            a_.mov_imm(RDX, offset);
            a_.alu(ADD, true, RCX, RDX);
            offset = 0;
        }
        return bounds_checked(static_cast<int32_t>(offset), size);
    }
    /// [r12 + rcx + offset], checked.
    Mem bounds_checked(int32_t offset, uint32_t size) {
        a_.lea(RDX, Mem{RCX, offset + static_cast<int32_t>(size)});
        a_.alu(CMP, true, RDX, R13);
        trap_if(A, TrapKind::MemoryOutOfBounds);
        return {R12, offset, RCX, 0};
    }

    /// The access of a load or store of the layouts Plain (address in a
    /// slot), Added (a slot plus a constant) or Constant: loads and stores
    /// name those fields alike.
    template <typename Plain, typename Added, typename Constant>
    static Access access_of(const uint8_t* ip, bool constant, bool added) {
        // The optionals take their values by reference, which must not bind
        // to a packed field: copies.
        Access access;
        if (constant) {
            access.constant = uint64_t{slot::decode<Constant>(ip).address};
        } else if (added) {
            const auto& in = slot::decode<Added>(ip);
            access.base = in.base;
            access.added = uint32_t{in.added};
            access.offset = in.offset;
        } else {
            const auto& in = slot::decode<Plain>(ip);
            access.base = in.address;
            access.offset = in.offset;
        }
        return access;
    }

    void load_instruction(const IOpInfo& info, const uint8_t* ip) {
        Access access = access_of<slot::Ld, slot::LdA, slot::LdK>(ip, info.layout == Layout::LdK,
                                                                  info.layout == Layout::LdA);
        access.from_acc = info.acc;
        uint32_t dst = slot::decode<slot::Ld>(ip).dst; // the first field of each load layout
        Mem m = address(access, access_size(info.op));
        switch (info.op) {
        case Op::I32Load:
        case Op::F32Load:
        case Op::I64Load32U: a_.mov(false, RAX, m); break;
        case Op::I64Load:
        case Op::F64Load: a_.mov(true, RAX, m); break;
        case Op::I32Load8S: a_.movsx8(false, RAX, m); break;
        case Op::I64Load8S: a_.movsx8(true, RAX, m); break;
        case Op::I32Load8U:
        case Op::I64Load8U: a_.movzx8(RAX, m); break;
        case Op::I32Load16S: a_.movsx16(false, RAX, m); break;
        case Op::I64Load16S: a_.movsx16(true, RAX, m); break;
        case Op::I32Load16U:
        case Op::I64Load16U: a_.movzx16(RAX, m); break;
        case Op::I64Load32S: a_.movsxd(RAX, m); break;
        default: break;
        }
        a_.mov(true, slot(dst), RAX);
    }

    void store_instruction(const IOpInfo& info, const uint8_t* ip) {
        bool constant = info.layout == Layout::StK;
        Access access =
            access_of<slot::St, slot::StA, slot::StK>(ip, constant, info.layout == Layout::StA);
        static_assert(offsetof(slot::St, value) == offsetof(slot::StA, value));
        uint32_t value =
            constant ? slot::decode<slot::StK>(ip).value : slot::decode<slot::St>(ip).value;
        uint32_t size = access_size(info.op);
        if (!info.acc) a_.mov(true, RAX, slot(value));
        Mem m = address(access, size);
        switch (size) {
        case 1: a_.mov8(m, RAX); break;
        case 2: a_.mov16(m, RAX); break;
        case 4: a_.mov(false, m, RAX); break;
        default: a_.mov(true, m, RAX); break;
        }
    }

    /// Out-of-line code after the body: jump tables, trap exits, and the
    /// stubs that compile a callee on its first call.
    void stubs() {
        for (auto& [callee, offset] : lazy_stubs_) {
            offset = a_.here();
            a_.mov_imm(RSI, reinterpret_cast<uintptr_t>(callee));
            a_.mov_imm(RAX, reinterpret_cast<uintptr_t>(jit_.lazy_compile));
            a_.jmp(RAX);
        }
        for (const JumpTable& table : tables_) {
            // A backward target goes through a thunk that charges fuel.
            std::vector<size_t> entries;
            for (size_t target : table.targets) {
                if (target > table.from) {
                    entries.push_back(native_.at(target));
                    continue;
                }
                entries.push_back(a_.here());
                charge_fuel(back_branch_fuel(static_cast<int32_t>(
                    static_cast<int64_t>(target) - static_cast<int64_t>(table.from))));
                jumps_.push_back({a_.jmp(), target});
            }
            size_t start = a_.here();
            a_.patch(table.lea_field, start);
            for (size_t entry : entries)
                a_.u32(static_cast<uint32_t>(static_cast<int64_t>(entry) -
                                             static_cast<int64_t>(start)));
        }
        // One exit per kind of trap: record it and where, then unwind.
        std::unordered_map<int, size_t> exits;
        for (const TrapJump& jump : trap_jumps_) {
            auto [exit, added] = exits.try_emplace(jump.kind, a_.here());
            if (added) {
                if (jump.kind >= 0)
                    a_.mov_imm32(regs_trap, static_cast<uint32_t>(numeric::trap_code(
                                                static_cast<TrapKind>(jump.kind))));
                if (jump.kind != recorded_by_helper) {
                    a_.mov_imm(RAX, reinterpret_cast<uintptr_t>(&function_));
                    a_.mov(true, regs_current, RAX);
                }
                // The depth the trap happened at, for its message.
                if (jump.kind == static_cast<int>(TrapKind::MachineStackExhausted))
                    a_.mov(false, regs_depth, RBP);
                a_.mov_imm(RAX, reinterpret_cast<uintptr_t>(jit_.trap_exit));
                a_.jmp(RAX);
            }
            a_.patch(jump.field, exit->second);
        }
    }
};

void* compile(JitCode& jit, Function& function) {
    if (!function.slot_code) translate_function(function);
    FunctionCompiler compiler(jit, function);
    auto* entry = static_cast<uint8_t*>(jit.install(compiler.compile()));
    for (auto [callee, offset] : compiler.lazy_stubs_)
        if (!callee->jit_entry) callee->jit_entry = entry + offset;
    function.jit_entry = entry;
    function.jit_compiled = true;
    return entry;
}

/// Room kept below the limit for helpers, host functions (a macro host's
/// lexer, an exception's unwinding) and the trampoline.
constexpr uintptr_t stack_margin = 256 * 1024;
/// A thread whose stack has less room than this below the first call runs
/// compiled code on a thread of the engine's own: musl's threads have 128 KiB,
/// and `ulimit -s` can make the main thread's as small.
constexpr uintptr_t min_stack_room = 4 * stack_margin;
/// The stack of the engine's own threads.
[[maybe_unused]] constexpr size_t engine_stack_size = size_t{8} << 20;

/// The lowest address compiled code's calls may bring this thread's machine
/// stack to, or 0 when the thread has too little room (or its bounds are
/// unknown) and a call must run on a thread of the engine's own. Read once
/// per thread: glibc finds the main thread's stack by reading
/// /proc/self/maps, some 50 us, and a macro expansion makes several calls.
uintptr_t native_stack_limit() {
    thread_local const uintptr_t limit = [] {
#ifdef WASMACRO_JIT
        uintptr_t sp = stack_position();
        pthread_attr_t attr;
        if (pthread_getattr_np(pthread_self(), &attr) == 0) {
            void* low = nullptr;
            size_t size = 0;
            int got = pthread_attr_getstack(&attr, &low, &size);
            pthread_attr_destroy(&attr);
            auto bottom = reinterpret_cast<uintptr_t>(low);
            if (got == 0 && low && bottom + min_stack_room < sp) return bottom + stack_margin;
        }
#endif
        return uintptr_t{0};
    }();
    return limit;
}

ExecutionResult execute_here(Store::Impl& store, Function& function, uint64_t* args_and_results);

/// Runs the call on a new thread with a stack of engine_stack_size, while
/// this one waits: for a thread whose own stack is too small.
ExecutionResult execute_on_engine_thread([[maybe_unused]] Store::Impl& store, Function& function,
                                         [[maybe_unused]] uint64_t* args_and_results) {
#ifdef WASMACRO_JIT
    struct Job {
        Store::Impl* store;
        Function* function;
        uint64_t* args_and_results;
        ExecutionResult result;
        std::exception_ptr failure;
    } job{&store, &function, args_and_results, {}, {}};
    auto run = [](void* p) -> void* {
        auto& j = *static_cast<Job*>(p);
        try {
            j.result = execute_here(*j.store, *j.function, j.args_and_results);
        } catch (...) {
            j.failure = std::current_exception();
        }
        return nullptr;
    };
    pthread_attr_t attr;
    pthread_t thread;
    int started = pthread_attr_init(&attr);
    if (started == 0) {
        pthread_attr_setstacksize(&attr, engine_stack_size);
        started = pthread_create(&thread, &attr, run, &job);
        pthread_attr_destroy(&attr);
    }
    if (started == 0) {
        pthread_join(thread, nullptr);
        if (job.failure) std::rethrow_exception(job.failure);
        return job.result;
    }
#endif
    throw Trap(TrapKind::MachineStackExhausted, function_display_name(function),
               fmt::format("this thread has less than {} KiB of machine stack left for compiled "
                           "wasm, and no thread with a stack of its own could be started",
                           min_stack_room >> 10));
}

/// The shared stubs: the trampoline from C++ and its trap exit, and the
/// lazy-compilation stub.
struct SharedStubs {
    std::vector<uint8_t> code;
    size_t enter = 0, trap_exit = 0, lazy_compile = 0;
};
SharedStubs shared_stubs() {
    Assembler a;
    SharedStubs s;
    // enter(JitRegs* rdi, code rsi, fp rdx): saves the callee-saved registers
    // and the previous trampoline's stack, loads the pinned ones, calls.
    s.enter = a.here();
    for (Reg r : {RBP, RBX, R12, R13, R14, R15}) a.push(r);
    a.push(Mem{RDI, at(offsetof(JitRegs, entry_rsp))});
    a.mov(true, Mem{RDI, at(offsetof(JitRegs, entry_rsp))}, RSP);
    a.mov(true, R15, RDI);
    a.mov(true, RBX, RDX);
    a.mov(true, R14, regs_fuel);
    a.mov(true, R12, regs_field(offsetof(JitRegs, memory_base)));
    a.mov(true, R13, regs_field(offsetof(JitRegs, memory_size)));
    a.mov(false, RBP, regs_depth);
    a.call(RSI);
    size_t resume = a.here();
    a.mov(true, regs_fuel, R14);
    a.pop(regs_entry_rsp);
    for (Reg r : {R15, R14, R13, R12, RBX, RBP}) a.pop(r);
    a.ret();
    s.trap_exit = a.here();
    a.mov(true, RSP, regs_entry_rsp);
    a.patch(a.jmp(), resume);
    // lazy_compile(callee rsi), entered by a call from compiled code.
    s.lazy_compile = a.here();
    a.alu_imm(SUB, true, RSP, 8);
    a.mov(true, RDI, R15);
    a.mov_imm(RAX, reinterpret_cast<uintptr_t>(&lazy_compile_helper));
    a.call(RAX);
    a.alu_imm(ADD, true, RSP, 8);
    a.test(true, RAX, RAX);
    size_t failed = a.jcc(E);
    a.jmp(RAX);
    a.patch(failed, s.trap_exit);
    s.code = std::move(a.code);
    return s;
}

} // namespace

bool jit_supported() {
#ifdef WASMACRO_JIT
    static const bool supported = [] {
        void* page = mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED) return false;
        munmap(page, 4096);
        return true;
    }();
    return supported;
#else
    return false;
#endif
}

JitCode::JitCode() {
    SharedStubs s = shared_stubs();
    auto* base = static_cast<uint8_t*>(install(s.code));
    enter = base + s.enter;
    trap_exit = base + s.trap_exit;
    lazy_compile = base + s.lazy_compile;
}

JitCode::~JitCode() {
#ifdef WASMACRO_JIT
    for (const Chunk& chunk : chunks_) munmap(chunk.base, chunk.size);
#endif
}

void* JitCode::install(const std::vector<uint8_t>& code) {
#ifdef WASMACRO_JIT
    constexpr size_t chunk_size = size_t{1} << 20, align = 16;
    static const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    used_ = (used_ + align - 1) & ~(align - 1);
    if (chunks_.empty() || used_ + code.size() > chunks_.back().size) {
        size_t size = std::max(chunk_size, (code.size() + page - 1) & ~(page - 1));
        void* base = mmap(nullptr, size, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED) throw std::bad_alloc();
        chunks_.push_back({static_cast<uint8_t*>(base), size});
        used_ = 0;
    }
    // Writable only while being written: the pages it touches.
    uint8_t* target = chunks_.back().base + used_;
    auto first = reinterpret_cast<uintptr_t>(target) & ~(page - 1);
    auto last = (reinterpret_cast<uintptr_t>(target) + code.size() + page - 1) & ~(page - 1);
    auto* pages = reinterpret_cast<void*>(first);
    if (mprotect(pages, last - first, PROT_READ | PROT_WRITE) != 0) throw std::bad_alloc();
    std::memcpy(target, code.data(), code.size());
    if (mprotect(pages, last - first, PROT_READ | PROT_EXEC) != 0) throw std::bad_alloc();
    used_ += code.size();
    return target;
#else
    (void)code;
    throw Error("this build cannot run compiled code");
#endif
}

ExecutionResult jit_execute(Store::Impl& store, Function& function, uint64_t* args_and_results) {
    if (native_stack_limit() == 0)
        return execute_on_engine_thread(store, function, args_and_results);
    return execute_here(store, function, args_and_results);
}

namespace {

ExecutionResult execute_here(Store::Impl& store, Function& function, uint64_t* args_and_results) {
    ExecutionResult result;
    JitRegs regs;
    regs.store = &store;
    regs.result = &result;
    regs.current = &function;
    const SandboxLimits& limits = store.limits;
    regs.stack_end = store.value_stack.get() + store.value_stack_size;
    regs.native_limit = native_stack_limit();
    regs.remaining_depth = limits.max_call_depth;
    regs.fuel = initial_fuel(limits);
    // The entry is charged like a call: fuel first, then what enter checks.
    int trap = --regs.fuel < 0 ? record_trap(&regs, TrapKind::FuelExhausted, &function)
                               : enter(&regs, function, args_and_results);
    if (trap) {
        result.trapped = true;
        result.trap = static_cast<TrapKind>(trap - 1);
        result.trap_function = regs.current;
        result.depth = limits.max_call_depth - regs.remaining_depth;
        result.machine_stack_bytes = stack_position() - regs.native_limit;
    } else {
        result.fuel_left = regs.fuel;
    }
    return result;
}

} // namespace

} // namespace wasmacro::wasm
