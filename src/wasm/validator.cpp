// validate_module: the rules of the spec's chapter 3 (Validation) for the
// feature set of module.hpp, in one pass over the module. Code bodies are
// type-checked with the operand-stack algorithm of the spec's appendix A.3:
// one type stack and one control stack reused for every function, so that
// checking costs no allocation per instruction.
#include "wasm/reader.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace wasmacro::wasm {
namespace {

using detail::BlockType;
using detail::Instr;
using detail::InstrContext;
using detail::Reader;

/// An operand type on the type stack: a ValType's byte, or Unknown for the
/// bottom type that an unreachable (polymorphic) stack produces.
using Slot = uint8_t;
constexpr Slot Unknown = 0;

constexpr ValType single_types[] = {ValType::I32, ValType::I64,     ValType::F32,
                                    ValType::F64, ValType::FuncRef, ValType::ExternRef};

const ValType* single(ValType t) {
    for (const ValType& s : single_types)
        if (s == t) return &s;
    return nullptr;
}

ValType to_valtype(OpType t) {
    switch (t) {
    case OpType::I64: return ValType::I64;
    case OpType::F32: return ValType::F32;
    case OpType::F64: return ValType::F64;
    default: return ValType::I32;
    }
}

std::string_view slot_name(Slot s) {
    return s == Unknown ? "unknown" : name(static_cast<ValType>(s));
}

struct Frame {
    /// Block (also the function's own frame), Loop, If, Else, Try, Catch or
    /// CatchAll (a try block in a catch clause)
    Op kind;
    bool unreachable;
    uint32_t height;
    const ValType* params;
    uint32_t num_params;
    const ValType* results;
    uint32_t num_results;

    // A branch to a loop goes to its start, so carries the loop's parameters (3.3.8.5).
    const ValType* label_types() const { return kind == Op::Loop ? params : results; }
    uint32_t label_arity() const { return kind == Op::Loop ? num_params : num_results; }
};

class Validator {
public:
    explicit Validator(Module& m) : m_(m) {
        ctx_.has_data_count = m.data_count.has_value();
        ctx_.data_segments = static_cast<uint32_t>(m.data.size());
    }

    void run();
    /// After a validation error: a malformed body anywhere makes the module
    /// malformed rather than invalid, whichever comes first in the file.
    void check_all_encodings() const;

private:
    // Module-level rules.
    void check_limits(const SizeLimits& limits, bool memory, const std::string& where);
    ValType const_type(const ConstExpr& e, const std::string& where);
    void check_const(const ConstExpr& e, ValType expected, const std::string& where);
    /// A tag's type: a function type with no results (its parameters are
    /// what an exception of the tag carries).
    void check_tag_type(uint32_t type_index, const std::string& where) {
        if (type_index >= m_.types.size())
            invalid(fmt::format("unknown type {} (in {})", type_index, where));
        if (!m_.types[type_index].results.empty())
            invalid(fmt::format("non-empty tag result type {} (in {})",
                                to_string(m_.types[type_index]), where));
        note_types(m_.types[type_index]);
        features_ |= FeatureExceptions;
    }
    [[noreturn]] void invalid(std::string message) { throw ValidationError(std::move(message)); }

    // Code.
    void check_body(uint32_t def_index);
    void check_encoding(uint32_t def_index) const;
    [[noreturn]] void missing_end(uint32_t def_index) const;
    [[noreturn]] void fail(std::string_view what);
    /// An else, catch or delegate outside the block it belongs to: the
    /// binary is malformed, as the reference decoder reads it.
    [[noreturn]] void misplaced(size_t offset, std::string_view what) const {
        throw DecodeError(
            "code", offset,
            fmt::format("END opcode expected ({}, in function {})", what, func_index_));
    }
    [[noreturn]] void mismatch(ValType expected, Slot found, bool empty);

