// decode_module: the binary format (WebAssembly 2.0, chapter 5), section by
// section. Code bodies are only delimited here; their instructions are read
// once, by the validator. Messages carry the spec tests' wording for each
// malformation ("unexpected end", "integer too large", ...).
#include "wasm/reader.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace wasmacro::wasm {
namespace detail {

std::string unsupported_opcode(uint8_t prefix, uint32_t code) {
    if (prefix == 0xFC) return fmt::format("illegal opcode 0xfc {:#x}", code);
    std::string_view feature;
    switch (code) {
    case 0xFD: feature = "SIMD is not supported"; break;
    case 0xFE: feature = "threads (atomic instructions) are not supported"; break;
    case 0xFB: feature = "garbage collection is not supported"; break;
    case 0x0A:
    case 0x1F:
        feature = "exception handling with exnref (try_table, throw_ref) is not supported; "
                  "its first form (try, catch, delegate) is";
        break;
    case 0x14:
    case 0x15:
    case 0xD3:
    case 0xD4:
    case 0xD5:
    case 0xD6: feature = "typed function references are not supported"; break;
    default: break;
    }
    if (feature.empty()) return fmt::format("illegal opcode {:#04x}", code);
    return fmt::format("illegal opcode {:#04x} ({})", code, feature);
}

std::string Reader::hex(uint64_t value) {
    return fmt::format("{:#04x}", value);
}

} // namespace detail

