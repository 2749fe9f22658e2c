// Translates a validated function body into the slot code of slot_code.hpp.
//
// The translator keeps a compile-time model of the operand stack. Each entry
// is either already in its canonical slot (locals first, then stack height h
// in slot num_locals + h), or still a reference to a local or a constant that
// has not been copied anywhere. Instructions read locals and constants where
// they are, so most `local.get`s and `i32.const`s cost nothing at run time,
// and a result followed by `local.set` is written straight into the local.
// Before anything control flow can observe (branches, labels, calls), entries
// are moved to their canonical slots, so every label sees one layout.
#include "wasm/opcode.hpp"
#include "wasm/reader.hpp"
#include "wasm/runtime.hpp"
#include "wasm/slot_code.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>

namespace wasmacro::wasm {
namespace {

constexpr size_t no_position = std::numeric_limits<size_t>::max();

struct Operand {
    enum class Kind : uint8_t { InSlot, InLocal, Constant };
    Kind kind = Kind::InSlot;
    uint32_t local = 0;
    uint64_t value = 0;
};

struct Fixup {
    size_t instruction; ///< start of the branching instruction
    size_t field;       ///< position of its rel:i32 field
};

struct Control {
    enum class Kind : uint8_t { Function, Block, Loop, If, Try };
    Kind kind;
    uint32_t height; ///< operand stack height below the block's parameters
    uint32_t params;
    uint32_t results;
    size_t loop_start = 0;
    std::vector<Fixup> end_fixups;
    Fixup else_fixup{no_position, no_position};
    bool unreachable = false;
    // A try block: its TryRegion, and whether its catch clauses have begun.
    int32_t region = -1;
    bool in_catch = false;

    uint32_t label_arity() const { return kind == Kind::Loop ? params : results; }
};

/// The last emitted instruction, while it may still be rewritten: retargeted
/// to write a local, or fused with the instruction that consumes its result
/// (a compare or eqz with a branch, an add of a constant with a load/store).
struct LastInstruction {
    size_t start = no_position;
    size_t end = no_position;
    uint32_t height = 0; ///< the stack height its result was written to
    Op op = Op::Nop;     ///< the wasm instruction it implements
    bool has_immediate = false;
    uint32_t a = 0, b = 0; ///< its operand slots
    uint64_t immediate = 0;
};

/// The instruction whose result the accumulator holds at run time ([start,
/// end) in the code), for an instruction that starts at `end`.
struct Accumulator {
    size_t start = no_position;
    size_t end = no_position;
};

// The internal instructions for each numeric, load and store instruction:
// {with operands in slots, with the second operand an immediate}; for loads
// and stores {address in a slot, slot plus a constant, constant address}.
// clang-format off
constexpr auto numeric_iops = [] {
    std::array<std::array<IOp, 3>, static_cast<size_t>(Op::Count_)> table{};
    for (auto& row : table) row = {IOp::Unreachable, IOp::Unreachable, IOp::Unreachable};
#define WASMACRO_MAP_Special(name)
#define WASMACRO_MAP_Const(name)
#define WASMACRO_MAP_Memory(name)
#define WASMACRO_MAP_Unary(name) table[static_cast<size_t>(Op::name)] = {IOp::Un_##name, IOp::Un_##name, IOp::Unreachable};
#define WASMACRO_MAP_Binary(name) table[static_cast<size_t>(Op::name)] = {IOp::Bin_##name, IOp::BinI_##name, IOp::Unreachable};
#define WASMACRO_MAP_Load(name) table[static_cast<size_t>(Op::name)] = {IOp::Ld_##name, IOp::LdA_##name, IOp::LdK_##name};
#define WASMACRO_MAP_Store(name) table[static_cast<size_t>(Op::name)] = {IOp::St_##name, IOp::StA_##name, IOp::StK_##name};
#define WASM_OP(name, prefix, code, text, kind, p1, p2, result, align) WASMACRO_MAP_##kind(name)
#include "wasm/opcodes.def"
#undef WASM_OP
    return table;
}();
// clang-format on

enum class Form : uint8_t { Slots, Immediate, ConstantAddress };
IOp numeric_iop(Op op, Form form = Form::Slots) {
    return numeric_iops[static_cast<size_t>(op)][static_cast<size_t>(form)];
}

// The accumulator variant of each internal instruction that has one.
// clang-format off
constexpr auto accumulator_variants = [] {
    std::array<IOp, static_cast<size_t>(IOp::Count_)> table{};
    for (auto& variant : table) variant = IOp::Count_;
    table[static_cast<size_t>(IOp::BrIfNz)] = IOp::AccBrIfNz;
    table[static_cast<size_t>(IOp::BrIfZ)] = IOp::AccBrIfZ;
#define WASMACRO_ACC(form, name) table[static_cast<size_t>(IOp::form##name)] = IOp::Acc##form##name;
#define WASMACRO_X(name, negated) WASMACRO_ACC(BrIf_, name) WASMACRO_ACC(BrIfI_, name)
    WASMACRO_FUSED_COMPARES(WASMACRO_X)
#undef WASMACRO_X
#define WASMACRO_ACC_Special(name)
#define WASMACRO_ACC_Const(name)
#define WASMACRO_ACC_Memory(name)
#define WASMACRO_ACC_Unary(name) WASMACRO_ACC(Un_, name)
#define WASMACRO_ACC_Binary(name) WASMACRO_ACC(Bin_, name) WASMACRO_ACC(BinI_, name)
#define WASMACRO_ACC_Load(name) WASMACRO_ACC(Ld_, name) WASMACRO_ACC(LdA_, name)
#define WASMACRO_ACC_Store(name) WASMACRO_ACC(St_, name) WASMACRO_ACC(StA_, name) WASMACRO_ACC(StK_, name)
#define WASM_OP(name, prefix, code, text, kind, p1, p2, result, align) WASMACRO_ACC_##kind(name)
#include "wasm/opcodes.def"
#undef WASM_OP
#undef WASMACRO_ACC
    return table;
}();
// clang-format on

/// The fused compare-and-branch for `op`; `negate` gives the one that
/// branches when the comparison is false. Nullopt if `op` does not fuse.
std::optional<IOp> fused_branch(Op op, bool immediate, bool negate) {
    switch (op) {
#define WASMACRO_X(name, negated)                                                                  \
    case Op::name:                                                                                 \
        if (negate) return immediate ? IOp::BrIfI_##negated : IOp::BrIf_##negated;                 \
        return immediate ? IOp::BrIfI_##name : IOp::BrIf_##name;
        WASMACRO_FUSED_RELATIONS(WASMACRO_X)
#undef WASMACRO_X
    case Op::I32And:
        if (negate) return immediate ? IOp::BrIfI_I32AndZ : IOp::BrIf_I32AndZ;
        return immediate ? IOp::BrIfI_I32AndNz : IOp::BrIf_I32AndNz;
    default: return std::nullopt;
    }
}

/// The constant that i32.add or i32.sub (`op`) of `constant` adds, wrapping.
uint32_t as_added(Op op, uint64_t constant) {
    auto added = static_cast<uint32_t>(constant);
    return op == Op::I32Sub ? 0u - added : added;
}

bool is_commutative(Op op) {
    switch (op) {
    case Op::I32Add:
    case Op::I32Mul:
    case Op::I32And:
    case Op::I32Or:
    case Op::I32Xor:
    case Op::I32Eq:
    case Op::I32Ne:
    case Op::I64Add:
    case Op::I64Mul:
    case Op::I64And:
    case Op::I64Or:
    case Op::I64Xor:
    case Op::I64Eq:
    case Op::I64Ne: return true;
    default: return false;
    }
}

class Translator {
public:
    explicit Translator(Function& function)
        : function_(function), instance_(function.instance->impl()), module_(*instance_.module),
          handlers_(interpreter_handlers()) {}