    void push(Slot t) { vals_.push_back(t); }
    WASMACRO_INLINE void push(ValType t) { vals_.push_back(static_cast<Slot>(t)); }
    Slot pop_any() {
        const Frame& f = ctrls_.back();
        if (vals_.size() == f.height) {
            if (f.unreachable) return Unknown;
            fail(fmt::format("type mismatch: {} needs an operand but the stack is empty",
                             info(op_).text));
        }
        Slot t = vals_.back();
        vals_.pop_back();
        return t;
    }
    WASMACRO_INLINE Slot pop(ValType expect) {
        const Frame& f = ctrls_.back();
        if (vals_.size() == f.height) {
            if (f.unreachable) return static_cast<Slot>(expect);
            mismatch(expect, Unknown, true);
        }
        Slot t = vals_.back();
        vals_.pop_back();
        if (t != static_cast<Slot>(expect) && t != Unknown) mismatch(expect, t, false);
        return t;
    }
    void pop_all(const ValType* types, uint32_t n) {
        for (uint32_t i = n; i-- > 0;) pop(types[i]);
    }
    void push_all(const ValType* types, uint32_t n) {
        for (uint32_t i = 0; i < n; ++i) push(types[i]);
    }
    void set_unreachable() {
        vals_.resize(ctrls_.back().height);
        ctrls_.back().unreachable = true;
    }
    /// The type an indirect call through `table_index` expects, after
    /// popping its table index.
    const FuncType& indirect_callee_type(uint32_t type_index, uint32_t table_index,
                                         std::string_view instruction) {
        const TableType& tt = table(table_index);
        if (tt.element != ValType::FuncRef)
            fail(fmt::format("type mismatch: {} through table {} of {}", instruction, table_index,
                             name(tt.element)));
        if (table_index != 0) features_ |= FeatureReferenceTypes;
        const FuncType& t = type(type_index);
        pop(ValType::I32);
        return t;
    }
    /// A tail call returns the callee's results as the caller's own, so they
    /// must be the same types.
    void tail_call(const FuncType& callee, std::string_view instruction) {
        const Frame& outer = ctrls_.front();
        if (!std::equal(callee.results.begin(), callee.results.end(), outer.results,
                        outer.results + outer.num_results)) {
            auto list = [](const ValType* types, size_t n) {
                std::string text;
                for (size_t i = 0; i < n; ++i)
                    text += fmt::format("{}{}", i ? " " : "", name(types[i]));
                return text;
            };
            fail(fmt::format(
                "type mismatch: {} of a function returning [{}] from one returning [{}]",
                instruction, list(callee.results.data(), callee.results.size()),
                list(outer.results, outer.num_results)));
        }
        pop_all(callee.params.data(), static_cast<uint32_t>(callee.params.size()));
        set_unreachable();
        features_ |= FeatureTailCall;
    }
    /// Checks the top of the stack against a label without popping (br_table).
    void check_in_place(const ValType* types, uint32_t n) {
        const Frame& f = ctrls_.back();
        size_t available = vals_.size() - f.height;
        for (uint32_t i = 0; i < n; ++i) {
            ValType want = types[n - 1 - i];
            if (i >= available) {
                if (f.unreachable) return;
                mismatch(want, Unknown, true);
            }
            Slot t = vals_[vals_.size() - 1 - i];
            if (t != Unknown && t != static_cast<Slot>(want)) mismatch(want, t, false);
        }
    }
    const Frame& label(uint32_t depth) {
        if (depth >= ctrls_.size()) fail(fmt::format("unknown label {}", depth));
        return ctrls_[ctrls_.size() - 1 - depth];
    }
    WASMACRO_INLINE ValType local_type(uint32_t index) {
        if (index < params_->size()) return (*params_)[index];
        uint64_t rest = uint64_t{index} - params_->size();
        if (rest < locals_->size()) return (*locals_)[rest];
        fail(fmt::format("unknown local {}", index));
    }
    void need_memory() {
        if (m_.all_memories.empty()) fail("unknown memory 0");
    }
    const TableType& table(uint32_t index) {
        if (index >= m_.all_tables.size()) fail(fmt::format("unknown table {}", index));
        return m_.all_tables[index];
    }
    const ElementSegment& element(uint32_t index) {
        if (index >= m_.elements.size()) fail(fmt::format("unknown elem segment {}", index));
        return m_.elements[index];
    }
    void data_segment(uint32_t index) {
        // Checked against the data count section, which memory.init and
        // data.drop require, since the data section comes after the code (3.4.10).
        if (index >= (m_.data_count ? *m_.data_count : m_.data.size()))
            fail(fmt::format("unknown data segment {}", index));
    }
    /// The parameters of tag `index`, which an exception of it carries.
    const FuncType& tag(uint32_t index) {
        if (index >= m_.all_tags.size()) fail(fmt::format("unknown tag {}", index));
        return m_.types[m_.all_tags[index]];
    }
    /// Ends the current block's part (then branch, try body, catch clause):
    /// its results must be what is left on the stack.
    void end_part(std::string_view part) {
        const Frame& f = ctrls_.back();
        pop_all(f.results, f.num_results);
        if (vals_.size() != f.height)
            fail(fmt::format("type mismatch: values left on the stack at the end of the {}", part));
    }
    const FuncType& type(uint32_t index) {
        if (index >= m_.types.size()) fail(fmt::format("unknown type {}", index));
        return m_.types[index];
    }
    void block_type(const BlockType& bt, Frame& f) {
        f.params = nullptr;
        f.num_params = 0;
        f.results = nullptr;
        f.num_results = 0;
        if (bt.kind == BlockType::Value) {
            f.results = single(bt.value);
            f.num_results = 1;
            if (is_reference(bt.value)) features_ |= FeatureReferenceTypes;
        } else if (bt.kind == BlockType::Index) {
            const FuncType& t = type(bt.index);
            f.params = t.params.data();
            f.num_params = static_cast<uint32_t>(t.params.size());
            f.results = t.results.data();
            f.num_results = static_cast<uint32_t>(t.results.size());
            if (!t.params.empty() || t.results.size() > 1) features_ |= FeatureMultiValue;
        }
    }
    void note_types(const FuncType& t) {
        if (t.results.size() > 1) features_ |= FeatureMultiValue;
        for (ValType v : t.params)
            if (is_reference(v)) features_ |= FeatureReferenceTypes;
        for (ValType v : t.results)
            if (is_reference(v)) features_ |= FeatureReferenceTypes;
    }