namespace {

using detail::Instr;
using detail::InstrContext;
using detail::Reader;

/// Per the binary format's own limit on locals (5.5.13 allows up to 2^32-1),
/// tightened: no real function needs more, and the interpreter allocates a
/// frame slot for each one on every call.
constexpr uint64_t max_locals_per_function = 50'000;

enum SectionId : uint8_t {
    CustomId = 0,
    TypeId,
    ImportId,
    FunctionId,
    TableId,
    MemoryId,
    GlobalId,
    ExportId,
    StartId,
    ElementId,
    CodeId,
    DataId,
    DataCountId,
    TagId, ///< the exception-handling proposal's
};

constexpr std::string_view section_names[] = {
    "custom", "type",  "import",  "function", "table", "memory",     "global",
    "export", "start", "element", "code",     "data",  "data count", "tag",
};

/// Position of each section in the required order (5.5.2), by id: data
/// count comes between element and code, tags between memory and global.
constexpr int section_rank[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};

/// A tag's type (the exception-handling proposal): an attribute, 0 for an
/// exception, then its function type's index.
uint32_t read_tag_type(Reader& r) {
    size_t at = r.pos();
    if (r.u8() != 0) r.fail(at, "malformed tag attribute");
    return r.u32();
}

SizeLimits read_limits(Reader& r, bool is_memory) {
    size_t at = r.pos();
    uint8_t byte = r.peek();
    uint64_t flag = 0;
    try {
        // A one-bit LEB128 (5.3.7), so 0x02 is "too large" and 0x81 0x00 "too long".
        flag = r.leb_unsigned(1);
    } catch (const DecodeError&) {
        if (is_memory && (byte == 0x02 || byte == 0x03))
            r.fail(at, "integer too large: limits flag 0x02 (shared memory, threads) is not "
                       "supported");
        if (is_memory && (byte == 0x04 || byte == 0x05))
            r.fail(at, "integer too large: limits flag 0x04 (memory64) is not supported");
        throw;
    }
    SizeLimits limits;
    limits.min = r.u32();
    if (flag) limits.max = r.u32();
    return limits;
}

TableType read_table_type(Reader& r) {
    TableType t;
    t.element = r.reference_type();
    t.limits = read_limits(r, false);
    return t;
}

GlobalType read_global_type(Reader& r) {
    GlobalType t;
    t.type = r.value_type();
    size_t at = r.pos();
    uint8_t mut = r.u8();
    if (mut > 1) r.fail(at, "malformed mutability");
    t.is_mutable = mut == 1;
    return t;
}

/// A constant expression (5.4.9 / 3.3.10): reads any instruction sequence up
/// to its `end`, so that non-constant instructions surface as validation
/// errors ("constant expression required") rather than decoding ones.
ConstExpr read_const_expr(Reader& r) {
    ConstExpr e;
    e.offset = static_cast<uint32_t>(r.pos());
    Instr in;
    InstrContext ctx;
    uint32_t count = 0;
    uint32_t depth = 0;
    bool constant = true;
    for (;;) {
        read_instr(r, in, ctx);
        if (in.op == Op::End) {
            if (depth == 0) break;
            --depth;
            continue;
        }
        if (in.op == Op::Block || in.op == Op::Loop || in.op == Op::If) ++depth;
        if (++count > 1) {
            if (!constant) continue;
        }
        ConstExpr::Kind kind;
        switch (in.op) {
        case Op::I32Const: kind = ConstExpr::Kind::I32Const; break;
        case Op::I64Const: kind = ConstExpr::Kind::I64Const; break;
        case Op::F32Const: kind = ConstExpr::Kind::F32Const; break;
        case Op::F64Const: kind = ConstExpr::Kind::F64Const; break;
        case Op::GlobalGet: kind = ConstExpr::Kind::GlobalGet; break;
        case Op::RefNull: kind = ConstExpr::Kind::RefNull; break;
        case Op::RefFunc: kind = ConstExpr::Kind::RefFunc; break;
        default: constant = false; continue;
        }
        if (count == 1) {
            e.kind = kind;
            switch (kind) {
            case ConstExpr::Kind::GlobalGet:
            case ConstExpr::Kind::RefFunc: e.value = in.a; break;
            case ConstExpr::Kind::RefNull: e.ref_type = in.type; break;
            default: e.value = in.value; break;
            }
        }
    }
    if (!constant)
        e.problem = ConstExpr::Problem::NotConstant;
    else if (count != 1)
        e.problem = ConstExpr::Problem::NotOne;
    return e;
}

/// The `name` custom section's function names (spec 7.4.1). A tool's hint,
/// not part of the module's meaning: anything broken ends the parse quietly.
void read_function_names(Module& m, size_t begin, size_t end) {
    try {
        Reader r(m.bytes.data(), begin, end, "name");
        while (!r.at_end()) {
            uint8_t id = r.u8();
            uint32_t size = r.length();
            size_t sub_end = r.pos() + size;
            if (id == 1) {
                Reader s(m.bytes.data(), r.pos(), sub_end, "name");
                uint32_t n = s.u32();
                m.function_names.reserve(std::min<size_t>(n, s.remaining() / 2));
                for (uint32_t i = 0; i < n; ++i) {
                    uint32_t index = s.u32();
                    std::string_view text = s.name();
                    m.function_names.emplace_back(index, std::string(text));
                }
            }
            r.seek(sub_end);
        }
    } catch (const DecodeError&) {
        // Keep what was read before the damage.
    }
    // Sorted by index (then name, to be deterministic) for Module::function_name.
    std::sort(m.function_names.begin(), m.function_names.end());
    m.function_names.erase(
        std::unique(m.function_names.begin(), m.function_names.end(),
                    [](const auto& x, const auto& y) { return x.first == y.first; }),
        m.function_names.end());
}

/// A vector count, bounded for reserve() by what the section can hold.
size_t reserve_hint(const Reader& r, uint32_t count) {
    return std::min<size_t>(count, r.remaining());
}

void read_imports(Reader& r, Module& m) {
    uint32_t n = r.u32();
    m.imports.reserve(reserve_hint(r, n));
    for (uint32_t i = 0; i < n; ++i) {
        Import im;
        im.module = r.name();
        im.name = r.name();
        size_t at = r.pos();
        uint8_t kind = r.u8();
        switch (kind) {
        case 0:
            im.kind = ExternKind::Func;
            im.func_type = r.u32();
            ++m.imported_functions;
            break;
        case 1:
            im.kind = ExternKind::Table;
            im.table = read_table_type(r);
            ++m.imported_tables;
            break;
        case 2:
            im.kind = ExternKind::Memory;
            im.memory.limits = read_limits(r, true);
            ++m.imported_memories;
            break;
        case 3:
            im.kind = ExternKind::Global;
            im.global = read_global_type(r);
            ++m.imported_globals;
            break;
        case 4:
            im.kind = ExternKind::Tag;
            im.func_type = read_tag_type(r);
            ++m.imported_tags;
            break;
        default: r.fail(at, "malformed import kind " + Reader::hex(kind));
        }
        m.imports.push_back(std::move(im));
    }
}

void read_types(Reader& r, Module& m) {
    uint32_t n = r.u32();
    m.types.reserve(reserve_hint(r, n));
    for (uint32_t i = 0; i < n; ++i) {
        size_t at = r.pos();
        // The form is a signed 7-bit LEB128 (-0x20), hence "too long" for 0xE0 0x7F.
        int64_t form = r.leb_signed(7);
        if (form != -0x20) {
            uint8_t byte = r.base()[at];
            bool gc = byte == 0x5E || byte == 0x5F || byte == 0x50 || byte == 0x4F || byte == 0x4E;
            r.fail(at, "malformed function type " + Reader::hex(byte) +
                           (gc ? " (garbage collection types are not supported)" : ""));
        }
        FuncType t;
        uint32_t params = r.u32();
        t.params.reserve(reserve_hint(r, params));
        for (uint32_t k = 0; k < params; ++k) t.params.push_back(r.value_type());
        uint32_t results = r.u32();
        t.results.reserve(reserve_hint(r, results));
        for (uint32_t k = 0; k < results; ++k) t.results.push_back(r.value_type());
        m.types.push_back(std::move(t));
    }
}

void read_exports(Reader& r, Module& m) {
    uint32_t n = r.u32();
    m.exports.reserve(reserve_hint(r, n));
    for (uint32_t i = 0; i < n; ++i) {
        Export ex;
        ex.name = r.name();
        size_t at = r.pos();
        uint8_t kind = r.u8();
        if (kind > 4) r.fail(at, "malformed export kind " + Reader::hex(kind));
        ex.kind = static_cast<ExternKind>(kind);
        ex.index = r.u32();
        m.exports.push_back(std::move(ex));
    }
}

void read_elements(Reader& r, Module& m) {
    uint32_t n = r.u32();
    m.elements.reserve(reserve_hint(r, n));
    for (uint32_t i = 0; i < n; ++i) {
        ElementSegment seg;
        size_t at = r.pos();
        uint32_t flags = r.u32();
        if (flags > 7) r.fail(at, "malformed elements segment kind " + std::to_string(flags));
        // Bit 0: passive or declarative; bit 1: explicit table index (active)
        // or declarative (otherwise); bit 2: items are expressions (5.5.12).
        bool passive_or_declarative = flags & 1;
        bool explicit_table = !passive_or_declarative && (flags & 2);
        bool expressions = flags & 4;
        if (passive_or_declarative)
            seg.mode = (flags & 2) ? SegmentMode::Declarative : SegmentMode::Passive;
        if (explicit_table) seg.table = r.u32();
        if (!passive_or_declarative) seg.offset = read_const_expr(r);
        if (passive_or_declarative || explicit_table) {
            if (expressions) {
                seg.type = r.reference_type();
            } else {
                size_t kind_at = r.pos();
                if (r.u8() != 0x00) r.fail(kind_at, "malformed element kind");
                seg.type = ValType::FuncRef;
            }
        }
        uint32_t count = r.u32();
        seg.items.reserve(reserve_hint(r, count));
        for (uint32_t k = 0; k < count; ++k) {
            if (expressions) {
                seg.items.push_back(read_const_expr(r));
            } else {
                ConstExpr item;
                item.offset = static_cast<uint32_t>(r.pos());
                item.kind = ConstExpr::Kind::RefFunc;
                item.value = r.u32();
                seg.items.push_back(item);
            }
        }
        m.elements.push_back(std::move(seg));
    }
}

void read_code(Reader& r, Module& m) {
    uint32_t n = r.u32();
    m.codes.reserve(reserve_hint(r, n));
    for (uint32_t i = 0; i < n; ++i) {
        uint32_t size = r.length();
        size_t end = r.pos() + size;
        Reader body(r.base(), r.pos(), end, r.pos() + r.remaining(), "code");
        Code code;
        uint32_t groups = body.u32();
        uint64_t total = 0;
        for (uint32_t g = 0; g < groups; ++g) {
            size_t at = body.pos();
            uint32_t count = body.u32();
            ValType type = body.value_type();
            total += count;
            if (total > max_locals_per_function)
                body.fail(at, fmt::format("too many locals in function {} (the limit is {})",
                                          m.imported_functions + i, max_locals_per_function));
            code.locals.insert(code.locals.end(), count, type);
        }
        if (body.pos() > end) body.fail(end, "section size mismatch: locals beyond the body");
        code.body_offset = static_cast<uint32_t>(body.pos());
        code.body_end = static_cast<uint32_t>(end);
        m.codes.push_back(std::move(code));
        r.seek(end);
    }
}

void read_data(Reader& r, Module& m) {
    uint32_t n = r.u32();
    m.data.reserve(reserve_hint(r, n));
    for (uint32_t i = 0; i < n; ++i) {
        DataSegment seg;
        size_t at = r.pos();
        uint32_t flags = r.u32();
        switch (flags) {
        case 0: seg.offset = read_const_expr(r); break;
        case 1: seg.mode = SegmentMode::Passive; break;
        case 2:
            seg.memory = r.u32();
            seg.offset = read_const_expr(r);
            break;
        default: r.fail(at, "malformed data segment kind " + std::to_string(flags));
        }
        uint32_t size = r.length();
        seg.data_offset = static_cast<uint32_t>(r.pos());
        seg.size = size;
        r.seek(r.pos() + size);
        m.data.push_back(seg);
    }
}

void read_section(Reader& r, Module& m, uint8_t id) {
    switch (id) {
    case TypeId: read_types(r, m); break;
    case ImportId: read_imports(r, m); break;
    case FunctionId: {
        uint32_t n = r.u32();
        m.functions.reserve(reserve_hint(r, n));
        for (uint32_t i = 0; i < n; ++i) m.functions.push_back(r.u32());
        break;
    }
    case TableId: {
        uint32_t n = r.u32();
        for (uint32_t i = 0; i < n; ++i) m.tables.push_back(read_table_type(r));
        break;
    }
    case MemoryId: {
        uint32_t n = r.u32();
        for (uint32_t i = 0; i < n; ++i) m.memories.push_back({read_limits(r, true)});
        break;
    }
    case GlobalId: {
        uint32_t n = r.u32();
        m.globals.reserve(reserve_hint(r, n));
        for (uint32_t i = 0; i < n; ++i) {
            GlobalDef g;
            g.type = read_global_type(r);
            g.init = read_const_expr(r);
            m.globals.push_back(g);
        }
        break;
    }
    case TagId: {
        uint32_t n = r.u32();
        m.tags.reserve(reserve_hint(r, n));
        for (uint32_t i = 0; i < n; ++i) m.tags.push_back(read_tag_type(r));
        break;
    }
    case ExportId: read_exports(r, m); break;
    case StartId: m.start = r.u32(); break;
    case ElementId: read_elements(r, m); break;
    case DataCountId: m.data_count = r.u32(); break;
    case CodeId: read_code(r, m); break;
    case DataId: read_data(r, m); break;
    default: break;
    }
}

void fill_index_spaces(Module& m) {
    m.function_types.reserve(m.imported_functions + m.functions.size());
    for (const Import& im : m.imports) {
        switch (im.kind) {
        case ExternKind::Func: m.function_types.push_back(im.func_type); break;
        case ExternKind::Table: m.all_tables.push_back(im.table); break;
        case ExternKind::Memory: m.all_memories.push_back(im.memory); break;
        case ExternKind::Global: m.all_globals.push_back(im.global); break;
        case ExternKind::Tag: m.all_tags.push_back(im.func_type); break;
        }
    }
    m.all_tags.insert(m.all_tags.end(), m.tags.begin(), m.tags.end());
    m.function_types.insert(m.function_types.end(), m.functions.begin(), m.functions.end());
    m.all_tables.insert(m.all_tables.end(), m.tables.begin(), m.tables.end());
    m.all_memories.insert(m.all_memories.end(), m.memories.begin(), m.memories.end());
    for (const GlobalDef& g : m.globals) m.all_globals.push_back(g.type);
}

} // namespace

