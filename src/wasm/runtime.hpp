// Runtime objects behind the handles of engine.hpp. Internal to src/wasm.
#pragma once

#include "wasm/engine.hpp"
#include "wasm/slot_code.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wasmacro::wasm {

/// A try block of a function's slot code (the exception-handling proposal's
/// first form): where an exception raised by the code in [start, end), the
/// try body's, is caught. Regions nest as the blocks do.
struct TryRegion {
    uint32_t start = 0, end = 0; ///< offsets in SlotCode::code
    /// The region an exception goes on to when no clause here takes it: the
    /// enclosing try body's, a delegate's target, or -1 for the caller.
    int32_t outer = -1;
    /// Where a caught exception is kept while its clause runs, for rethrow:
    /// the tag (a Tag*), then the values it carries.
    uint32_t exception_slot = 0;
    /// Where a catch clause finds the values it receives (the slot of the
    /// try block's stack height).
    uint32_t values_slot = 0;
    struct Clause {
        const struct Tag* tag = nullptr; ///< null for catch_all
        uint32_t handler = 0;            ///< offset of the clause's code
    };
    std::vector<Clause> clauses; ///< none for a delegate
};

/// A function's translated code (see slot_code.hpp for the format).
struct SlotCode {
    std::vector<uint8_t> code;
    /// Each instruction's kind, in the order of `code`: the code itself holds
    /// only handler addresses, and the compiling tier and the disassembler
    /// walk the two together.
    std::vector<IOp> kinds;
    uint32_t num_locals = 0; ///< parameters plus declared locals
    uint32_t frame_size = 0; ///< slots used: locals, operand stack, results
    /// Innermost last among those that contain a given offset: the order of
    /// their `try` instructions.
    std::vector<TryRegion> try_regions;
};

/// An exception tag: its identity is the object's address.
struct Tag {
    const FuncType* type = nullptr;
};

struct Function {
    const FuncType* type = nullptr;
    uint32_t type_id = 0; ///< canonical within the store: equal ids, equal types
    uint32_t num_params = 0;
    uint32_t num_results = 0;

    // A wasm function: defined by `instance`, translated on its first call.
    Instance* instance = nullptr;
    Memory* memory = nullptr; ///< the instance's memory 0, or null
    uint32_t index = 0;       ///< in the module's function index space
    const Code* code = nullptr;
    std::unique_ptr<SlotCode> slot_code;
    /// For the compiling tier: its machine code, or until that exists a
    /// stub that compiles it (compiled code calls through this field).
    void* jit_entry = nullptr;
    bool jit_compiled = false;

    // A host function.
    HostFunction host;
    std::string host_name;
    std::unique_ptr<FuncType> owned_type;

    bool is_host() const { return instance == nullptr; }
};

/// The interpreter may write this many slots past the end of a frame
/// (fixed-size zeroing and argument copies), so the value stack has that much
/// room beyond the last frame it admits.
constexpr size_t frame_overrun_slots = 8;

/// The bytes a store holds for its guests, against SandboxLimits::max_store_bytes.
struct ByteBudget {
    const SandboxLimits* limits = nullptr;
    uint64_t held = 0;

    uint64_t available() const {
        uint64_t limit = limits->store_bytes();
        return held < limit ? limit - held : 0;
    }
    /// False, taking nothing, when `bytes` would exceed the budget.
    bool take(uint64_t bytes) {
        if (bytes > available()) return false;
        held += bytes;
        return true;
    }
    void give_back(uint64_t bytes) { held -= std::min(bytes, held); }
};

constexpr uint64_t page_size = 65536;
constexpr uint32_t max_pages_32bit = 65536; ///< 4 GiB: the most a 32-bit memory can have

struct Memory {
    MemoryType type;
    uint8_t* base = nullptr;      ///< reserved once for the largest size allowed, so it never moves
    uint64_t size = 0;            ///< in bytes
    uint64_t reserved = 0;        ///< bytes reserved at base
    uint32_t max_pages = 0;       ///< declared maximum, or the 32-bit limit
    ByteBudget* budget = nullptr; ///< the owning store's, charged as it grows

    Memory() = default;
    Memory(const Memory&) = delete;
    Memory& operator=(const Memory&) = delete;
    ~Memory();
    uint64_t pages() const { return size / page_size; }
};

struct Table {
    TableType type;
    std::vector<uint64_t> elements;
    uint32_t max_size = 0;
    ByteBudget* budget = nullptr; ///< the owning store's, charged as it grows
};

struct Global {
    GlobalType type;
    uint64_t value = 0;
};

struct Instance::Impl {
    std::shared_ptr<const Module> module;
    std::vector<Function*> functions;
    std::vector<Table*> tables;
    std::vector<Memory*> memories;
    std::vector<Global*> globals;
    std::vector<Tag*> tags;
    std::vector<uint32_t> type_ids; ///< canonical id of each of the module's types
    /// Element segments as evaluated references; emptied by elem.drop.
    std::vector<std::vector<uint64_t>> elements;
    /// Whether each data segment was dropped (data.drop, or applied when active).
    std::vector<bool> data_dropped;
};

