// Reading the WebAssembly binary format: LEB128 integers, names, value types
// and instructions with their immediates. Internal to src/wasm; shared by the
// decoder (sections, constant expressions) and the validator (code bodies).
// Every failure throws DecodeError with the spec's wording for it.
#pragma once

#include "common/utf8.hpp"
#include "wasm/module.hpp"
#include "wasm/opcode.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#define WASMACRO_INLINE [[gnu::always_inline]] inline

namespace wasmacro::wasm::detail {

/// Explains an opcode this engine does not implement, naming the proposal it
/// comes from where known, e.g. "illegal opcode 0xfd (SIMD is not supported)".
std::string unsupported_opcode(uint8_t prefix, uint32_t code);

/// A cursor over [pos, end) of a module's bytes. Offsets are absolute, so
/// error messages point into the file.
///
/// Reads may run on past `end` up to `limit`: the spec's reference decoder
/// reads a section's contents from the module as a whole and only then checks
/// the section's size, and the spec tests expect its messages (an over-long
/// LEB128 across a section's end is "integer representation too long", not
/// "unexpected end").
class Reader {
public:
    Reader(const uint8_t* base, size_t pos, size_t end, std::string_view section)
        : base_(base), pos_(pos), end_(end), limit_(end), section_(section) {}
    Reader(const uint8_t* base, size_t pos, size_t end, size_t limit, std::string_view section)
        : base_(base), pos_(pos), end_(end), limit_(limit), section_(section) {}

    size_t pos() const { return pos_; }
    size_t end() const { return end_; }
    bool at_end() const { return pos_ >= end_; }
    /// What can still be read, up to the limit.
    size_t remaining() const { return pos_ < limit_ ? limit_ - pos_ : 0; }
    std::string_view section() const { return section_; }
    const uint8_t* base() const { return base_; }
    void seek(size_t pos) { pos_ = pos; }
    /// Reading past the end of a section (or of a function body) says so; at
    /// the top level of the module it is just "unexpected end".
    void set_top_level() { top_level_ = true; }

    [[noreturn]] void fail(size_t offset, std::string_view message) const {
        throw DecodeError(section_, offset, message);
    }

    uint8_t peek() const {
        if (pos_ >= limit_) fail_end();
        return base_[pos_];
    }
    WASMACRO_INLINE uint8_t u8() {
        if (pos_ >= limit_) [[unlikely]]
            fail_end();
        return base_[pos_++];
    }
    uint32_t fixed_u32() {
        need(4);
        uint32_t v;
        std::memcpy(&v, base_ + pos_, 4);
        pos_ += 4;
        return v; // little-endian hosts only, as everywhere in wasmacro
    }
    uint64_t fixed_u64() {
        need(8);
        uint64_t v;
        std::memcpy(&v, base_ + pos_, 8);
        pos_ += 8;
        return v;
    }

    WASMACRO_INLINE uint32_t u32() {
        if (pos_ < limit_ && base_[pos_] < 0x80) [[likely]]
            return base_[pos_++];
        return static_cast<uint32_t>(leb_unsigned(32));
    }
    WASMACRO_INLINE int32_t s32() {
        // One byte holds -64..63: the common small constants.
        if (pos_ < limit_ && base_[pos_] < 0x80) [[likely]] {
            uint8_t byte = base_[pos_++];
            return (byte & 0x40) ? static_cast<int32_t>(byte) - 0x80 : byte;
        }
        return static_cast<int32_t>(leb_signed(32));
    }
    int64_t s33() { return leb_signed(33); }
    int64_t s64() { return leb_signed(64); }

    /// An unsigned LEB128 of at most `bits` bits. As the spec requires
    /// (5.2.2), at most ceil(bits/7) bytes ("integer representation too long")
    /// and the unused bits of the last byte zero ("integer too large").
    uint64_t leb_unsigned(int bits) {
        uint64_t result = 0;
        for (int shift = 0, left = bits;; shift += 7, left -= 7) {
            if (left <= 0) fail(pos_, "integer representation too long");
            uint8_t byte = u8();
            if (left < 7 && (byte & 0x7F) >= (1u << left)) fail(pos_ - 1, "integer too large");
            result |= static_cast<uint64_t>(byte & 0x7F) << shift;
            if (!(byte & 0x80)) return result;
        }
    }
    /// A signed LEB128 of at most `bits` bits; the unused bits of the last
    /// byte must repeat the sign bit.
    int64_t leb_signed(int bits) {
        uint64_t result = 0;
        for (int shift = 0, left = bits;; shift += 7, left -= 7) {
            if (left <= 0) fail(pos_, "integer representation too long");
            uint8_t byte = u8();
            if (left < 7) {
                uint8_t mask = static_cast<uint8_t>((0xFF << (left - 1)) & 0x7F);
                if ((byte & mask) != 0 && (byte & mask) != mask)
                    fail(pos_ - 1, "integer too large");
            }
            result |= static_cast<uint64_t>(byte & 0x7F) << shift;
            if (!(byte & 0x80)) {
                shift += 7;
                if (shift < 64 && (byte & 0x40)) result |= ~uint64_t{0} << shift;
                return static_cast<int64_t>(result);
            }
        }
    }