    std::unique_ptr<SlotCode> translate();

private:
    // --- emitting ---
    /// Appends instruction `op` with its fields (a tail, if its layout has
    /// one, follows with append_tail); returns where it starts.
    template <typename L>
    size_t emit(IOp op, const L& fields) {
        if (layout_of(op) != L::layout)
            throw Error(
                fmt::format("internal error: {} emitted with another layout", iop_name(op)));
        size_t start = code_.size();
        uint64_t handler = reinterpret_cast<uintptr_t>(handlers_[static_cast<size_t>(op)]);
        append(&handler, sizeof handler);
        append(&fields, sizeof fields);
        kinds_.push_back(op);
        last_ = {};
        accumulator_before_last_ = accumulator_;
        return start;
    }
    void append_tail(uint32_t element) { append(&element, sizeof element); }
    /// Removes the last emitted instruction, which starts at `start`.
    void remove_last(size_t start) {
        code_.resize(start);
        kinds_.pop_back();
        last_ = {};
        accumulator_ = accumulator_before_last_;
    }
    /// Makes the last emitted instruction, which starts at `start`, `op`:
    /// an instruction of the same layout.
    void change_last(size_t start, IOp op) {
        const void* handler = handlers_[static_cast<size_t>(op)];
        std::memcpy(code_.data() + start, &handler, sizeof handler);
        kinds_.back() = op;
    }
    /// The instruction just emitted at `start` leaves its result (whose slot
    /// is its first field) in the accumulator.
    void note_accumulator(size_t start) { accumulator_ = {start, code_.size()}; }
    /// Makes the instruction just emitted at `start` read `operand` from the
    /// accumulator if the instruction before it left that slot's value there.
    void prefer_accumulator(size_t start, IOp op, uint32_t operand) {
        IOp variant = accumulator_variants[static_cast<size_t>(op)];
        if (variant == IOp::Count_ || !holds(accumulator_before_last_, start, operand)) return;
        change_last(start, variant);
    }
    /// Whether `held` holds `operand` for an instruction starting at `at`.
    bool holds(const Accumulator& held, size_t at, uint32_t operand) const {
        if (held.end != at) return false;
        uint32_t held_slot;
        std::memcpy(&held_slot, code_.data() + held.start + slot::header_bytes, 4);
        return held_slot == operand;
    }
    void append(const void* data, size_t n) {
        const auto* bytes = static_cast<const uint8_t*>(data);
        code_.insert(code_.end(), bytes, bytes + n);
    }
    static int32_t rel(size_t instruction, size_t target) {
        return static_cast<int32_t>(static_cast<int64_t>(target) -
                                    static_cast<int64_t>(instruction));
    }
    void patch_rel(const Fixup& fixup, size_t target) {
        int32_t offset = rel(fixup.instruction, target);
        std::memcpy(code_.data() + fixup.field, &offset, 4);
    }
    /// A result-writing instruction's dst is its first field; remember it so
    /// a following local.set can retarget it.
    void note_result(size_t start, uint32_t height) {
        last_.start = start;
        last_.end = code_.size();
        last_.height = height;
    }
    void label_here() {
        last_ = {};
        accumulator_ = {};
        global_add_ = {};
    }
    bool produced_by_last(const Operand& entry, uint32_t h) const {
        return entry.kind == Operand::Kind::InSlot && last_.end == code_.size() &&
               last_.height == h;
    }