/// Operations too rare or too large for the interpreter loop. They return
/// false (and set `trap`) when they trap.
bool table_init(Instance::Impl& instance, Table& table, uint32_t segment, uint32_t dst,
                uint32_t src, uint32_t count);
bool table_copy(Table& dst_table, Table& src_table, uint32_t dst, uint32_t src, uint32_t count);
uint32_t table_grow(Table& table, uint64_t init, uint32_t delta);
bool table_fill(Table& table, uint32_t at, uint64_t value, uint32_t count);
bool memory_init(Instance::Impl& instance, Memory& memory, uint32_t segment, uint32_t dst,
                 uint32_t src, uint32_t count);
/// memory.grow: the old size in pages, or -1. A request beyond the sandbox
/// cap (but within the declared maximum) is a MemoryLimitExceeded trap,
/// reported through `limit_exceeded`.
uint32_t memory_grow(Memory& memory, uint32_t delta, uint32_t sandbox_cap, bool& limit_exceeded);

/// Translates a wasm function on its first call.
void translate_function(Function& function);

/// How a call ended, in either tier; args and results share a buffer, as in
/// a frame.
struct ExecutionResult {
    bool trapped = false;
    TrapKind trap = TrapKind::Unreachable;
    const Function* trap_function = nullptr;
    std::optional<uint32_t> element; ///< for undefined and uninitialized elements
    std::exception_ptr host_exception;
    // For MachineStackExhausted: how deep the calls were, and the stack they had.
    uint32_t depth = 0;
    uint64_t machine_stack_bytes = 0;
    /// The fuel a call that returned had left (initial_fuel minus what it used).
    int64_t fuel_left = 0;
};
/// Runs a wasm function in the interpreter (the store picks the tier).
ExecutionResult interpret(Store::Impl& store, Function& function, uint64_t* args_and_results);

/// call_indirect's checks: the function at `element` of `table`, if there is
/// one and its type is `type_id`; otherwise null, with the trap (and for a
/// missing function, the element) recorded in `result`.
inline Function* indirect_callee(const Table& table, uint32_t element, uint32_t type_id,
                                 ExecutionResult& result) {
    auto* callee = element < table.elements.size()
                       ? reinterpret_cast<Function*>(table.elements[element])
                       : nullptr;
    if (!callee) {
        result.trap = element < table.elements.size() ? TrapKind::UninitializedElement
                                                      : TrapKind::UndefinedElement;
        result.element = element;
    } else if (callee->type_id != type_id) {
        result.trap = TrapKind::IndirectCallTypeMismatch;
        return nullptr;
    }
    return callee;
}
/// Runs one instruction of slot code that neither branches nor calls, on its
/// own (for the compiling tier's rare instructions), charging `fuel` as the
/// interpreter would; the trap code, or 0.
int execute_one(const uint8_t* instruction, size_t size, uint64_t* fp, Function& current,
                uint32_t max_memory_pages, int64_t& fuel, ExecutionResult& result);

/// A call's fuel as the tiers count it: down, as signed, so a budget beyond
/// 2^63 (unlimited) is clamped.
inline int64_t initial_fuel(const SandboxLimits& limits) {
    return static_cast<int64_t>(std::min<uint64_t>(limits.fuel, INT64_MAX));
}

/// Calls a host function with its arguments at `slots`, writing its results
/// there, and takes what it charged from `fuel`; false when it threw, with
/// the exception in `failure`.
bool call_host(Function& callee, uint64_t* slots, Memory* memory, int64_t& fuel,
               std::exception_ptr& failure);

class JitCode;

struct Store::Impl {
    Impl();
    ~Impl();
    SandboxLimits limits;
    ByteBudget budget{&limits};
    /// The compiling tier's code; null while the store interprets.
    std::unique_ptr<JitCode> jit;
    /// Tier::Adaptive: the fuel its calls have used while interpreted, which
    /// decides when it starts compiling.
    bool adaptive = false;
    uint64_t interpreted_fuel = 0;
    std::vector<std::unique_ptr<Function>> functions;
    std::vector<std::unique_ptr<Memory>> memories;
    std::vector<std::unique_ptr<Table>> tables;
    std::vector<std::unique_ptr<Global>> globals;
    std::vector<std::unique_ptr<Tag>> tags;
    /// The values of the exception being thrown, while the interpreter
    /// looks for its handler.
    std::vector<uint64_t> exception_values;
    std::vector<std::unique_ptr<Instance>> instances;
    std::vector<FuncType> canonical_types;

    /// The value stack and call frames, reused by every call. value_stack_size
    /// leaves frame_overrun_slots spare at the end of the allocation.
    std::unique_ptr<uint64_t[]> value_stack;
    size_t value_stack_size = 0;
    struct Frame {
        const uint8_t* return_ip;
        uint64_t* fp;
        Function* function;
        Memory* memory; ///< function's, kept here so a return need not read the function
    };
    std::vector<Frame> frames;
    bool running = false;
    /// What the last call used of its fuel, if it returned (Store::last_call_fuel_used).
    std::optional<uint64_t> last_call_fuel_used;

    uint32_t intern(const FuncType& type);
    Memory* new_memory(MemoryType type);
};

} // namespace wasmacro::wasm