    /// A byte length. As in the reference decoder, a length beyond what is
    /// left counting from the length's own first byte is "out of bounds", one
    /// that only overlaps the length's encoding an "unexpected end".
    uint32_t length() {
        size_t left = remaining();
        size_t at = pos_;
        uint32_t n = u32();
        if (n > left) fail(at, "length out of bounds");
        if (n > remaining()) fail_end();
        return n;
    }
    /// A name: a length-prefixed UTF-8 string.
    std::string_view name() {
        uint32_t n = length();
        std::string_view text(reinterpret_cast<const char*>(base_ + pos_), n);
        if (!is_valid_utf8(text)) fail(pos_, "malformed UTF-8 encoding");
        pos_ += n;
        return text;
    }

    ValType value_type() {
        size_t at = pos_;
        uint8_t byte = u8();
        switch (byte) {
        case 0x7F:
        case 0x7E:
        case 0x7D:
        case 0x7C:
        case 0x70:
        case 0x6F: return static_cast<ValType>(byte);
        case 0x7B: fail(at, "SIMD is not supported (value type v128)");
        default: fail(at, "malformed value type " + hex(byte) + proposal_of_type(byte));
        }
    }
    ValType reference_type() {
        size_t at = pos_;
        uint8_t byte = u8();
        if (byte == 0x70 || byte == 0x6F) return static_cast<ValType>(byte);
        fail(at, "malformed reference type " + hex(byte) + proposal_of_type(byte));
    }

    static std::string hex(uint64_t value);
    /// For a type byte of a later proposal, " (<proposal> is not supported)".
    static const char* proposal_of_type(uint8_t byte) {
        switch (byte) {
        case 0x63:
        case 0x64: return " (typed function references are not supported)";
        case 0x65:
        case 0x66:
        case 0x67:
        case 0x68:
        case 0x69:
        case 0x6A:
        case 0x6B:
        case 0x6C:
        case 0x6D:
        case 0x6E:
        case 0x71:
        case 0x72:
        case 0x73: return " (garbage collection types are not supported)";
        case 0x7B: return " (SIMD is not supported)";
        default: return "";
        }
    }

private:
    void need(size_t n) const {
        if (remaining() < n) fail_end();
    }
    [[noreturn]] void fail_end() const {
        fail(pos_, top_level_ ? "unexpected end" : "unexpected end of section or function");
    }