    Module& m_;
    InstrContext ctx_;
    uint32_t features_ = 0;
    std::vector<uint8_t> declared_; ///< functions that ref.func may name (3.4.10's C.refs)

    // The function being checked, for messages.
    uint32_t func_index_ = 0;
    size_t offset_ = 0;
    Op op_ = Op::Nop;
    const std::vector<ValType>* params_ = nullptr;
    const std::vector<ValType>* locals_ = nullptr;

    std::vector<Slot> vals_;
    std::vector<Frame> ctrls_;
};

void Validator::fail(std::string_view what) {
    std::string_view fname = m_.function_name(func_index_);
    if (fname.empty())
        throw ValidationError(
            fmt::format("{} (in function {} at offset {:#x})", what, func_index_, offset_));
    throw ValidationError(
        fmt::format("{} (in function {} `{}` at offset {:#x})", what, func_index_, fname, offset_));
}

void Validator::mismatch(ValType expected, Slot found, bool empty) {
    if (empty)
        fail(fmt::format("type mismatch: {} expected {} but the stack is empty", info(op_).text,
                         name(expected)));
    fail(fmt::format("type mismatch: {} expected {} but found {}", info(op_).text, name(expected),
                     slot_name(found)));
}

void Validator::check_limits(const SizeLimits& limits, bool memory, const std::string& where) {
    // 3.2.6 / 3.2.7: a memory's limits are within 2^16 pages (4 GiB).
    if (memory && (limits.min > 65536 || (limits.max && *limits.max > 65536)))
        invalid("memory size must be at most 65536 pages (4GiB) (in " + where + ")");
    if (limits.max && limits.min > *limits.max)
        invalid("size minimum must not be greater than maximum (in " + where + ")");
}

ValType Validator::const_type(const ConstExpr& e, const std::string& where) {
    // 3.3.10: constant instructions only; global.get may name only imported,
    // immutable globals, since defined globals are not yet initialised.
    if (e.problem == ConstExpr::Problem::NotConstant)
        invalid(
            fmt::format("constant expression required (in {} at offset {:#x})", where, e.offset));
    if (e.problem == ConstExpr::Problem::NotOne)
        invalid(fmt::format("type mismatch: a constant expression must produce exactly one "
                            "value (in {} at offset {:#x})",
                            where, e.offset));
    switch (e.kind) {
    case ConstExpr::Kind::I32Const: return ValType::I32;
    case ConstExpr::Kind::I64Const: return ValType::I64;
    case ConstExpr::Kind::F32Const: return ValType::F32;
    case ConstExpr::Kind::F64Const: return ValType::F64;
    case ConstExpr::Kind::RefNull: features_ |= FeatureReferenceTypes; return e.ref_type;
    case ConstExpr::Kind::RefFunc:
        if (e.value >= m_.function_types.size())
            invalid(fmt::format("unknown function {} (in {})", e.value, where));
        return ValType::FuncRef;
    case ConstExpr::Kind::GlobalGet:
        if (e.value >= m_.imported_globals)
            invalid(fmt::format("unknown global {} (in {}: a constant expression may only read "
                                "imported globals)",
                                e.value, where));
        if (m_.all_globals[e.value].is_mutable)
            invalid(fmt::format("constant expression required (in {}: global {} is mutable)", where,
                                e.value));
        return m_.all_globals[e.value].type;
    }
    return ValType::I32;
}

void Validator::check_const(const ConstExpr& e, ValType expected, const std::string& where) {
    ValType actual = const_type(e, where);
    if (actual != expected)
        invalid(fmt::format("type mismatch: expected {} but the constant expression has type {} "
                            "(in {})",
                            name(expected), name(actual), where));
}

void Validator::run() {
    const uint32_t num_functions = static_cast<uint32_t>(m_.function_types.size());

    // 3.4.9 imports (their types), 3.4.1 functions.
    for (size_t i = 0; i < m_.imports.size(); ++i) {
        const Import& im = m_.imports[i];
        std::string where = fmt::format("import \"{}\" \"{}\"", im.module, im.name);
        switch (im.kind) {
        case ExternKind::Func:
            if (im.func_type >= m_.types.size())
                invalid(fmt::format("unknown type {} (in {})", im.func_type, where));
            note_types(m_.types[im.func_type]);
            break;
        case ExternKind::Table:
            check_limits(im.table.limits, false, where);
            if (im.table.element == ValType::ExternRef) features_ |= FeatureReferenceTypes;
            break;
        case ExternKind::Memory: check_limits(im.memory.limits, true, where); break;
        case ExternKind::Global:
            if (im.global.is_mutable) features_ |= FeatureMutableGlobals;
            if (is_reference(im.global.type)) features_ |= FeatureReferenceTypes;
            break;
        case ExternKind::Tag: check_tag_type(im.func_type, where); break;
        }
    }
    for (size_t i = 0; i < m_.tags.size(); ++i)
        check_tag_type(m_.tags[i], fmt::format("tag {}", m_.imported_tags + i));
    for (size_t i = 0; i < m_.functions.size(); ++i) {
        if (m_.functions[i] >= m_.types.size())
            invalid(fmt::format("unknown type {} (in function {})", m_.functions[i],
                                m_.imported_functions + i));
        note_types(m_.types[m_.functions[i]]);
    }

    // 3.4.2 tables, 3.4.3 memories.
    for (size_t i = 0; i < m_.tables.size(); ++i) {
        check_limits(m_.tables[i].limits, false, fmt::format("table {}", m_.imported_tables + i));
        if (m_.tables[i].element == ValType::ExternRef) features_ |= FeatureReferenceTypes;
    }
    if (m_.all_tables.size() > 1) features_ |= FeatureReferenceTypes;
    for (size_t i = 0; i < m_.memories.size(); ++i)
        check_limits(m_.memories[i].limits, true,
                     fmt::format("memory {}", m_.imported_memories + i));
    if (m_.all_memories.size() > 1)
        invalid(fmt::format("multiple memories: the module has {} (one at most without the "
                            "multi-memory proposal)",
                            m_.all_memories.size()));

    // The functions that ref.func may name: those that occur in globals,
    // element segments or exports (3.4.10, C.refs).
    declared_.assign(num_functions, 0);

    // 3.4.4 globals.
    for (size_t i = 0; i < m_.globals.size(); ++i) {
        const auto& g = m_.globals[i];
        check_const(g.init, g.type.type, fmt::format("global {}", m_.imported_globals + i));
        if (g.init.kind == ConstExpr::Kind::RefFunc) declared_[g.init.value] = 1;
        if (is_reference(g.type.type)) features_ |= FeatureReferenceTypes;
    }

    // 3.4.5 element segments.
    for (size_t i = 0; i < m_.elements.size(); ++i) {
        const ElementSegment& seg = m_.elements[i];
        std::string where = fmt::format("element segment {}", i);
        if (seg.type == ValType::ExternRef) features_ |= FeatureReferenceTypes;
        for (const ConstExpr& item : seg.items) {
            check_const(item, seg.type, where);
            if (item.kind == ConstExpr::Kind::RefFunc) declared_[item.value] = 1;
        }
        switch (seg.mode) {
        case SegmentMode::Active: {
            if (seg.table >= m_.all_tables.size())
                invalid(fmt::format("unknown table {} (in {})", seg.table, where));
            if (seg.table != 0) features_ |= FeatureReferenceTypes;
            const TableType& t = m_.all_tables[seg.table];
            if (t.element != seg.type)
                invalid(fmt::format("type mismatch: a segment of {} for a table of {} (in {})",
                                    name(seg.type), name(t.element), where));
            check_const(seg.offset, ValType::I32, where);
            break;
        }
        case SegmentMode::Passive: features_ |= FeatureBulkMemory; break;
        case SegmentMode::Declarative: features_ |= FeatureReferenceTypes; break;
        }
    }

    // 3.4.6 data segments.
    for (size_t i = 0; i < m_.data.size(); ++i) {
        const DataSegment& seg = m_.data[i];
        std::string where = fmt::format("data segment {}", i);
        if (seg.mode == SegmentMode::Passive) {
            features_ |= FeatureBulkMemory;
            continue;
        }
        if (seg.memory >= m_.all_memories.size())
            invalid(fmt::format("unknown memory {} (in {})", seg.memory, where));
        check_const(seg.offset, ValType::I32, where);
    }
    if (m_.data_count) features_ |= FeatureBulkMemory;

    // 3.4.7 start function: [] -> [].
    if (m_.start) {
        if (*m_.start >= num_functions)
            invalid(fmt::format("unknown function {} (in the start section)", *m_.start));
        const FuncType& t = m_.type_of_function(*m_.start);
        if (!t.params.empty() || !t.results.empty())
            invalid(fmt::format("start function {} must have type () -> (), not {}", *m_.start,
                                to_string(t)));
    }

    // 3.4.8 exports; 3.4.10: their names are distinct.
    std::vector<std::string_view> names;
    names.reserve(m_.exports.size());
    for (const Export& ex : m_.exports) {
        std::string where = fmt::format("export \"{}\"", ex.name);
        size_t count = 0;
        switch (ex.kind) {
        case ExternKind::Func: count = num_functions; break;
        case ExternKind::Table: count = m_.all_tables.size(); break;
        case ExternKind::Memory: count = m_.all_memories.size(); break;
        case ExternKind::Global: count = m_.all_globals.size(); break;
        case ExternKind::Tag: count = m_.all_tags.size(); break;
        }
        if (ex.index >= count)
            invalid(fmt::format("unknown {} {} (in {})", name(ex.kind), ex.index, where));
        if (ex.kind == ExternKind::Func) declared_[ex.index] = 1;
        if (ex.kind == ExternKind::Global && m_.all_globals[ex.index].is_mutable)
            features_ |= FeatureMutableGlobals;
        names.push_back(ex.name);
    }
    std::sort(names.begin(), names.end());
    auto dup = std::adjacent_find(names.begin(), names.end());
    if (dup != names.end()) invalid(fmt::format("duplicate export name \"{}\"", *dup));

    // 3.4.1 / 3.3: the code.
    for (uint32_t i = 0; i < m_.codes.size(); ++i) check_body(i);

    m_.features = features_;
}

void Validator::missing_end(uint32_t def_index) const {
    // The reference decoder reads a body's instructions without regard to its
    // declared size, so the spec tests name what follows the body: the end of
    // the module, an `end` byte (the size then mismatches), or anything else.
    const Code& code = m_.codes[def_index];
    uint32_t func = m_.imported_functions + def_index;
    size_t end = code.body_end;
    if (end >= m_.bytes.size())
        throw DecodeError("code", end,
                          fmt::format("unexpected end of section or function: function {} has "
                                      "no final end",
                                      func));
    if (m_.bytes[end] == 0x0B)
        throw DecodeError("code", end,
                          fmt::format("section size mismatch: function {} has no final end "
                                      "within its size",
                                      func));
    throw DecodeError("code", end, fmt::format("END opcode expected in function {}", func));
}

void Validator::check_encoding(uint32_t def_index) const {
    const Code& code = m_.codes[def_index];
    Reader r(m_.bytes.data(), code.body_offset, code.body_end, "code");
    std::vector<Op> kinds{Op::Block};
    Instr in;
    for (;;) {
        if (r.at_end()) missing_end(def_index);
        detail::read_instr(r, in, ctx_);
        switch (in.op) {
        case Op::Block:
        case Op::Loop:
        case Op::If:
        case Op::Try: kinds.push_back(in.op); break;
        case Op::Else:
            if (kinds.back() != Op::If) r.fail(in.offset, "END opcode expected (else without if)");
            kinds.back() = Op::Else;
            break;
        case Op::Catch:
        case Op::CatchAll:
            if (kinds.back() != Op::Try && kinds.back() != Op::Catch)
                r.fail(in.offset,
                       fmt::format("END opcode expected ({} without try)", info(in.op).text));
            kinds.back() = in.op;
            break;
        case Op::Delegate:
            if (kinds.back() != Op::Try)
                r.fail(in.offset, "END opcode expected (delegate without try)");
            [[fallthrough]];
        case Op::End:
            kinds.pop_back();
            if (kinds.empty()) {
                if (!r.at_end()) r.fail(r.pos(), "section size mismatch: code after the final end");
                return;
            }
            break;
        default: break;
        }
    }
}

void Validator::check_all_encodings() const {
    for (uint32_t i = 0; i < m_.codes.size(); ++i) check_encoding(i);
}

void Validator::check_body(uint32_t def_index) {
    const Code& code = m_.codes[def_index];
    func_index_ = m_.imported_functions + def_index;
    const FuncType& ft = m_.type_of_function(func_index_);
    params_ = &ft.params;
    locals_ = &code.locals;
    for (ValType t : code.locals)
        if (is_reference(t)) {
            features_ |= FeatureReferenceTypes;
            break;
        }

    vals_.clear();
    ctrls_.clear();
    ctrls_.push_back({Op::Block, false, 0, nullptr, 0, ft.results.data(),
                      static_cast<uint32_t>(ft.results.size())});

    Reader r(m_.bytes.data(), code.body_offset, code.body_end, "code");
    Instr in;
    for (;;) {
        if (r.at_end()) missing_end(def_index);
        offset_ = r.pos();
        detail::read_instr(r, in, ctx_);
        op_ = in.op;
        const OpInfo& oi = info(in.op);
        switch (oi.kind) {
        case OpKind::Const: push(to_valtype(oi.result)); continue;
        case OpKind::Unary:
            pop(to_valtype(oi.param1));
            push(to_valtype(oi.result));
            if (in.op >= Op::I32Extend8S && in.op <= Op::I64Extend32S)
                features_ |= FeatureSignExtension;
            else if (oi.prefix == 0xFC)
                features_ |= FeatureSaturatingTrunc;
            continue;
        case OpKind::Binary:
            pop(to_valtype(oi.param2));
            pop(to_valtype(oi.param1));
            push(to_valtype(oi.result));
            continue;
        case OpKind::Load:
        case OpKind::Store:
            need_memory();
            // 3.3.7: 2^align must not exceed the access width.
            if (in.a > oi.align_log2) [[unlikely]] {
                // Bit 6 would announce a memory index (multi-memory proposal).
                if (in.a & 0x40)
                    fail(fmt::format("alignment must not be larger than natural ({}: memory "
                                     "indices in memory instructions, from the multi-memory "
                                     "proposal, are not supported)",
                                     oi.text));
                fail(fmt::format("alignment must not be larger than natural ({} has 2^{}, "
                                 "at most 2^{})",
                                 oi.text, in.a, oi.align_log2));
            }
            if (oi.kind == OpKind::Load) {
                pop(ValType::I32);
                push(to_valtype(oi.result));
            } else {
                pop(to_valtype(oi.param2));
                pop(ValType::I32);
            }
            continue;
        default: break;
        }

        switch (in.op) {
        case Op::Unreachable: set_unreachable(); break;
        case Op::Nop: break;
        case Op::Block:
        case Op::Loop:
        case Op::If:
        case Op::Try: {
            if (in.op == Op::Try) features_ |= FeatureExceptions;
            Frame f;
            f.kind = in.op;
            f.unreachable = false;
            block_type(in.block, f);
            if (in.op == Op::If) pop(ValType::I32);
            pop_all(f.params, f.num_params);
            f.height = static_cast<uint32_t>(vals_.size());
            ctrls_.push_back(f);
            push_all(f.params, f.num_params);
            break;
        }
        case Op::Else: {
            Frame& f = ctrls_.back();
            if (f.kind != Op::If) misplaced(in.offset, "else without if");
            end_part("then branch");
            f.kind = Op::Else;
            f.unreachable = false;
            push_all(f.params, f.num_params);
            break;
        }
        case Op::Catch:
        case Op::CatchAll: {
            Frame& f = ctrls_.back();
            if (f.kind != Op::Try && f.kind != Op::Catch)
                misplaced(in.offset, fmt::format("{} without try", info(in.op).text));
            end_part(f.kind == Op::Try ? "try body" : "catch clause");
            f.kind = in.op;
            f.unreachable = false;
            if (in.op == Op::Catch) {
                const FuncType& t = tag(in.a);
                push_all(t.params.data(), static_cast<uint32_t>(t.params.size()));
            }
            break;
        }
        case Op::Delegate: {
            Frame f = ctrls_.back();
            if (f.kind != Op::Try) misplaced(in.offset, "delegate without try");
            end_part("try body");
            ctrls_.pop_back();
            label(in.a); // counted from outside the try
            push_all(f.results, f.num_results);
            break;
        }
        case Op::Throw: {
            const FuncType& t = tag(in.a);
            pop_all(t.params.data(), static_cast<uint32_t>(t.params.size()));
            set_unreachable();
            break;
        }
        case Op::Rethrow: {
            Op kind = label(in.a).kind;
            if (kind != Op::Catch && kind != Op::CatchAll)
                fail(fmt::format("invalid rethrow label {}: not a catch clause", in.a));
            set_unreachable();
            break;
        }
        case Op::End: {
            Frame f = ctrls_.back();
            end_part("block");
            // 3.3.8.5: `if` without `else` has an empty else branch, which
            // must turn the block's parameters into its results.
            if (f.kind == Op::If && !std::equal(f.params, f.params + f.num_params, f.results,
                                                f.results + f.num_results))
                fail("type mismatch: if without else must not change the stack's types");
            ctrls_.pop_back();
            if (ctrls_.empty()) {
                if (!r.at_end())
                    throw DecodeError("code", r.pos(),
                                      fmt::format("section size mismatch: code after the final "
                                                  "end of function {}",
                                                  func_index_));
                return;
            }
            push_all(f.results, f.num_results);
            break;
        }
        case Op::Br: {
            const Frame& target = label(in.a);
            pop_all(target.label_types(), target.label_arity());
            set_unreachable();
            break;
        }
        case Op::BrIf: {
            const Frame& target = label(in.a);
            pop(ValType::I32);
            pop_all(target.label_types(), target.label_arity());
            push_all(target.label_types(), target.label_arity());
            break;
        }
        case Op::BrTable: {
            pop(ValType::I32);
            Reader labels(m_.bytes.data(), in.labels, r.pos(), "code");
            for (uint32_t i = 0; i < in.a; ++i) labels.u32();
            const Frame& fallback = label(labels.u32());
            uint32_t arity = fallback.label_arity();
            labels.seek(in.labels);
            for (uint32_t i = 0; i < in.a; ++i) {
                uint32_t depth = labels.u32();
                const Frame& target = label(depth);
                if (target.label_arity() != arity)
                    fail(fmt::format("type mismatch: br_table label {} has {} values, the "
                                     "default {}",
                                     depth, target.label_arity(), arity));
                check_in_place(target.label_types(), arity);
            }
            pop_all(fallback.label_types(), arity);
            set_unreachable();
            break;
        }
        case Op::Return: {
            const Frame& outer = ctrls_.front();
            pop_all(outer.results, outer.num_results);
            set_unreachable();
            break;
        }
        case Op::Call: {
            if (in.a >= m_.function_types.size()) fail(fmt::format("unknown function {}", in.a));
            const FuncType& t = m_.type_of_function(in.a);
            pop_all(t.params.data(), static_cast<uint32_t>(t.params.size()));
            push_all(t.results.data(), static_cast<uint32_t>(t.results.size()));
            break;
        }
        case Op::CallIndirect: {
            const FuncType& t = indirect_callee_type(in.a, in.b, "call_indirect");
            pop_all(t.params.data(), static_cast<uint32_t>(t.params.size()));
            push_all(t.results.data(), static_cast<uint32_t>(t.results.size()));
            break;
        }
        case Op::ReturnCall: {
            if (in.a >= m_.function_types.size()) fail(fmt::format("unknown function {}", in.a));
            tail_call(m_.type_of_function(in.a), "return_call");
            break;
        }
        case Op::ReturnCallIndirect: {
            tail_call(indirect_callee_type(in.a, in.b, "return_call_indirect"),
                      "return_call_indirect");
            break;
        }
        case Op::Drop: pop_any(); break;
        case Op::Select: {
            pop(ValType::I32);
            Slot t1 = pop_any();
            Slot t2 = pop_any();
            // 3.3.5: select without a type is for numeric operands only.
            auto is_ref = [](Slot s) { return s != Unknown && is_reference(ValType(s)); };
            if (is_ref(t1) || is_ref(t2))
                fail("type mismatch: select without a type on reference operands");
            if (t1 != t2 && t1 != Unknown && t2 != Unknown)
                fail(fmt::format("type mismatch: select on {} and {}", slot_name(t2),
                                 slot_name(t1)));
            push(t1 == Unknown ? t2 : t1);
            break;
        }
        case Op::SelectTyped:
            if (in.a != 1) fail(fmt::format("invalid result arity: select with {} types", in.a));
            features_ |= FeatureReferenceTypes;
            pop(ValType::I32);
            pop(in.type);
            pop(in.type);
            push(in.type);
            break;
        case Op::LocalGet: push(local_type(in.a)); break;
        case Op::LocalSet: pop(local_type(in.a)); break;
        case Op::LocalTee: {
            ValType t = local_type(in.a);
            pop(t);
            push(t);
            break;
        }
        case Op::GlobalGet:
            if (in.a >= m_.all_globals.size()) fail(fmt::format("unknown global {}", in.a));
            push(m_.all_globals[in.a].type);
            break;
        case Op::GlobalSet:
            if (in.a >= m_.all_globals.size()) fail(fmt::format("unknown global {}", in.a));
            if (!m_.all_globals[in.a].is_mutable)
                fail(fmt::format("global is immutable: global.set {}", in.a));
            pop(m_.all_globals[in.a].type);
            break;
        case Op::TableGet: {
            ValType t = table(in.a).element;
            pop(ValType::I32);
            push(t);
            features_ |= FeatureReferenceTypes;
            break;
        }
        case Op::TableSet: {
            ValType t = table(in.a).element;
            pop(t);
            pop(ValType::I32);
            features_ |= FeatureReferenceTypes;
            break;
        }
        case Op::TableSize:
            table(in.a);
            push(ValType::I32);
            features_ |= FeatureReferenceTypes;
            break;
        case Op::TableGrow: {
            ValType t = table(in.a).element;
            pop(ValType::I32);
            pop(t);
            push(ValType::I32);
            features_ |= FeatureReferenceTypes;
            break;
        }
        case Op::TableFill: {
            ValType t = table(in.a).element;
            pop(ValType::I32);
            pop(t);
            pop(ValType::I32);
            features_ |= FeatureReferenceTypes;
            break;
        }
        case Op::TableCopy: {
            ValType dst = table(in.a).element;
            ValType src = table(in.b).element;
            if (dst != src)
                fail(fmt::format("type mismatch: table.copy from a table of {} to one of {}",
                                 name(src), name(dst)));
            pop(ValType::I32);
            pop(ValType::I32);
            pop(ValType::I32);
            features_ |= FeatureBulkMemory;
            break;
        }
        case Op::TableInit: {
            ValType t = table(in.b).element;
            const ElementSegment& seg = element(in.a);
            if (seg.type != t)
                fail(fmt::format("type mismatch: table.init of {} into a table of {}",
                                 name(seg.type), name(t)));
            pop(ValType::I32);
            pop(ValType::I32);
            pop(ValType::I32);
            features_ |= FeatureBulkMemory;
            break;
        }
        case Op::ElemDrop:
            element(in.a);
            features_ |= FeatureBulkMemory;
            break;
        case Op::RefNull:
            push(in.type);
            features_ |= FeatureReferenceTypes;
            break;
        case Op::RefIsNull: {
            Slot t = pop_any();
            if (t != Unknown && !is_reference(ValType(t)))
                fail(fmt::format("type mismatch: ref.is_null expected a reference but found {}",
                                 slot_name(t)));
            push(ValType::I32);
            features_ |= FeatureReferenceTypes;
            break;
        }
        case Op::RefFunc:
            if (in.a >= m_.function_types.size()) fail(fmt::format("unknown function {}", in.a));
            if (!declared_[in.a])
                fail(fmt::format("undeclared function reference: ref.func {} needs the function "
                                 "in an element segment, export or global",
                                 in.a));
            push(ValType::FuncRef);
            features_ |= FeatureReferenceTypes;
            break;
        case Op::MemorySize:
            need_memory();
            push(ValType::I32);
            break;
        case Op::MemoryGrow:
            need_memory();
            pop(ValType::I32);
            push(ValType::I32);
            break;
        case Op::MemoryInit:
            need_memory();
            data_segment(in.a);
            pop(ValType::I32);
            pop(ValType::I32);
            pop(ValType::I32);
            features_ |= FeatureBulkMemory;
            break;
        case Op::DataDrop:
            data_segment(in.a);
            features_ |= FeatureBulkMemory;
            break;
        case Op::MemoryCopy:
        case Op::MemoryFill:
            need_memory();
            pop(ValType::I32);
            pop(ValType::I32);
            pop(ValType::I32);
            features_ |= FeatureBulkMemory;
            break;
        default: fail(fmt::format("{} is not supported", oi.text)); // unreachable: table rows
        }
    }
}

} // namespace

void validate_module(Module& module) {
    Validator v(module);
    try {
        v.run();
    } catch (const ValidationError&) {
        v.check_all_encodings();
        throw;
    }
}

} // namespace wasmacro::wasm