Module decode_module(std::span<const uint8_t> bytes) {
    Module m;
    m.bytes.assign(bytes.begin(), bytes.end());
    const uint8_t* base = m.bytes.data();
    Reader r(base, 0, m.bytes.size(), "");
    r.set_top_level();

    static constexpr uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6D};
    uint32_t word = r.fixed_u32();
    if (std::memcmp(&word, magic, 4) != 0) r.fail(0, "magic header not detected");
    if (r.fixed_u32() != 1) r.fail(4, "unknown binary version");

    int last_rank = 0;
    while (!r.at_end()) {
        size_t id_at = r.pos();
        uint8_t id = r.u8();
        if (id > TagId) r.fail(id_at, "malformed section id " + std::to_string(id));
        uint32_t size = r.length();
        size_t begin = r.pos();
        size_t end = begin + size;
        std::string_view section = section_names[id];
        if (id != CustomId) {
            int rank = section_rank[id];
            if (rank <= last_rank)
                r.fail(id_at, fmt::format("unexpected content after last section ({} section "
                                          "out of order or repeated)",
                                          section));
            last_rank = rank;
        }
        Reader s(base, begin, end, m.bytes.size(), section);
        if (id == CustomId) {
            CustomSection custom;
            custom.name = s.name();
            if (s.pos() > end)
                s.fail(end, "unexpected end of section or function: the custom section's name "
                            "overruns it");
            custom.offset = static_cast<uint32_t>(s.pos());
            custom.size = static_cast<uint32_t>(end - s.pos());
            if (custom.name == "name" && !m.custom_section("name"))
                read_function_names(m, s.pos(), end);
            m.custom_sections.push_back(std::move(custom));
            s.seek(end);
        } else {
            read_section(s, m, id);
        }
        if (s.pos() != end) s.fail(s.pos(), "section size mismatch");
        r.seek(end);
    }

    if (m.functions.size() != m.codes.size())
        r.fail(m.bytes.size(), fmt::format("function and code section have inconsistent lengths "
                                           "({} functions, {} bodies)",
                                           m.functions.size(), m.codes.size()));
    if (m.data_count && *m.data_count != m.data.size())
        r.fail(m.bytes.size(), fmt::format("data count and data section have inconsistent "
                                           "lengths ({} and {})",
                                           *m.data_count, m.data.size()));
    fill_index_spaces(m);
    return m;
}

} // namespace wasmacro::wasm