    const uint8_t* base_;
    size_t pos_;
    size_t end_;
    size_t limit_;
    std::string_view section_;
    bool top_level_ = false;
};

/// Block types (spec 5.4.1): empty, one value type, or a type index.
struct BlockType {
    enum Kind : uint8_t { Empty, Value, Index } kind = Empty;
    ValType value = ValType::I32;
    uint32_t index = 0;
};

/// One instruction with its immediates. br_table's labels are not stored:
/// `labels` is where they start, to be read again by whoever needs them.
struct Instr {
    Op op = Op::Nop;
    size_t offset = 0;  ///< of the opcode
    uint32_t a = 0;     ///< the (first) index; memarg alignment; br_table label count
    uint32_t b = 0;     ///< second index (call_indirect/table.init table, table.copy source)
    uint64_t value = 0; ///< constant bits; memarg offset
    ValType type = ValType::I32; ///< ref.null, typed select
    BlockType block;
    size_t labels = 0; ///< br_table: offset of the first label
};

/// Opcode byte to instruction, built at compile time from the table.
struct SingleByteOps {
    std::array<Op, 256> op{};
    std::array<bool, 256> valid{};
    constexpr SingleByteOps() {
        for (size_t i = 0; i < static_cast<size_t>(Op::Count_); ++i)
            if (op_table[i].prefix == 0) {
                op[op_table[i].code] = static_cast<Op>(i);
                valid[op_table[i].code] = true;
            }
    }
};
inline constexpr SingleByteOps single_byte_ops{};

/// What reading instructions needs to know of the module.
struct InstrContext {
    bool has_data_count = true; ///< memory.init and data.drop need the section (5.5.13)
    /// Without a data count section, a segment index beyond the data section
    /// is left to the validator ("unknown data segment"): wast2json writes no
    /// data count section for such invalid modules of the spec tests.
    uint32_t data_segments = 0;
};

/// Reads the instruction at the reader's position.
WASMACRO_INLINE void read_instr(Reader& r, Instr& in, const InstrContext& ctx) {
    in.offset = r.pos();
    uint8_t byte = r.u8();
    if (single_byte_ops.valid[byte]) [[likely]] {
        in.op = single_byte_ops.op[byte];
    } else if (byte == 0xFC) {
        uint32_t sub = r.u32();
        std::optional<Op> op = misc_op(sub);
        if (!op) r.fail(in.offset, unsupported_opcode(byte, sub));
        in.op = *op;
    } else {
        r.fail(in.offset, unsupported_opcode(0, byte));
    }
    switch (in.op) {
    case Op::Block:
    case Op::Loop:
    case Op::If:
    case Op::Try: {
        size_t at = r.pos();
        int64_t v = r.s33();
        if (v == -64) { // 0x40
            in.block.kind = BlockType::Empty;
            break;
        }
        if (v >= 0) {
            in.block.kind = BlockType::Index;
            in.block.index = static_cast<uint32_t>(v);
            break;
        }
        in.block.kind = BlockType::Value;
        switch (v) {
        case -1: in.block.value = ValType::I32; break;
        case -2: in.block.value = ValType::I64; break;
        case -3: in.block.value = ValType::F32; break;
        case -4: in.block.value = ValType::F64; break;
        case -16: in.block.value = ValType::FuncRef; break;
        case -17: in.block.value = ValType::ExternRef; break;
        case -5: r.fail(at, "SIMD is not supported (block type v128)");
        default: r.fail(at, "malformed value type in block type");
        }
        break;
    }
    case Op::Br:
    case Op::BrIf:
    case Op::Catch:
    case Op::Throw:
    case Op::Rethrow:
    case Op::Delegate:
    case Op::Call:
    case Op::ReturnCall:
    case Op::LocalGet:
    case Op::LocalSet:
    case Op::LocalTee:
    case Op::GlobalGet:
    case Op::GlobalSet:
    case Op::TableGet:
    case Op::TableSet:
    case Op::RefFunc:
    case Op::ElemDrop:
    case Op::TableGrow:
    case Op::TableSize:
    case Op::TableFill: in.a = r.u32(); break;
    case Op::BrTable: {
        in.a = r.u32();
        in.labels = r.pos();
        // Each label takes at least one byte: a count beyond the body is
        // caught here rather than by a long loop.
        if (in.a > r.remaining()) r.fail(in.labels, "unexpected end of section or function");
        for (uint32_t i = 0; i <= in.a; ++i) r.u32();
        break;
    }
    case Op::CallIndirect:
    case Op::ReturnCallIndirect:
        in.a = r.u32(); // type
        in.b = r.u32(); // table: a LEB index since reference types, 0x80 0x00 included
        break;
    case Op::SelectTyped: {
        in.a = r.u32();
        if (in.a > r.remaining()) r.fail(r.pos(), "unexpected end of section or function");
        for (uint32_t i = 0; i < in.a; ++i) {
            ValType t = r.value_type();
            if (i == 0) in.type = t;
        }
        break;
    }
    case Op::RefNull: in.type = r.reference_type(); break;
    case Op::TableInit: // elem then table
    case Op::TableCopy: // destination then source
        in.a = r.u32();
        in.b = r.u32();
        break;
    case Op::I32Const: in.value = static_cast<uint32_t>(r.s32()); break;
    case Op::I64Const: in.value = static_cast<uint64_t>(r.s64()); break;
    case Op::F32Const: in.value = r.fixed_u32(); break;
    case Op::F64Const: in.value = r.fixed_u64(); break;
    case Op::MemorySize:
    case Op::MemoryGrow:
    case Op::MemoryFill:
        if (r.u8() != 0) r.fail(r.pos() - 1, "zero byte expected");
        break;
    case Op::MemoryCopy:
        if (r.u8() != 0) r.fail(r.pos() - 1, "zero byte expected");
        if (r.u8() != 0) r.fail(r.pos() - 1, "zero byte expected");
        break;
    case Op::MemoryInit:
        in.a = r.u32();
        if (r.u8() != 0) r.fail(r.pos() - 1, "zero byte expected");
        if (!ctx.has_data_count && in.a < ctx.data_segments)
            r.fail(in.offset, "data count section required");
        break;
    case Op::DataDrop:
        in.a = r.u32();
        if (!ctx.has_data_count && in.a < ctx.data_segments)
            r.fail(in.offset, "data count section required");
        break;
    default:
        if (info(in.op).kind == OpKind::Load || info(in.op).kind == OpKind::Store) {
            in.a = r.u32();
            in.value = r.u32();
        }
        break;
    }
}

} // namespace wasmacro::wasm::detail