    // --- the operand stack model ---
    uint32_t slot(uint32_t height) const { return num_locals_ + height; }
    uint32_t height() const { return static_cast<uint32_t>(stack_.size()); }
    void push(Operand operand) {
        stack_.push_back(operand);
        max_height_ = std::max(max_height_, height());
    }
    void push_slot() { push({}); }
    Operand pop() {
        Operand top = stack_.back();
        stack_.pop_back();
        return top;
    }
    void emit_copy(uint32_t dst, uint32_t src) {
        note_accumulator(emit(IOp::Copy, slot::Copy{.dst = dst, .src = src}));
    }
    void emit_const(uint32_t dst, uint64_t value) {
        note_accumulator(emit(IOp::Const, slot::Const{.dst = dst, .value = value}));
    }
    /// Moves the entry at `h` into its canonical slot.
    void materialize(uint32_t h) {
        Operand& entry = stack_[h];
        if (entry.kind == Operand::Kind::InLocal) {
            emit_copy(slot(h), entry.local);
        } else if (entry.kind == Operand::Kind::Constant) {
            emit_const(slot(h), entry.value);
        }
        entry.kind = Operand::Kind::InSlot;
    }
    void materialize_from(uint32_t from) {
        for (uint32_t h = from; h < height(); ++h) materialize(h);
    }
    void materialize_all() { materialize_from(0); }
    /// The slot to read an operand (popped from height h) from; constants
    /// are first written to their canonical slot.
    uint32_t read(const Operand& entry, uint32_t h) {
        switch (entry.kind) {
        case Operand::Kind::InLocal: return entry.local;
        case Operand::Kind::Constant: emit_const(slot(h), entry.value); return slot(h);
        case Operand::Kind::InSlot: break;
        }
        return slot(h);
    }

    // --- control ---
    Control& label(uint32_t depth) { return controls_[controls_.size() - 1 - depth]; }
    void block_arity(const detail::BlockType& block, uint32_t& params, uint32_t& results) const;
    void copy_values(uint32_t from_height, uint32_t to_slot, uint32_t count);
    void emit_return();
    /// Emits an unconditional branch to `target` with its values in place.
    void emit_branch(Control& target);
    /// Pops a condition and emits a branch taken when it is `when`; returns
    /// the branch's offset field to patch.
    Fixup emit_branch_if(bool when);
    void emit_conditional_branch(uint32_t depth);
    void emit_if();
    void skip_unreachable(detail::Reader& reader);
    void end_block();

    // --- exception handling ---
    /// The deepest nesting of try blocks in the body, which decides how many
    /// slots the caught exceptions take.
    uint32_t max_try_depth() const;
    /// The region of the innermost try block, at `depth` or outside it, that
    /// is still in its body: where an exception raised there goes; -1 for
    /// the caller.
    int32_t handling_region(uint32_t depth) const;
    void begin_try(const detail::BlockType& block);
    /// Ends the try body or catch clause before a `catch` or `catch_all`
    /// (`tag` null) and starts the clause.
    void begin_catch(const Tag* tag);
    void delegate(uint32_t depth);

    // --- instructions ---
    void compile_unary(Op op);
    void compile_binary(Op op);
    /// After the numeric instruction `iop` (for `op`) just emitted at
    /// `start`, whose first operand is `a`: its result, at height h, is on
    /// the stack and in the accumulator, and the instruction may still fuse.
    void push_numeric_result(size_t start, IOp iop, Op op, uint32_t a, uint32_t h);
    void local_set(uint32_t local, bool tee);
    /// If the address at height h was just computed as `base + constant`,
    /// removes that add so the access can do it: the address is then
    /// (u32)(slot base + added), exactly what the add would have produced.
    bool take_address_add(const Operand& address, uint32_t h, uint32_t& base, uint32_t& added) {
        if (!produced_by_last(address, h) || last_.op != Op::I32Add || !last_.has_immediate)
            return false;
        base = last_.a;
        added = static_cast<uint32_t>(last_.immediate);
        remove_last(last_.start);
        return true;
    }
    void call(Function* callee, uint32_t num_params, uint32_t num_results);
    /// global.get + i32.add/sub of a constant, as GlobalAddI; false if the
    /// binary at height h is not that.
    bool fuse_global_add(Op op, uint32_t h);
    void global_set(Global* global);

