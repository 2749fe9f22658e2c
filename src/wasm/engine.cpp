// Stores, instances and the runtime objects: linking, instantiation (spec
// section 4.5.4), memories and tables, and the entry point for calls.
#include "wasm/runtime.hpp"
#include "wasm/x64_compile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>

namespace wasmacro::wasm {
namespace {

/// The value stack every call of a store shares, in slots. Reserved, not
/// touched, so its size costs address space only.
constexpr size_t value_stack_slots = size_t{4} << 20;

std::string import_name(const Import& import) {
    return fmt::format("\"{}\" \"{}\"", import.module, import.name);
}

/// Throws unless `bytes` more fit in the store's budget; the trap says what
/// (`what`) went over.
void check_budget(const ByteBudget& budget, uint64_t bytes, std::string_view what) {
    if (bytes > budget.available())
        throw Trap(TrapKind::MemoryLimitExceeded, {},
                   fmt::format("{} needs {} bytes, and the store has {} of its {} MiB left for "
                               "memories, tables, globals, segments and host data",
                               what, bytes, budget.available(),
                               budget.limits->store_bytes() >> 20));
}
/// Takes `bytes` from the store's budget for `what`, or throws as check_budget.
void take_or_trap(ByteBudget& budget, uint64_t bytes, std::string_view what) {
    check_budget(budget, bytes, what);
    budget.take(bytes);
}

bool limits_match(uint64_t actual_min, std::optional<uint64_t> actual_max,
                  const SizeLimits& wanted) {
    if (actual_min < wanted.min) return false;
    if (!wanted.max) return true;
    return actual_max && *actual_max <= *wanted.max;
}

} // namespace

// --- values, traps, externs ---

Value Value::f32(float v) {
    return f32_bits(std::bit_cast<uint32_t>(v));
}
Value Value::f64(double v) {
    return f64_bits(std::bit_cast<uint64_t>(v));
}
float Value::as_f32() const {
    return std::bit_cast<float>(static_cast<uint32_t>(bits));
}
double Value::as_f64() const {
    return std::bit_cast<double>(bits);
}

std::string to_string(const Value& value) {
    switch (value.type) {
    case ValType::I32: return fmt::format("i32:{}", static_cast<int32_t>(value.bits));
    case ValType::I64: return fmt::format("i64:{}", static_cast<int64_t>(value.bits));
    case ValType::F32: return fmt::format("f32:{}", value.as_f32());
    case ValType::F64: return fmt::format("f64:{}", value.as_f64());
    case ValType::FuncRef:
        return value.bits ? fmt::format("funcref:{:#x}", value.bits) : "funcref:null";
    case ValType::ExternRef:
        return value.bits ? fmt::format("externref:{}", value.bits) : "externref:null";
    case ValType::V128: break;
    }
    return "v128";
}

std::string_view message(TrapKind kind) {
    switch (kind) {
    case TrapKind::Unreachable: return "unreachable executed";
    case TrapKind::MemoryOutOfBounds: return "out of bounds memory access";
    case TrapKind::TableOutOfBounds: return "out of bounds table access";
    case TrapKind::UndefinedElement: return "undefined element";
    case TrapKind::UninitializedElement: return "uninitialized element";
    case TrapKind::IndirectCallTypeMismatch: return "indirect call type mismatch";
    case TrapKind::IntegerDivideByZero: return "integer divide by zero";
    case TrapKind::IntegerOverflow: return "integer overflow";
    case TrapKind::InvalidConversion: return "invalid conversion to integer";
    case TrapKind::CallStackExhausted: return "call stack exhausted";
    case TrapKind::FuelExhausted: return "fuel exhausted";
    case TrapKind::MemoryLimitExceeded: return "memory limit exceeded";
    case TrapKind::HostError: return "host function failed";
    case TrapKind::MachineStackExhausted: return "call stack exhausted";
    case TrapKind::UncaughtException: return "uncaught exception";
    }
    return "trap";
}

static std::string trap_text(TrapKind kind, const std::string& function, const std::string& detail,
                             std::optional<uint32_t> element) {
    std::string text(message(kind));
    if (element) text += fmt::format(" {}", *element);
    if (!function.empty()) text += fmt::format(" in function {}", function);
    if (!detail.empty()) text += fmt::format(" ({})", detail);
    return text;
}

Trap::Trap(TrapKind kind, std::string function_name, std::string detail,
           std::optional<uint32_t> element)
    : Error(trap_text(kind, function_name, detail, element)), kind_(kind),
      function_(std::move(function_name)) {}

ExternKind kind_of(const Extern& external) {
    return static_cast<ExternKind>(external.index());
}

std::span<uint8_t> HostCall::guest_bytes(uint32_t address, uint32_t length) const {
    if (!memory_ || uint64_t{address} + length > memory_->size)
        throw Trap(TrapKind::MemoryOutOfBounds, {},
                   fmt::format("host access to {} bytes at {:#x}, memory has {} bytes", length,
                               address, memory_ ? memory_->size : 0));
    return {memory_->base + address, length};
}

std::shared_ptr<const Module> load_module(std::span<const uint8_t> bytes) {
    try {
        auto module = std::make_shared<Module>(decode_module(bytes));
        validate_module(*module);
        return module;
    } catch (const std::bad_alloc&) {
        throw DecodeError("module", 0, "the host has not the memory to load it");
    }
}

// --- runtime objects ---

Memory::~Memory() {
    if (base) munmap(base, reserved);
}

const FuncType& type_of(const Function& function) {
    return *function.type;
}

std::string function_display_name(const Function& function) {
    if (function.is_host()) return function.host_name;
    std::string_view name = function.instance->module().function_name(function.index);
    if (name.empty()) return fmt::format("#{}", function.index);
    return fmt::format("#{} `{}`", function.index, name);
}

uint64_t memory_size_pages(const Memory& memory) {
    return memory.pages();
}
std::span<uint8_t> memory_bytes(Memory& memory) {
    return {memory.base, static_cast<size_t>(memory.size)};
}
GlobalType type_of(const Global& global) {
    return global.type;
}
Value get(const Global& global) {
    return {global.type.type, global.value};
}
TableType type_of(const Table& table) {
    return table.type;
}
uint32_t size(const Table& table) {
    return static_cast<uint32_t>(table.elements.size());
}

uint32_t memory_grow(Memory& memory, uint32_t delta, uint32_t sandbox_cap, bool& limit_exceeded) {
    uint64_t old_pages = memory.pages();
    uint64_t new_pages = old_pages + delta;
    if (new_pages > memory.max_pages) return 0xFFFFFFFF;
    if (new_pages > sandbox_cap || new_pages * page_size > memory.reserved ||
        !memory.budget->take(uint64_t{delta} * page_size)) {
        limit_exceeded = true;
        return 0xFFFFFFFF;
    }
    memory.size = new_pages * page_size;
    return static_cast<uint32_t>(old_pages);
}

uint32_t table_grow(Table& table, uint64_t init, uint32_t delta) {
    uint64_t old_size = table.elements.size();
    uint64_t new_size = old_size + delta;
    // Past the store's budget the wasm answer is the same as past the
    // table's maximum: -1, which the spec allows for any resource limit.
    uint64_t bytes = uint64_t{delta} * sizeof(uint64_t);
    if (new_size > table.max_size || !table.budget->take(bytes)) return 0xFFFFFFFF;
    try {
        table.elements.resize(new_size, init);
    } catch (const std::bad_alloc&) {
        table.budget->give_back(bytes);
        return 0xFFFFFFFF;
    }
    return static_cast<uint32_t>(old_size);
}

bool table_fill(Table& table, uint32_t at, uint64_t value, uint32_t count) {
    if (uint64_t{at} + count > table.elements.size()) return false;
    std::fill_n(table.elements.begin() + at, count, value);
    return true;
}

bool table_copy(Table& dst_table, Table& src_table, uint32_t dst, uint32_t src, uint32_t count) {
    if (uint64_t{src} + count > src_table.elements.size() ||
        uint64_t{dst} + count > dst_table.elements.size())
        return false;
    auto from = src_table.elements.begin() + src;
    if (&dst_table == &src_table && dst > src)
        std::copy_backward(from, from + count, dst_table.elements.begin() + dst + count);
    else
        std::copy(from, from + count, dst_table.elements.begin() + dst);
    return true;
}

bool table_init(Instance::Impl& instance, Table& table, uint32_t segment, uint32_t dst,
                uint32_t src, uint32_t count) {
    const std::vector<uint64_t>& items = instance.elements[segment];
    if (uint64_t{src} + count > items.size() || uint64_t{dst} + count > table.elements.size())
        return false;
    std::copy_n(items.begin() + src, count, table.elements.begin() + dst);
    return true;
}

bool memory_init(Instance::Impl& instance, Memory& memory, uint32_t segment, uint32_t dst,
                 uint32_t src, uint32_t count) {
    const DataSegment& data = instance.module->data[segment];
    uint64_t available = instance.data_dropped[segment] ? 0 : data.size;
    if (uint64_t{src} + count > available || uint64_t{dst} + count > memory.size) return false;
    if (count)
        std::memcpy(memory.base + dst, instance.module->bytes.data() + data.data_offset + src,
                    count);
    return true;
}

// --- the store ---

uint32_t Store::Impl::intern(const FuncType& type) {
    auto found = std::find(canonical_types.begin(), canonical_types.end(), type);
    if (found != canonical_types.end())
        return static_cast<uint32_t>(found - canonical_types.begin());
    canonical_types.push_back(type);
    return static_cast<uint32_t>(canonical_types.size() - 1);
}

Memory* Store::Impl::new_memory(MemoryType type) {
    auto memory = std::make_unique<Memory>();
    memory->type = type;
    memory->max_pages = static_cast<uint32_t>(
        std::min<uint64_t>(type.limits.max.value_or(max_pages_32bit), max_pages_32bit));
    if (type.limits.min > limits.max_memory_pages)
        throw Trap(TrapKind::MemoryLimitExceeded, {},
                   fmt::format("the module needs {} pages of memory at start, the limit is {}",
                               type.limits.min, limits.max_memory_pages));
    uint64_t bytes = type.limits.min * page_size;
    check_budget(budget, bytes, fmt::format("a memory of {} pages at start", type.limits.min));
    memory->budget = &budget;
    // Reserve the most the memory may ever have, so its base never moves and
    // the interpreter can keep it in a register.
    uint64_t reserve_pages =
        std::max<uint64_t>(1, std::min<uint64_t>(memory->max_pages, limits.max_memory_pages));
    memory->reserved = reserve_pages * page_size;
    void* base = mmap(nullptr, memory->reserved, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        throw Trap(TrapKind::MemoryLimitExceeded, {},
                   fmt::format("cannot reserve {} bytes for a linear memory", memory->reserved));
    memory->base = static_cast<uint8_t*>(base);
    memory->size = bytes;
    memories.push_back(std::move(memory));
    budget.take(bytes);
    return memories.back().get();
}

Tier default_tier() {
    const char* variable = std::getenv("WASMACRO_TIER");
    std::string_view chosen = variable ? variable : "";
    if (chosen == "interpreter") return Tier::Interpreter;
    if (chosen == "compiler") return Tier::Compiler;
    return Tier::Adaptive;
}

Store::Impl::Impl() = default;
Store::Impl::~Impl() = default;

Store::Store(SandboxLimits limits, Tier tier) : impl_(std::make_unique<Impl>()) {
    impl_->limits = limits;
    try {
        if (tier == Tier::Compiler && jit_supported()) impl_->jit = std::make_unique<JitCode>();
        impl_->adaptive = tier == Tier::Adaptive && jit_supported();
        impl_->value_stack.reset(new uint64_t[value_stack_slots]);
    } catch (const std::bad_alloc&) {
        throw Trap(TrapKind::MemoryLimitExceeded, {},
                   fmt::format("the host could not allocate a store's {} MiB value stack",
                               value_stack_slots * sizeof(uint64_t) >> 20));
    }
    impl_->value_stack_size = value_stack_slots - frame_overrun_slots;
}

Store::~Store() = default;

SandboxLimits& Store::limits() {
    return impl_->limits;
}

Tier Store::tier() const {
    return impl_->jit ? Tier::Compiler : Tier::Interpreter;
}

bool Store::charge_host_bytes(uint64_t bytes) {
    return impl_->budget.take(bytes);
}
void Store::release_host_bytes(uint64_t bytes) {
    impl_->budget.give_back(bytes);
}
uint64_t Store::available_bytes() const {
    return impl_->budget.available();
}

Function* Store::create_host_function(FuncType type, HostFunction function, std::string name) {
    auto f = std::make_unique<Function>();
    f->owned_type = std::make_unique<FuncType>(std::move(type));
    f->type = f->owned_type.get();
    f->type_id = impl_->intern(*f->type);
    f->num_params = static_cast<uint32_t>(f->type->params.size());
    f->num_results = static_cast<uint32_t>(f->type->results.size());
    f->host = std::move(function);
    f->host_name = std::move(name);
    impl_->functions.push_back(std::move(f));
    return impl_->functions.back().get();
}

Memory* Store::create_memory(MemoryType type) {
    return impl_->new_memory(type);
}

Table* Store::create_table(TableType type, Value init) {
    uint64_t bytes = uint64_t{type.limits.min} * sizeof(uint64_t);
    check_budget(impl_->budget, bytes, fmt::format("a table of {} elements", type.limits.min));
    auto table = std::make_unique<Table>();
    table->budget = &impl_->budget;
    table->type = type;
    table->max_size =
        static_cast<uint32_t>(std::min<uint64_t>(type.limits.max.value_or(0xFFFFFFFF), 0xFFFFFFFF));
    table->elements.assign(type.limits.min, init.bits);
    impl_->tables.push_back(std::move(table));
    impl_->budget.take(bytes);
    return impl_->tables.back().get();
}

Global* Store::create_global(GlobalType type, Value value) {
    take_or_trap(impl_->budget, sizeof(Global), "a global");
    auto global = std::make_unique<Global>();
    global->type = type;
    global->value = value.bits;
    impl_->globals.push_back(std::move(global));
    return impl_->globals.back().get();
}

namespace {

uint64_t evaluate(const ConstExpr& expr, const Instance::Impl& instance) {
    switch (expr.kind) {
    case ConstExpr::Kind::GlobalGet: return instance.globals[expr.value]->value;
    case ConstExpr::Kind::RefNull: return 0;
    case ConstExpr::Kind::RefFunc:
        return reinterpret_cast<uintptr_t>(instance.functions[expr.value]);
    default: return expr.value;
    }
}

void check_import(const Import& import, const Extern& external, Store::Impl& store,
                  const Module& module) {
    auto incompatible = [&](std::string_view why) {
        return LinkError(
            fmt::format("incompatible import type for {}: {}", import_name(import), why));
    };
    if (kind_of(external) != import.kind)
        throw incompatible(
            fmt::format("expected a {}, got a {}", name(import.kind), name(kind_of(external))));
    switch (import.kind) {
    case ExternKind::Func: {
        const Function& f = *std::get<Function*>(external);
        const FuncType& wanted = module.types[import.func_type];
        if (f.type_id != store.intern(wanted))
            throw incompatible(
                fmt::format("expected {}, got {}", to_string(wanted), to_string(*f.type)));
        break;
    }
    case ExternKind::Table: {
        const Table& t = *std::get<Table*>(external);
        std::optional<uint64_t> max;
        if (t.type.limits.max) max = t.max_size;
        if (t.type.element != import.table.element ||
            !limits_match(t.elements.size(), max, import.table.limits))
            throw incompatible("table element type or limits differ");
        break;
    }
    case ExternKind::Memory: {
        const Memory& m = *std::get<Memory*>(external);
        std::optional<uint64_t> max;
        if (m.type.limits.max) max = m.max_pages;
        if (!limits_match(m.pages(), max, import.memory.limits))
            throw incompatible("memory limits differ");
        break;
    }
    case ExternKind::Global: {
        const Global& g = *std::get<Global*>(external);
        if (g.type.type != import.global.type || g.type.is_mutable != import.global.is_mutable)
            throw incompatible("global type or mutability differs");
        break;
    }
    case ExternKind::Tag: break; // refused before
    }
}

} // namespace

Instance& Store::instantiate(std::shared_ptr<const Module> module_ptr,
                             const ImportResolver& resolver) {
    try {
        return instantiate_within_budget(std::move(module_ptr), resolver);
    } catch (const std::bad_alloc&) {
        // The budget admitted the module (it may have been raised past what
        // the host has): the load fails, the store and the process go on.
        throw Trap(TrapKind::MemoryLimitExceeded, {},
                   fmt::format("the host has not the memory for the module's tables, memories "
                               "and segments, though they fit the store's budget of {} MiB",
                               impl_->limits.store_bytes() >> 20));
    }
}

Instance& Store::instantiate_within_budget(std::shared_ptr<const Module> module_ptr,
                                           const ImportResolver& resolver) {
    const Module& module = *module_ptr;
    auto impl = std::make_unique<Instance::Impl>();
    Instance::Impl& inst = *impl;
    inst.module = module_ptr;

    for (const Import& import : module.imports) {
        // Exceptions do not cross instances here: a tag is the module's own.
        if (import.kind == ExternKind::Tag)
            throw LinkError(
                fmt::format("unknown import {}: tags cannot be imported", import_name(import)));
        std::optional<Extern> external = resolver ? resolver(import) : std::nullopt;
        if (!external) throw LinkError(fmt::format("unknown import {}", import_name(import)));
        check_import(import, *external, *impl_, module);
        std::visit(
            [&](auto* object) {
                using T = std::remove_pointer_t<decltype(object)>;
                if constexpr (std::is_same_v<T, Function>) inst.functions.push_back(object);
                if constexpr (std::is_same_v<T, Table>) inst.tables.push_back(object);
                if constexpr (std::is_same_v<T, Memory>) inst.memories.push_back(object);
                if constexpr (std::is_same_v<T, Global>) inst.globals.push_back(object);
            },
            *external);
    }

    impl_->instances.push_back(std::make_unique<Instance>(std::move(impl)));
    Instance& instance = *impl_->instances.back();

    // All the module's objects against the budget before any is made: a
    // module over it is refused without first zero-filling what fits.
    uint64_t table_bytes = 0, memory_bytes = 0, element_bytes = 0;
    for (const TableType& type : module.tables) table_bytes += type.limits.min * sizeof(uint64_t);
    for (const MemoryType& type : module.memories) memory_bytes += type.limits.min * page_size;
    for (const ElementSegment& segment : module.elements)
        element_bytes += segment.items.size() * sizeof(uint64_t);
    uint64_t other_bytes =
        module.functions.size() * sizeof(Function) + module.globals.size() * sizeof(Global);
    check_budget(impl_->budget, table_bytes + memory_bytes + element_bytes + other_bytes,
                 fmt::format("the module ({} tables of {} bytes, {} memories of {}, {} element "
                             "segments of {}, {} globals and {} functions of {})",
                             module.tables.size(), table_bytes, module.memories.size(),
                             memory_bytes, module.elements.size(), element_bytes,
                             module.globals.size(), module.functions.size(), other_bytes));

    for (const FuncType& type : module.types) inst.type_ids.push_back(impl_->intern(type));
    for (const TableType& type : module.tables)
        inst.tables.push_back(create_table(type, Value::null(type.element)));
    for (const MemoryType& type : module.memories) inst.memories.push_back(create_memory(type));
    Memory* memory0 = inst.memories.empty() ? nullptr : inst.memories[0];
    take_or_trap(impl_->budget, module.functions.size() * sizeof(Function),
                 fmt::format("{} functions", module.functions.size()));
    for (size_t i = 0; i < module.functions.size(); ++i) {
        auto f = std::make_unique<Function>();
        f->index = module.imported_functions + static_cast<uint32_t>(i);
        f->type = &module.types[module.functions[i]];
        f->type_id = inst.type_ids[module.functions[i]];
        f->num_params = static_cast<uint32_t>(f->type->params.size());
        f->num_results = static_cast<uint32_t>(f->type->results.size());
        f->instance = &instance;
        f->memory = memory0;
        f->code = &module.codes[i];
        impl_->functions.push_back(std::move(f));
        inst.functions.push_back(impl_->functions.back().get());
    }
    for (uint32_t type : module.tags) {
        impl_->tags.push_back(std::make_unique<Tag>(Tag{&module.types[type]}));
        inst.tags.push_back(impl_->tags.back().get());
    }
    // Only the interpreter implements exception handling: from now on the
    // store interprets every call, and never compiles again (the code of
    // functions compiled so far goes with the compiling tier).
    if (module.features & FeatureExceptions) {
        impl_->jit.reset();
        impl_->adaptive = false;
    }
    for (const GlobalDef& global : module.globals)
        inst.globals.push_back(
            create_global(global.type, {global.type.type, evaluate(global.init, inst)}));
    for (const ElementSegment& segment : module.elements) {
        uint64_t bytes = segment.items.size() * sizeof(uint64_t);
        check_budget(impl_->budget, bytes, fmt::format("element segment {}", inst.elements.size()));
        std::vector<uint64_t> items;
        items.reserve(segment.items.size());
        for (const ConstExpr& item : segment.items) items.push_back(evaluate(item, inst));
        inst.elements.push_back(std::move(items));
        impl_->budget.take(bytes);
    }
    inst.data_dropped.assign(module.data.size(), false);

    // Segments are applied in order; one out of bounds stops instantiation
    // with what was written before it kept.
    for (size_t i = 0; i < module.elements.size(); ++i) {
        const ElementSegment& segment = module.elements[i];
        if (segment.mode == SegmentMode::Active) {
            auto offset = static_cast<uint32_t>(evaluate(segment.offset, inst));
            auto count = static_cast<uint32_t>(inst.elements[i].size());
            if (!table_init(inst, *inst.tables[segment.table], static_cast<uint32_t>(i), offset, 0,
                            count))
                throw Trap(
                    TrapKind::TableOutOfBounds, {},
                    fmt::format("element segment {} does not fit in table {}", i, segment.table));
        }
        if (segment.mode != SegmentMode::Passive) inst.elements[i].clear();
    }
    for (size_t i = 0; i < module.data.size(); ++i) {
        const DataSegment& segment = module.data[i];
        if (segment.mode != SegmentMode::Active) continue;
        auto offset = static_cast<uint32_t>(evaluate(segment.offset, inst));
        if (!memory_init(inst, *inst.memories[segment.memory], static_cast<uint32_t>(i), offset, 0,
                         segment.size))
            throw Trap(TrapKind::MemoryOutOfBounds, {},
                       fmt::format("data segment {} does not fit in memory", i));
        inst.data_dropped[i] = true;
    }
    if (module.start) call(*inst.functions[*module.start], {});
    return instance;
}

namespace {

/// Fuel that an adaptive store's calls spend interpreted before it
/// compiles: about the work whose interpretation costs as much more than
/// its compiled run as compiling the code costs. Paying that first bounds
/// the loss to about the compile time either way. Measured on serde's
/// derives (25,000 to 150,000 units each; `wasmacro expand` on 20 of them:
/// 40 ms interpreted, 47 ms compiled; on 600: 0.56 s interpreted, 0.29 s
/// compiled, and 0.29 s with this threshold).
constexpr uint64_t tier_up_fuel = 4'000'000;

void tier_up_after(Store::Impl& store, uint64_t fuel_used) {
    store.interpreted_fuel += fuel_used;
    if (store.interpreted_fuel < tier_up_fuel) return;
    try {
        store.jit = std::make_unique<JitCode>();
    } catch (const std::bad_alloc&) {
        // No executable memory now: the store goes on interpreting.
        store.adaptive = false;
    }
}

/// A call from C++: a host function directly, a wasm function in the
/// store's tier.
ExecutionResult execute(Store::Impl& store, Function& function, uint64_t* args_and_results) {
    if (!function.is_host()) {
        if (store.jit) return jit_execute(store, function, args_and_results);
        return interpret(store, function, args_and_results);
    }
    ExecutionResult result;
    int64_t fuel = initial_fuel(store.limits);
    bool returned = call_host(function, args_and_results, nullptr, fuel, result.host_exception);
    if (returned && fuel >= 0) {
        result.fuel_left = fuel;
        return result;
    }
    result.trapped = true;
    result.trap = returned ? TrapKind::FuelExhausted : TrapKind::HostError;
    result.trap_function = &function;
    return result;
}

} // namespace

void Store::call_raw(Function& function, std::span<const uint64_t> args,
                     std::span<uint64_t> results) {
    Impl& store = *impl_;
    if (store.running) throw Error("a wasm call cannot start while another runs in the same store");
    uint64_t* slots = store.value_stack.get();
    std::copy(args.begin(), args.end(), slots);

    struct Running {
        bool& flag;
        explicit Running(bool& f) : flag(f) { flag = true; }
        ~Running() { flag = false; }
    } running(store.running);
    store.last_call_fuel_used.reset();
    ExecutionResult result;
    try {
        result = execute(store, function, slots);
        if (result.host_exception) std::rethrow_exception(result.host_exception);
    } catch (const std::bad_alloc&) {
        // A translation, or a host function, could not get memory: the call
        // fails, the store and the process go on.
        throw Trap(TrapKind::MemoryLimitExceeded, {}, "the host could not allocate memory for it");
    }
    if (result.trapped) {
        std::string detail;
        if (result.trap == TrapKind::FuelExhausted)
            detail = fmt::format("the call used up its fuel budget of {} units", store.limits.fuel);
        else if (result.trap == TrapKind::CallStackExhausted)
            detail = fmt::format("more than {} nested calls, or the value stack is full",
                                 store.limits.max_call_depth);
        else if (result.trap == TrapKind::MachineStackExhausted)
            detail = fmt::format("the machine stack ran out at a depth of {} calls; this thread "
                                 "has {} KiB of it for wasm",
                                 result.depth, result.machine_stack_bytes >> 10);
        else if (result.trap == TrapKind::MemoryLimitExceeded)
            detail = fmt::format("memory may not grow beyond {} pages of 64 KiB, nor the "
                                 "store's memories, tables and host data beyond {} MiB",
                                 store.limits.max_memory_pages, store.limits.store_bytes() >> 20);
        throw Trap(result.trap,
                   result.trap_function ? function_display_name(*result.trap_function) : "", detail,
                   result.element);
    }
    store.last_call_fuel_used = initial_fuel(store.limits) - result.fuel_left;
    std::copy_n(slots, results.size(), results.begin());
    if (store.adaptive && !store.jit) tier_up_after(store, *store.last_call_fuel_used);
}

std::optional<uint64_t> Store::last_call_fuel_used() const {
    return impl_->last_call_fuel_used;
}

std::vector<Value> Store::call(Function& function, std::span<const Value> args) {
    const FuncType& type = *function.type;
    if (args.size() != type.params.size())
        throw Error(fmt::format("function {} takes {} arguments, {} given",
                                function_display_name(function), type.params.size(), args.size()));
    std::vector<uint64_t> raw_args;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i].type != type.params[i])
            throw Error(fmt::format("argument {} of function {} must be {}, not {}", i,
                                    function_display_name(function), name(type.params[i]),
                                    name(args[i].type)));
        raw_args.push_back(args[i].bits);
    }
    std::vector<uint64_t> raw_results(type.results.size());
    call_raw(function, raw_args, raw_results);
    std::vector<Value> results;
    for (size_t i = 0; i < raw_results.size(); ++i)
        results.push_back({type.results[i], raw_results[i]});
    return results;
}

// --- instances ---

Instance::Instance(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Instance::~Instance() = default;

const Module& Instance::module() const {
    return *impl_->module;
}

std::optional<Extern> Instance::find_export(std::string_view export_name) const {
    for (const Export& e : impl_->module->exports) {
        if (e.name != export_name) continue;
        switch (e.kind) {
        case ExternKind::Func: return impl_->functions[e.index];
        case ExternKind::Table: return impl_->tables[e.index];
        case ExternKind::Memory: return impl_->memories[e.index];
        case ExternKind::Global: return impl_->globals[e.index];
        case ExternKind::Tag: break; // not an Extern: exceptions stay inside the instance
        }
    }
    return std::nullopt;
}

Function* Instance::exported_function(std::string_view export_name) const {
    std::optional<Extern> found = find_export(export_name);
    if (!found || kind_of(*found) != ExternKind::Func) return nullptr;
    return std::get<Function*>(*found);
}

Memory* Instance::memory(uint32_t index) const {
    return index < impl_->memories.size() ? impl_->memories[index] : nullptr;
}

} // namespace wasmacro::wasm
