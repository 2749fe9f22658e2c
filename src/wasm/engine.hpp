// The WebAssembly engine's interface for the layers above: load a module,
// instantiate it in a Store with imports, call its exports under sandbox limits.
#pragma once

#include "wasm/module.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace wasmacro::wasm {

struct Function;
struct Memory;
struct Table;
struct Global;
class Instance;
class Store;

/// Per-call resource limits. The defaults are generous enough for serde_derive
/// on large types while stopping a runaway macro in well under a second.
struct SandboxLimits {
    /// Work budget of one call: charged one unit per function call and per
    /// loop iteration, the only ways wasm code can run for long.
    uint64_t fuel = 50'000'000;
    /// Cap on any linear memory, in 64 KiB pages: 256 MiB by default, more
    /// than the default fuel lets serde fill (a 200-variant enum takes 46 MiB
    /// and 6.3M units). Built for wasm32, the engine reserves its memories
    /// inside its own 4 GiB, so this is also what each may take there (see
    /// src/wasi/mman.cpp).
    uint32_t max_memory_pages = 4096;
    /// Cap on nested wasm calls.
    uint32_t max_call_depth = 10000;
    /// Cap on the host memory a store holds for its guests, all together:
    /// linear memories (as they grow), tables, globals, element segments, and
    /// what host functions keep for the guest (charge_host_bytes), such as a
    /// macro host's handle tables. 0, the default, is a full memory and
    /// 64 MiB more (store_bytes()). It bounds an expansion's time too: first
    /// touches of memory are what the worst expansions spend it on
    /// (bench/limits/run.sh).
    uint64_t max_store_bytes = 0;

    uint64_t store_bytes() const {
        return max_store_bytes ? max_store_bytes
                               : uint64_t{max_memory_pages} * 65536 + (uint64_t{64} << 20);
    }
};

/// How a store runs wasm code.
enum class Tier : uint8_t {
    Compiler,    ///< translated to x86-64 machine code on a function's first call
    Interpreter, ///< interpreted: any host, including one without executable memory
    /// Interpreted until the store's calls have done about as much work as
    /// compiling the code they ran would cost, then compiled. Compiling a
    /// function costs more than running it a few times: a rustc that expands
    /// four derives is faster interpreted, an `expand` of 600 compiled.
    Adaptive,
};
/// Adaptive where the compiler can run, unless the environment variable
/// WASMACRO_TIER is `interpreter` or `compiler`.
Tier default_tier();

/// Load-time: a module that imports something the resolver does not provide,
/// or with an incompatible type.
class LinkError : public Error {
public:
    using Error::Error;
};

enum class TrapKind : uint8_t {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    UndefinedElement,
    UninitializedElement,
    IndirectCallTypeMismatch,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversion,
    CallStackExhausted,
    FuelExhausted,
    MemoryLimitExceeded,
    HostError,
    /// Compiled code's wasm calls are machine calls: the thread's stack ran
    /// out before the depth cap was reached. Worded as CallStackExhausted.
    MachineStackExhausted,
    /// A wasm exception (`throw`) that no `catch` took.
    UncaughtException,
};
/// The spec's wording, e.g. "integer divide by zero".
std::string_view message(TrapKind kind);

/// Execution stopped: names the trap and, where known, the function.
class Trap : public Error {
public:
    /// `element` is the table index of an undefined or uninitialized element.
    Trap(TrapKind kind, std::string function_name, std::string detail = {},
         std::optional<uint32_t> element = {});
    TrapKind kind() const { return kind_; }
    const std::string& function_name() const { return function_; }

private:
    TrapKind kind_;
    std::string function_;
};

/// A typed value at the API boundary. Inside the engine every value is 64
/// untyped bits: integers zero-extended, floats as their bit patterns, a
/// funcref as its Function pointer, an externref as the host's nonzero token
/// (0 is null for both reference types).
struct Value {
    ValType type = ValType::I32;
    uint64_t bits = 0;

    static Value i32(uint32_t v) { return {ValType::I32, v}; }
    static Value i64(uint64_t v) { return {ValType::I64, v}; }
    static Value f32_bits(uint32_t v) { return {ValType::F32, v}; }
    static Value f64_bits(uint64_t v) { return {ValType::F64, v}; }
    static Value f32(float v);
    static Value f64(double v);
    static Value funcref(Function* f) { return {ValType::FuncRef, reinterpret_cast<uintptr_t>(f)}; }
    static Value externref(uint64_t token) { return {ValType::ExternRef, token}; }
    static Value null(ValType ref_type) { return {ref_type, 0}; }

    uint32_t as_u32() const { return static_cast<uint32_t>(bits); }
    float as_f32() const;
    double as_f64() const;
    friend bool operator==(const Value&, const Value&) = default;
};
std::string to_string(const Value& value); ///< e.g. "i32:42", "f64:1.5"

/// Fuel for work on `bytes` bytes done in one step (memory.fill, table.copy,
/// a host function copying or lexing guest data): one unit, plus one per 64
/// bytes, about what a loop doing the same work would cost. Without it one
/// instruction could fill a gigabyte for the price of one unit.
constexpr int64_t bulk_fuel(uint64_t bytes) {
    return 1 + static_cast<int64_t>(bytes / 64);
}