    Function& function_;
    Instance::Impl& instance_;
    const Module& module_;
    const void* const* handlers_;
    std::vector<uint8_t> code_;
    std::vector<IOp> kinds_;
    std::vector<Operand> stack_;
    std::vector<Control> controls_;
    LastInstruction last_;
    Accumulator accumulator_, accumulator_before_last_;
    Accumulator global_add_; ///< the last GlobalAddI emitted, which a global.set may absorb
    uint32_t num_locals_ = 0;
    uint32_t max_height_ = 0;
    std::vector<TryRegion> try_regions_;
    /// A try block at nesting level k keeps its caught exception in the
    /// slots from exception_slots_ + k * exception_slots_per_try_ (after
    /// the declared locals): the tag, then the values of the largest tag.
    uint32_t exception_slots_ = 0;
    uint32_t exception_slots_per_try_ = 0;
};

void Translator::block_arity(const detail::BlockType& block, uint32_t& params,
                             uint32_t& results) const {
    params = 0;
    results = block.kind == detail::BlockType::Empty ? 0 : 1;
    if (block.kind != detail::BlockType::Index) return;
    const FuncType& type = module_.types[block.index];
    params = static_cast<uint32_t>(type.params.size());
    results = static_cast<uint32_t>(type.results.size());
}

void Translator::copy_values(uint32_t from_height, uint32_t to_slot, uint32_t count) {
    for (uint32_t k = 0; k < count; ++k) {
        if (slot(from_height + k) != to_slot + k) emit_copy(to_slot + k, slot(from_height + k));
    }
}

void Translator::emit_return() {
    uint32_t n = function_.num_results;
    if (n == 1) {
        uint32_t h = height() - 1;
        emit(IOp::Return1, slot::Return1{.src = read(stack_[h], h)});
        return;
    }
    materialize_from(height() - n);
    copy_values(height() - n, 0, n);
    emit(IOp::Return, slot::Bare{});
}

void Translator::emit_branch(Control& target) {
    if (target.kind == Control::Kind::Function) return emit_return();
    materialize_all();
    uint32_t n = target.label_arity();
    copy_values(height() - n, slot(target.height), n);
    if (target.kind == Control::Kind::Loop) {
        emit(IOp::Br, slot::Br{.rel = rel(code_.size(), target.loop_start)});
    } else {
        size_t start = emit(IOp::Br, slot::Br{.rel = 0});
        target.end_fixups.push_back({start, start + WASMACRO_SLOT_FIELD_OFFSET(Br, rel)});
    }
}

Fixup Translator::emit_branch_if(bool when) {
    uint32_t cond_height = height() - 1;
    Operand cond = pop();
    LastInstruction producer = last_;
    bool fuse =
        produced_by_last(cond, cond_height) &&
        (producer.op == Op::I32Eqz || fused_branch(producer.op, producer.has_immediate, false));
    uint32_t cond_slot = 0;
    if (fuse)
        remove_last(producer.start);
    else
        cond_slot = read(cond, cond_height);
    materialize_all();

    IOp branch;
    uint32_t first = producer.a;
    if (fuse && producer.op == Op::I32Eqz) {
        branch = when ? IOp::BrIfZ : IOp::BrIfNz;
    } else if (fuse) {
        branch = *fused_branch(producer.op, producer.has_immediate, !when);
    } else {
        branch = when ? IOp::BrIfNz : IOp::BrIfZ;
        first = cond_slot;
    }
    size_t start, rel_field;
    if (!fuse || producer.op == Op::I32Eqz) {
        start = emit(branch, slot::BrIf{.cond = first, .rel = 0});
        rel_field = WASMACRO_SLOT_FIELD_OFFSET(BrIf, rel);
    } else if (producer.has_immediate) {
        start = emit(branch, slot::BrIfCompareI{.a = first, .imm = producer.immediate, .rel = 0});
        rel_field = WASMACRO_SLOT_FIELD_OFFSET(BrIfCompareI, rel);
    } else {
        start = emit(branch, slot::BrIfCompare{.a = first, .b = producer.b, .rel = 0});
        rel_field = WASMACRO_SLOT_FIELD_OFFSET(BrIfCompare, rel);
    }
    prefer_accumulator(start, branch, first);
    return {start, start + rel_field};
}

void Translator::emit_conditional_branch(uint32_t depth) {
    Control& target = label(depth);
    uint32_t n = target.label_arity();
    uint32_t values_height = height() - 1 - n;
    bool direct =
        target.kind != Control::Kind::Function && (n == 0 || values_height == target.height);
    if (direct) {
        Fixup fixup = emit_branch_if(true);
        if (target.kind == Control::Kind::Loop)
            patch_rel(fixup, target.loop_start);
        else
            target.end_fixups.push_back(fixup);
        return;
    }
    // Values to move first, or a return: branch over that when false.
    Fixup skip = emit_branch_if(false);
    emit_branch(target);
    patch_rel(skip, code_.size());
    label_here();
}

void Translator::emit_if() {
    controls_.back().else_fixup = emit_branch_if(false);
}

// Skips the dead code after an unconditional branch up to the `else` or `end`
// that closes the current block, leaving the reader on it.
void Translator::skip_unreachable(detail::Reader& reader) {
    uint32_t depth = 0;
    for (;;) {
        detail::Instr in;
        detail::read_instr(reader, in, {});
        switch (in.op) {
        case Op::Block:
        case Op::Loop:
        case Op::If:
        case Op::Try: ++depth; break;
        case Op::Else:
        case Op::Catch:
        case Op::CatchAll:
        case Op::Delegate:
        case Op::End:
            if (depth == 0) {
                reader.seek(in.offset);
                return;
            }
            if (in.op == Op::End || in.op == Op::Delegate) --depth;
            break;
        default: break;
        }
    }
}

void Translator::end_block() {
    Control& block = controls_.back();
    if (!block.unreachable) materialize_all();
    label_here();
    size_t here = code_.size();
    for (const Fixup& fixup : block.end_fixups) patch_rel(fixup, here);
    if (block.else_fixup.field != no_position) patch_rel(block.else_fixup, here);
    stack_.resize(block.height);
    for (uint32_t i = 0; i < block.results; ++i) push_slot();
    controls_.pop_back();
}

uint32_t Translator::max_try_depth() const {
    const Code& body = *function_.code;
    detail::Reader reader(module_.bytes.data(), body.body_offset, body.body_end, "code");
    std::vector<bool> is_try{false};
    uint32_t depth = 0, deepest = 0;
    while (!is_try.empty()) {
        detail::Instr in;
        detail::read_instr(reader, in, {});
        switch (in.op) {
        case Op::Block:
        case Op::Loop:
        case Op::If: is_try.push_back(false); break;
        case Op::Try:
            is_try.push_back(true);
            deepest = std::max(deepest, ++depth);
            break;
        case Op::End:
        case Op::Delegate:
            if (is_try.back()) --depth;
            is_try.pop_back();
            break;
        default: break;
        }
    }
    return deepest;
}

int32_t Translator::handling_region(uint32_t depth) const {
    for (size_t i = controls_.size() - depth; i-- > 0;) {
        const Control& outer = controls_[i];
        if (outer.kind == Control::Kind::Try && !outer.in_catch) return outer.region;
    }
    return -1;
}

void Translator::begin_try(const detail::BlockType& block) {
    uint32_t params, results;
    block_arity(block, params, results);
    materialize_all();
    label_here();
    uint32_t level = 0;
    for (const Control& outer : controls_)
        if (outer.kind == Control::Kind::Try) ++level;
    TryRegion region;
    region.start = static_cast<uint32_t>(code_.size());
    region.outer = handling_region(0);
    region.exception_slot = exception_slots_ + level * exception_slots_per_try_;
    region.values_slot = slot(height() - params);
    try_regions_.push_back(std::move(region));
    Control control{Control::Kind::Try, height() - params, params, results, 0, {}};
    control.region = static_cast<int32_t>(try_regions_.size() - 1);
    controls_.push_back(std::move(control));
}

void Translator::begin_catch(const Tag* tag) {
    Control& block = controls_.back();
    if (!block.unreachable) {
        materialize_all();
        size_t start = emit(IOp::Br, slot::Br{.rel = 0});
        block.end_fixups.push_back({start, start + WASMACRO_SLOT_FIELD_OFFSET(Br, rel)});
    }
    TryRegion& region = try_regions_[block.region];
    if (!block.in_catch) region.end = static_cast<uint32_t>(code_.size());
    block.in_catch = true;
    // The interpreter enters a clause with the stack below the block in
    // place and the tag's values in the slots above it.
    label_here();
    region.clauses.push_back({tag, static_cast<uint32_t>(code_.size())});
    block.unreachable = false;
    stack_.resize(block.height);
    if (tag)
        for (size_t i = 0; i < tag->type->params.size(); ++i) push_slot();
}

void Translator::delegate(uint32_t depth) {
    Control& block = controls_.back();
    if (!block.unreachable) materialize_all();
    TryRegion& region = try_regions_[block.region];
    region.end = static_cast<uint32_t>(code_.size());
    // The label is counted from outside the try block.
    region.outer = handling_region(depth + 1);
    end_block();
}

void Translator::compile_unary(Op op) {
    uint32_t h = height() - 1;
    uint32_t a = read(pop(), h);
    IOp iop = numeric_iop(op);
    push_numeric_result(emit(iop, slot::Un{.dst = slot(h), .a = a}), iop, op, a, h);
}

void Translator::push_numeric_result(size_t start, IOp iop, Op op, uint32_t a, uint32_t h) {
    prefer_accumulator(start, iop, a);
    note_accumulator(start);
    push_slot();
    note_result(start, h);
    last_.op = op;
    last_.a = a;
}

void Translator::compile_binary(Op op) {
    uint32_t h = height() - 2;
    if (fuse_global_add(op, h)) return;
    Operand rhs = pop();
    Operand lhs = pop();
    bool immediate = false;
    uint64_t value = 0;
    uint32_t a = 0, b = 0;
    if (rhs.kind == Operand::Kind::Constant) {
        immediate = true;
        value = rhs.value;
        a = read(lhs, h);
    } else if (lhs.kind == Operand::Kind::Constant && is_commutative(op)) {
        immediate = true;
        value = lhs.value;
        a = read(rhs, h + 1);
    } else {
        a = read(lhs, h);
        b = read(rhs, h + 1);
        size_t here = code_.size();
        if (is_commutative(op) && holds(accumulator_, here, b) && !holds(accumulator_, here, a))
            std::swap(a, b);
    }
    IOp iop = numeric_iop(op, immediate ? Form::Immediate : Form::Slots);
    size_t start = immediate ? emit(iop, slot::BinI{.dst = slot(h), .a = a, .imm = value})
                             : emit(iop, slot::Bin{.dst = slot(h), .a = a, .b = b});
    push_numeric_result(start, iop, op, a, h);
    last_.has_immediate = immediate;
    last_.b = b;
    last_.immediate = value;
}

bool Translator::fuse_global_add(Op op, uint32_t h) {
    const Operand& lhs = stack_[h];
    const Operand& rhs = stack_[h + 1];
    if ((op != Op::I32Add && op != Op::I32Sub) || rhs.kind != Operand::Kind::Constant ||
        !produced_by_last(lhs, h) || last_.op != Op::GlobalGet)
        return false;
    uint32_t added = as_added(op, rhs.value);
    Global* global = slot::decode<slot::GlobalGet>(code_.data() + last_.start).global.get();
    remove_last(last_.start);
    pop();
    pop();
    size_t start =
        emit(IOp::GlobalAddI, slot::GlobalAddI{.dst = slot(h), .global = global, .added = added});
    note_accumulator(start);
    push_slot();
    note_result(start, h);
    global_add_ = {start, code_.size()};
    return true;
}

void Translator::global_set(Global* global) {
    uint32_t h = height() - 1;
    Operand value = pop();
    // global.get g; i32.const; i32.sub; [local.tee]; global.set g: one instruction.
    if (global_add_.end == code_.size()) {
        const auto& add = slot::decode<slot::GlobalAddI>(code_.data() + global_add_.start);
        uint32_t dst = add.dst;
        bool same_value = value.kind == Operand::Kind::InLocal  ? value.local == dst
                          : value.kind == Operand::Kind::InSlot ? slot(h) == dst
                                                                : false;
        if (add.global.get() == global && same_value) {
            change_last(global_add_.start, IOp::GlobalBumpI);
            return;
        }
    }
    // local.get; i32.const; i32.add; global.set: the add goes into the set.
    // (Its operand's slot holds the value even if the add read the
    // accumulator: every instruction that fills the accumulator writes its
    // slot as well.)
    if (produced_by_last(value, h) && (last_.op == Op::I32Add || last_.op == Op::I32Sub) &&
        last_.has_immediate) {
        uint32_t added = as_added(last_.op, last_.immediate);
        uint32_t a = last_.a;
        remove_last(last_.start);
        emit(IOp::GlobalSetAddI, slot::GlobalSetAddI{.global = global, .src = a, .added = added});
        return;
    }
    emit(IOp::GlobalSet, slot::GlobalSet{.global = global, .src = read(value, h)});
}

void Translator::local_set(uint32_t local, bool tee) {
    uint32_t h = height() - 1;
    Operand value = stack_[h];
    bool referenced_below = false;
    for (uint32_t i = 0; i < h; ++i)
        if (stack_[i].kind == Operand::Kind::InLocal && stack_[i].local == local)
            referenced_below = true;

    if (value.kind == Operand::Kind::InSlot && last_.end == code_.size() && last_.height == h &&
        !referenced_below) {
        // Make the instruction that produced the value write the local itself.
        std::memcpy(code_.data() + last_.start + slot::header_bytes, &local, 4);
        last_ = {};
    } else {
        for (uint32_t i = 0; i < h; ++i)
            if (stack_[i].kind == Operand::Kind::InLocal && stack_[i].local == local)
                materialize(i);
        if (value.kind == Operand::Kind::Constant)
            emit_const(local, value.value);
        else if (!(value.kind == Operand::Kind::InLocal && value.local == local))
            emit_copy(local, value.kind == Operand::Kind::InLocal ? value.local : slot(h));
    }
    pop();
    if (tee) push({Operand::Kind::InLocal, local, 0});
}

void Translator::call(Function* callee, uint32_t num_params, uint32_t num_results) {
    // The call copies its arguments into place itself, from wherever they are:
    // only constants need a slot first.
    uint32_t base_height = height() - num_params;
    for (uint32_t h = base_height; h < height(); ++h)
        if (stack_[h].kind == Operand::Kind::Constant) materialize(h);
    if (callee->instance == function_.instance) // the entry is filled in by the first call
        emit(IOp::CallLocal, slot::CallLocal{.callee = callee,
                                             .base = slot(base_height),
                                             .count = num_params,
                                             .entry = nullptr,
                                             .frame_size = 0,
                                             .zeroed = 0});
    else
        emit(IOp::Call,
             slot::Call{.callee = callee, .base = slot(base_height), .count = num_params});
    for (uint32_t h = base_height; h < height(); ++h)
        append_tail(stack_[h].kind == Operand::Kind::InLocal ? stack_[h].local : slot(h));
    for (uint32_t i = num_params; i < call_unrolled_arguments; ++i) append_tail(0);
    stack_.resize(base_height);
    for (uint32_t i = 0; i < num_results; ++i) push_slot();
}

std::unique_ptr<SlotCode> Translator::translate() {
    const FuncType& type = *function_.type;
    const Code& body = *function_.code;
    num_locals_ = static_cast<uint32_t>(type.params.size() + body.locals.size());
    if (module_.features & FeatureExceptions) {
        size_t largest = 0;
        for (uint32_t tag_type : module_.all_tags)
            largest = std::max(largest, module_.types[tag_type].params.size());
        exception_slots_ = num_locals_;
        exception_slots_per_try_ = static_cast<uint32_t>(1 + largest);
        num_locals_ += max_try_depth() * exception_slots_per_try_;
    }
    controls_.push_back({Control::Kind::Function, 0, 0, function_.num_results, 0, {}});

    // The validator has accepted the body, so reading it cannot fail.
    detail::Reader reader(module_.bytes.data(), body.body_offset, body.body_end, "code");
    while (!controls_.empty()) {
        detail::Instr in;
        detail::read_instr(reader, in, {});
        Op op = in.op;
        const OpInfo& row = info(op);
        switch (op) {
        case Op::Unreachable:
            emit(IOp::Unreachable, slot::Bare{});
            controls_.back().unreachable = true;
            break;
        case Op::Nop: break;
        case Op::Block: {
            uint32_t params, results;
            block_arity(in.block, params, results);
            materialize_all();
            controls_.push_back({Control::Kind::Block, height() - params, params, results, 0, {}});
            break;
        }
        case Op::Loop: {
            uint32_t params, results;
            block_arity(in.block, params, results);
            materialize_all();
            label_here();
            Control loop{Control::Kind::Loop, height() - params, params, results, 0, {}};
            loop.loop_start = code_.size(); // branches back here charge fuel
            controls_.push_back(std::move(loop));
            break;
        }
        case Op::If: {
            uint32_t params, results;
            block_arity(in.block, params, results);
            controls_.push_back({Control::Kind::If, height() - 1 - params, params, results, 0, {}});
            emit_if();
            break;
        }
        case Op::Else: {
            Control& block = controls_.back();
            if (!block.unreachable) {
                materialize_all();
                size_t start = emit(IOp::Br, slot::Br{.rel = 0});
                block.end_fixups.push_back({start, start + WASMACRO_SLOT_FIELD_OFFSET(Br, rel)});
            }
            label_here();
            patch_rel(block.else_fixup, code_.size());
            block.else_fixup = {no_position, no_position};
            block.unreachable = false;
            stack_.resize(block.height);
            for (uint32_t i = 0; i < block.params; ++i) push_slot();
            break;
        }
        case Op::End:
            if (controls_.size() == 1) {
                if (!controls_.back().unreachable) emit_return();
                controls_.pop_back();
            } else {
                Control& block = controls_.back();
                if (block.kind == Control::Kind::Try && !block.in_catch)
                    try_regions_[block.region].end = static_cast<uint32_t>(code_.size());
                end_block();
            }
            break;
        case Op::Try: begin_try(in.block); break;
        case Op::Catch: begin_catch(instance_.tags[in.a]); break;
        case Op::CatchAll: begin_catch(nullptr); break;
        case Op::Delegate: delegate(in.a); break;
        case Op::Throw: {
            auto count = static_cast<uint32_t>(instance_.tags[in.a]->type->params.size());
            uint32_t base_height = height() - count;
            materialize_from(base_height);
            emit(IOp::Throw, slot::Throw{.tag = in.a, .base = slot(base_height)});
            stack_.resize(base_height);
            controls_.back().unreachable = true;
            break;
        }
        case Op::Rethrow:
            emit(IOp::Rethrow,
                 slot::Rethrow{.exception = try_regions_[label(in.a).region].exception_slot});
            controls_.back().unreachable = true;
            break;
        case Op::Br:
            emit_branch(label(in.a));
            controls_.back().unreachable = true;
            break;
        case Op::BrIf: emit_conditional_branch(in.a); break;
        case Op::BrTable: {
            uint32_t count = in.a;
            std::vector<uint32_t> depths(count + 1);
            detail::Reader labels(module_.bytes.data(), in.labels, body.body_end, "code");
            for (uint32_t& depth : depths) depth = labels.u32();
            uint32_t h = height() - 1;
            uint32_t index = read(pop(), h);
            materialize_all();
            size_t start = emit(IOp::BrTable, slot::BrTable{.index = index, .count = count});
            size_t table = code_.size();
            for (uint32_t i = 0; i <= count; ++i) append_tail(0);
            // Targets whose values sit where the label wants them get a direct
            // entry; the others a stub after the table that moves them first.
            for (uint32_t i = 0; i <= count; ++i) {
                Control& target = label(depths[i]);
                uint32_t n = target.label_arity();
                Fixup entry{start, table + 4 * i};
                bool direct = target.kind != Control::Kind::Function &&
                              (n == 0 || height() - n == target.height);
                if (direct && target.kind == Control::Kind::Loop) {
                    patch_rel(entry, target.loop_start);
                } else if (direct) {
                    target.end_fixups.push_back(entry);
                } else {
                    patch_rel(entry, code_.size());
                    emit_branch(target);
                }
            }
            controls_.back().unreachable = true;
            break;
        }
        case Op::Return:
            emit_return();
            controls_.back().unreachable = true;
            break;
        case Op::Call: {
            Function* callee = instance_.functions[in.a];
            call(callee, callee->num_params, callee->num_results);
            break;
        }
        case Op::ReturnCall: {
            Function* callee = instance_.functions[in.a];
            uint32_t base_height = height() - callee->num_params;
            materialize_from(base_height);
            emit(IOp::ReturnCall, slot::ReturnCall{.callee = callee,
                                                   .base = slot(base_height),
                                                   .count = callee->num_params});
            stack_.resize(base_height);
            controls_.back().unreachable = true;
            break;
        }
        case Op::ReturnCallIndirect: {
            const FuncType& callee_type = module_.types[in.a];
            uint32_t h = height() - 1;
            Operand index = pop();
            uint32_t base_height = height() - static_cast<uint32_t>(callee_type.params.size());
            materialize_from(base_height);
            emit(IOp::ReturnCallIndirect, slot::CallIndirect{.table = instance_.tables[in.b],
                                                             .type_id = instance_.type_ids[in.a],
                                                             .index = read(index, h),
                                                             .base = slot(base_height)});
            stack_.resize(base_height);
            controls_.back().unreachable = true;
            break;
        }
        case Op::CallIndirect: {
            uint32_t type_index = in.a;
            uint32_t table_index = in.b;
            const FuncType& callee_type = module_.types[type_index];
            auto num_params = static_cast<uint32_t>(callee_type.params.size());
            uint32_t h = height() - 1;
            Operand index = pop();
            uint32_t base_height = height() - num_params;
            materialize_from(base_height);
            emit(IOp::CallIndirect, slot::CallIndirect{.table = instance_.tables[table_index],
                                                       .type_id = instance_.type_ids[type_index],
                                                       .index = read(index, h),
                                                       .base = slot(base_height)});
            stack_.resize(base_height);
            for (size_t i = 0; i < callee_type.results.size(); ++i) push_slot();
            break;
        }
        case Op::Drop: pop(); break;
        case Op::Select:
        case Op::SelectTyped: {
            uint32_t h = height() - 3;
            Operand cond = pop(), second = pop(), first = pop();
            uint32_t a = read(first, h), b = read(second, h + 1), c = read(cond, h + 2);
            size_t start =
                emit(IOp::Select, slot::Select{.dst = slot(h), .a = a, .b = b, .cond = c});
            push_slot();
            note_result(start, h);
            break;
        }
        case Op::LocalGet: push({Operand::Kind::InLocal, in.a, 0}); break;
        case Op::LocalSet: local_set(in.a, false); break;
        case Op::LocalTee: local_set(in.a, true); break;
        case Op::GlobalGet: {
            Global* global = instance_.globals[in.a];
            uint32_t h = height();
            size_t start = emit(IOp::GlobalGet, slot::GlobalGet{.dst = slot(h), .global = global});
            push_slot();
            note_result(start, h);
            last_.op = Op::GlobalGet;
            break;
        }
        case Op::GlobalSet: global_set(instance_.globals[in.a]); break;
        case Op::TableGet: {
            Table* table = instance_.tables[in.a];
            uint32_t h = height() - 1;
            uint32_t index = read(pop(), h);
            size_t start =
                emit(IOp::TableGet, slot::TableGet{.dst = slot(h), .table = table, .index = index});
            push_slot();
            note_result(start, h);
            break;
        }
        case Op::TableSet: {
            Table* table = instance_.tables[in.a];
            uint32_t h = height() - 2;
            Operand value = pop(), index = pop();
            uint32_t i = read(index, h), v = read(value, h + 1);
            emit(IOp::TableSet, slot::TableSet{.table = table, .index = i, .value = v});
            break;
        }
        case Op::MemorySize: {
            uint32_t h = height();
            emit(IOp::MemorySize, slot::MemorySize{.dst = slot(h)});
            push_slot();
            break;
        }
        case Op::MemoryGrow: {
            uint32_t h = height() - 1;
            uint32_t delta = read(pop(), h);
            emit(IOp::MemoryGrow, slot::MemoryGrow{.dst = slot(h), .delta = delta});
            push_slot();
            break;
        }
        case Op::I32Const: // the reader gives i32 and f32 bits zero-extended
        case Op::I64Const:
        case Op::F32Const:
        case Op::F64Const: push({Operand::Kind::Constant, 0, in.value}); break;
        case Op::RefNull: push({Operand::Kind::Constant, 0, 0}); break;
        case Op::RefIsNull: {
            uint32_t h = height() - 1;
            uint32_t a = read(pop(), h);
            size_t start = emit(IOp::RefIsNull, slot::RefIsNull{.dst = slot(h), .src = a});
            push_slot();
            note_result(start, h);
            break;
        }
        case Op::RefFunc: {
            Function* target = instance_.functions[in.a];
            push({Operand::Kind::Constant, 0, reinterpret_cast<uintptr_t>(target)});
            break;
        }
        case Op::MemoryInit:
        case Op::MemoryCopy:
        case Op::MemoryFill:
        case Op::TableCopy:
        case Op::TableInit:
        case Op::TableFill: {
            // memory.init: segment; table.init: segment, table; table.copy:
            // destination, source; table.fill: table.
            uint32_t immediate1 = in.a, immediate2 = in.b;
            uint32_t h = height() - 3;
            Operand third = pop(), second = pop(), first = pop();
            uint32_t a = read(first, h), b = read(second, h + 1), c = read(third, h + 2);
            switch (op) {
            case Op::MemoryInit:
                emit(IOp::MemoryInit,
                     slot::MemoryInit{.segment = immediate1, .to = a, .from = b, .n = c});
                break;
            case Op::MemoryCopy:
                emit(IOp::MemoryCopy, slot::MemoryCopy{.to = a, .from = b, .n = c});
                break;
            case Op::MemoryFill:
                emit(IOp::MemoryFill, slot::MemoryFill{.to = a, .value = b, .n = c});
                break;
            case Op::TableCopy:
                emit(IOp::TableCopy, slot::TableCopy{.to_table = instance_.tables[immediate1],
                                                     .from_table = instance_.tables[immediate2],
                                                     .to = a,
                                                     .from = b,
                                                     .n = c});
                break;
            case Op::TableInit:
                emit(IOp::TableInit, slot::TableInit{.table = instance_.tables[immediate2],
                                                     .segment = immediate1,
                                                     .to = a,
                                                     .from = b,
                                                     .n = c});
                break;
            default:
                emit(IOp::TableFill,
                     slot::TableFill{
                         .table = instance_.tables[immediate1], .at = a, .value = b, .n = c});
                break;
            }
            break;
        }
        case Op::DataDrop: emit(IOp::DataDrop, slot::SegmentDrop{.segment = in.a}); break;
        case Op::ElemDrop: emit(IOp::ElemDrop, slot::SegmentDrop{.segment = in.a}); break;
        case Op::TableGrow: {
            Table* table = instance_.tables[in.a];
            uint32_t h = height() - 2;
            Operand delta = pop(), init = pop();
            uint32_t i = read(init, h), d = read(delta, h + 1);
            emit(IOp::TableGrow,
                 slot::TableGrow{.dst = slot(h), .table = table, .init = i, .delta = d});
            push_slot();
            break;
        }
        case Op::TableSize: {
            Table* table = instance_.tables[in.a];
            uint32_t h = height();
            emit(IOp::TableSize, slot::TableSize{.dst = slot(h), .table = table});
            push_slot();
            break;
        }
        default:
            switch (row.kind) {
            case OpKind::Unary: compile_unary(op); break;
            case OpKind::Binary: compile_binary(op); break;
            case OpKind::Load: {
                auto offset = static_cast<uint32_t>(in.value); // the alignment is a hint only
                uint32_t h = height() - 1;
                Operand address = pop();
                size_t start;
                uint32_t base = 0, added = 0;
                if (address.kind == Operand::Kind::Constant) {
                    start = emit(numeric_iop(op, Form::ConstantAddress),
                                 slot::LdK{.dst = slot(h), .address = address.value + offset});
                } else {
                    bool fused = take_address_add(address, h, base, added);
                    if (!fused) base = read(address, h);
                    IOp iop = numeric_iop(op, fused ? Form::Immediate : Form::Slots);
                    start = fused
                                ? emit(iop, slot::LdA{.dst = slot(h),
                                                      .base = base,
                                                      .added = added,
                                                      .offset = offset})
                                : emit(iop,
                                       slot::Ld{.dst = slot(h), .address = base, .offset = offset});
                    prefer_accumulator(start, iop, base);
                }
                note_accumulator(start);
                push_slot();
                note_result(start, h);
                break;
            }
            case OpKind::Store: {
                auto offset = static_cast<uint32_t>(in.value);
                uint32_t h = height() - 2;
                Operand value = pop(), address = pop();
                uint32_t base = 0, added = 0, v = 0;
                Form form = Form::Slots;
                size_t start;
                if (address.kind == Operand::Kind::Constant) {
                    form = Form::ConstantAddress;
                    v = read(value, h + 1);
                    start = emit(numeric_iop(op, form),
                                 slot::StK{.value = v, .address = address.value + offset});
                } else if (take_address_add(address, h, base, added)) {
                    form = Form::Immediate;
                    v = read(value, h + 1);
                    start =
                        emit(numeric_iop(op, form),
                             slot::StA{.base = base, .value = v, .added = added, .offset = offset});
                } else {
                    base = read(address, h);
                    v = read(value, h + 1);
                    start = emit(numeric_iop(op),
                                 slot::St{.address = base, .value = v, .offset = offset});
                }
                prefer_accumulator(start, numeric_iop(op, form), v);
                break;
            }
            default:
                // The validator accepted it, so this is a gap in the translator.
                throw Error(
                    fmt::format("internal error: the translator does not handle {}", row.text));
            }
        }
        if (!controls_.empty() && controls_.back().unreachable) skip_unreachable(reader);
    }

    auto compiled = std::make_unique<SlotCode>();
    if (uint64_t units = entry_fuel(code_.size())) {
        for (TryRegion& region : try_regions_) {
            region.start += static_cast<uint32_t>(slot::fixed_size<slot::Fuel>);
            region.end += static_cast<uint32_t>(slot::fixed_size<slot::Fuel>);
            for (TryRegion::Clause& clause : region.clauses)
                clause.handler += static_cast<uint32_t>(slot::fixed_size<slot::Fuel>);
        }
        // Branches are relative, so the code moves down unchanged.
        std::vector<uint8_t> translated = std::move(code_);
        std::vector<IOp> kinds = std::move(kinds_);
        code_.clear();
        kinds_.clear();
        emit(IOp::Fuel,
             slot::Fuel{.units = static_cast<uint32_t>(std::min<uint64_t>(units, UINT32_MAX))});
        append(translated.data(), translated.size());
        kinds_.insert(kinds_.end(), kinds.begin(), kinds.end());
    }
    compiled->code = std::move(code_);
    compiled->kinds = std::move(kinds_);
    compiled->num_locals = num_locals_;
    compiled->frame_size = std::max(num_locals_ + max_height_, function_.num_results);
    compiled->try_regions = std::move(try_regions_);
    return compiled;
}

} // namespace

void translate_function(Function& function) {
    function.slot_code = Translator(function).translate();
}

} // namespace wasmacro::wasm