/// What a host function sees of its call. Results are written by the host.
class HostCall {
public:
    HostCall(std::span<const uint64_t> call_args, std::span<uint64_t> call_results, Memory* memory)
        : args(call_args), results(call_results), memory_(memory) {}

    std::span<const uint64_t> args;
    std::span<uint64_t> results;

    /// The calling instance's memory 0, bounds-checked: throws a
    /// MemoryOutOfBounds Trap unless [address, address+length) is inside it.
    std::span<uint8_t> guest_bytes(uint32_t address, uint32_t length) const;

    /// Charges the call's fuel for work on `bytes` bytes (see bulk_fuel): a
    /// host function whose work grows with its input must, or a guest could
    /// make it do unbounded work for a unit a call. Past the budget, the call
    /// ends in a FuelExhausted trap when the host function returns.
    void charge_for_bytes(uint64_t bytes) { fuel_used_ += bulk_fuel(bytes); }
    /// Charges `units` of fuel for work that is not a matter of bytes, such
    /// as an allocation per handle or per tree, at about the rate wasm code
    /// doing the same work for the same time would pay.
    void charge_fuel(int64_t units) { fuel_used_ += units; }
    int64_t fuel_used() const { return fuel_used_; }

private:
    Memory* memory_;
    int64_t fuel_used_ = 0;
};

/// A host function. It may throw; the call is then abandoned and the exception
/// reaches the caller of Store::call unchanged.
using HostFunction = std::function<void(HostCall&)>;

using Extern = std::variant<Function*, Table*, Memory*, Global*>;
ExternKind kind_of(const Extern& external);

/// Finds what an import is linked to; nullopt if nothing provides it.
using ImportResolver = std::function<std::optional<Extern>(const Import&)>;

/// The slot code (the engine's internal code, which both tiers run) of the
/// instance's exported function `name`, or of every exported function if
/// `name` is empty, as text: a `;; export` line for each, then an
/// instruction a line. Translates the functions no call has yet. Empty when
/// no export matches. For `wasmacro run --dump-code` and the engine's tests.
std::string disassemble_exports(Instance& instance, std::string_view name = {});

/// Decodes and validates a binary module. Throws DecodeError or ValidationError.
std::shared_ptr<const Module> load_module(std::span<const uint8_t> bytes);

/// Owns every runtime object (instances, functions, memories, tables, globals)
/// for its lifetime. Single-threaded.
class Store {
public:
    /// Asked for the compiler where it cannot run, a store interprets.
    explicit Store(SandboxLimits limits = {}, Tier tier = default_tier());
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    SandboxLimits& limits();
    /// The tier the next call runs in: Compiler or Interpreter (an adaptive
    /// store's is Interpreter until it compiles; Interpreter wherever the
    /// compiler cannot run, and once a module that uses exception handling,
    /// which only the interpreter implements, is instantiated in it).
    Tier tier() const;

    /// Host-side data kept for the guest counts against limits().max_store_bytes
    /// with the store's own objects: false, charging nothing, if `bytes` more
    /// would go over it.
    bool charge_host_bytes(uint64_t bytes);
    void release_host_bytes(uint64_t bytes);
    /// What the budget has left.
    uint64_t available_bytes() const;

    Function* create_host_function(FuncType type, HostFunction function, std::string name);
    Memory* create_memory(MemoryType type);
    Table* create_table(TableType type, Value init);
    Global* create_global(GlobalType type, Value value);

    /// Links the imports, allocates the module's own objects, initialises
    /// globals, tables and memories from the segments and runs the start
    /// function. Throws LinkError, or Trap when a segment or start traps (the
    /// objects written before the trap keep their contents, as in the spec)
    /// or when the module's objects do not fit the budget or the host's memory.
    Instance& instantiate(std::shared_ptr<const Module> module, const ImportResolver& resolver);

    /// Calls a function with fresh per-call limits. Throws Trap, or whatever
    /// a host function threw; the store stays usable afterwards.
    std::vector<Value> call(Function& function, std::span<const Value> args);
    /// Untyped fast path: args and results as raw 64-bit values.
    void call_raw(Function& function, std::span<const uint64_t> args, std::span<uint64_t> results);
    /// The fuel the last call used, if it returned rather than trapped. Both
    /// tiers charge alike, so they must agree on it (the engine fuzzer checks).
    std::optional<uint64_t> last_call_fuel_used() const;

    struct Impl;

private:
    Instance& instantiate_within_budget(std::shared_ptr<const Module> module,
                                        const ImportResolver& resolver);
    std::unique_ptr<Impl> impl_;
};

class Instance {
public:
    const Module& module() const;
    std::optional<Extern> find_export(std::string_view name) const;
    Function* exported_function(std::string_view name) const;
    Memory* memory(uint32_t index = 0) const;

    struct Impl;
    explicit Instance(std::unique_ptr<Impl> impl);
    ~Instance();
    Impl& impl() { return *impl_; }
    const Impl& impl() const { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

// Accessors for runtime objects.
const FuncType& type_of(const Function& function);
std::string function_display_name(const Function& function);
uint64_t memory_size_pages(const Memory& memory);
std::span<uint8_t> memory_bytes(Memory& memory);
GlobalType type_of(const Global& global);
Value get(const Global& global);
TableType type_of(const Table& table);
uint32_t size(const Table& table);

} // namespace wasmacro::wasm
