// A small x86-64 assembler: the instructions the compiler tier (x64_compile.cpp)
// emits, encoded into a byte vector. Internal to src/wasm.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

namespace wasmacro::wasm::x64 {

enum Reg : uint8_t { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
constexpr uint8_t no_index = 0xFF;

/// [base + index * 2^scale + disp]
struct Mem {
    Reg base;
    int32_t disp = 0;
    uint8_t index = no_index;
    uint8_t scale = 0;
};

enum Cond : uint8_t {
    O,
    NO,
    B,
    AE,
    E,
    NE,
    BE,
    A,
    S,
    NS,
    P,
    NP,
    L,
    GE,
    LE,
    G,
};
constexpr Cond negate(Cond c) {
    return static_cast<Cond>(c ^ 1);
}

// Group-1 arithmetic: the /digit of `op r/m, imm` and the opcode of `op r, r/m`.
enum Alu : uint8_t { ADD = 0, OR = 1, AND = 4, SUB = 5, XOR = 6, CMP = 7 };
// Group-2 shifts: the /digit of `shift r/m, cl` and `shift r/m, imm8`.
enum Shift : uint8_t { ROL = 0, ROR = 1, SHL = 4, SHR = 5, SAR = 7 };

class Assembler {
public:
    std::vector<uint8_t> code;

    size_t here() const { return code.size(); }
    void byte(uint8_t b) { code.push_back(b); }
    void u32(uint32_t v) { append(&v, 4); }
    void u64(uint64_t v) { append(&v, 8); }
    void append(const void* data, size_t n) {
        const auto* bytes = static_cast<const uint8_t*>(data);
        code.insert(code.end(), bytes, bytes + n);
    }
    /// Points the rel32 field at `field` to `target`.
    void patch(size_t field, size_t target) {
        auto rel =
            static_cast<int32_t>(static_cast<int64_t>(target) - static_cast<int64_t>(field + 4));
        std::memcpy(code.data() + field, &rel, 4);
    }

    // --- generic encodings: [66] [REX] opcode ModRM [SIB] [disp] ---
    void op(bool w, std::initializer_list<uint8_t> opcode, uint8_t reg, Mem m, bool p66 = false) {
        if (p66) byte(0x66);
        uint8_t index = m.index == no_index ? 0 : m.index;
        rex(w, reg, index, m.base);
        for (uint8_t b : opcode) byte(b);
        uint8_t base = m.base & 7;
        uint8_t mod = (m.disp == 0 && base != 5) ? 0 : (m.disp >= -128 && m.disp <= 127) ? 1 : 2;
        if (m.index != no_index || base == 4) {
            byte(static_cast<uint8_t>(mod << 6 | (reg & 7) << 3 | 4));
            uint8_t idx = m.index == no_index ? 4 : (m.index & 7);
            byte(static_cast<uint8_t>(m.scale << 6 | idx << 3 | base));
        } else {
            byte(static_cast<uint8_t>(mod << 6 | (reg & 7) << 3 | base));
        }
        if (mod == 1) byte(static_cast<uint8_t>(m.disp));
        if (mod == 2) u32(static_cast<uint32_t>(m.disp));
    }
    void op(bool w, std::initializer_list<uint8_t> opcode, uint8_t reg, Reg rm) {
        rex(w, reg, 0, rm);
        for (uint8_t b : opcode) byte(b);
        byte(static_cast<uint8_t>(0xC0 | (reg & 7) << 3 | (rm & 7)));
    }

    // --- moves ---
    void mov(bool w, Reg dst, Mem src) { op(w, {0x8B}, dst, src); }
    void mov(bool w, Mem dst, Reg src) { op(w, {0x89}, src, dst); }
    void mov(bool w, Reg dst, Reg src) { op(w, {0x8B}, dst, src); }
    void mov8(Mem dst, Reg src) { op(false, {0x88}, src, dst); } ///< src is al, cl or dl
    void mov16(Mem dst, Reg src) { op(false, {0x89}, src, dst, true); }
    void mov_imm32(Mem dst, uint32_t imm) {
        op(false, {0xC7}, 0, dst);
        u32(imm);
    }
    /// Loads a constant in the shortest form.
    void mov_imm(Reg dst, uint64_t imm) {
        if (imm <= 0xFFFFFFFF) {
            rex(false, 0, 0, dst);
            byte(static_cast<uint8_t>(0xB8 + (dst & 7)));
            u32(static_cast<uint32_t>(imm));
        } else if (static_cast<int64_t>(imm) == static_cast<int32_t>(imm)) {
            op(true, {0xC7}, 0, dst);
            u32(static_cast<uint32_t>(imm));
        } else {
            rex(true, 0, 0, dst);
            byte(static_cast<uint8_t>(0xB8 + (dst & 7)));
            u64(imm);
        }
    }
    void movzx8(Reg dst, Mem src) { op(false, {0x0F, 0xB6}, dst, src); }
    void movzx16(Reg dst, Mem src) { op(false, {0x0F, 0xB7}, dst, src); }
    void movsx8(bool w, Reg dst, Mem src) { op(w, {0x0F, 0xBE}, dst, src); }
    void movsx16(bool w, Reg dst, Mem src) { op(w, {0x0F, 0xBF}, dst, src); }
    void movsxd(Reg dst, Mem src) { op(true, {0x63}, dst, src); }
    void movzx8(Reg dst, Reg src) { op(false, {0x0F, 0xB6}, dst, src); }
    void movsx8(bool w, Reg dst, Reg src) { op(w, {0x0F, 0xBE}, dst, src); }
    void movsx16(bool w, Reg dst, Reg src) { op(w, {0x0F, 0xBF}, dst, src); }
    void movsxd(Reg dst, Reg src) { op(true, {0x63}, dst, src); }
    void lea(Reg dst, Mem src) { op(true, {0x8D}, dst, src); }

    // --- arithmetic ---
    void alu(Alu kind, bool w, Reg dst, Mem src) {
        op(w, {static_cast<uint8_t>(kind << 3 | 3)}, dst, src);
    }
    void alu(Alu kind, bool w, Reg dst, Reg src) {
        op(w, {static_cast<uint8_t>(kind << 3 | 3)}, dst, src);
    }
    /// `op dst, imm`, dst a register or memory.
    template <typename Operand>
    void alu_imm(Alu kind, bool w, Operand dst, int32_t imm) {
        bool short_form = imm >= -128 && imm <= 127;
        op(w, {static_cast<uint8_t>(short_form ? 0x83 : 0x81)}, kind, dst);
        if (short_form)
            byte(static_cast<uint8_t>(imm));
        else
            u32(static_cast<uint32_t>(imm));
    }
    void test(bool w, Reg a, Reg b) { op(w, {0x85}, b, a); }
    void test(bool w, Mem a, Reg b) { op(w, {0x85}, b, a); }
    void test_imm(bool w, Reg a, uint32_t imm) {
        op(w, {0xF7}, 0, a);
        u32(imm);
    }
    /// lea dst, [rip + rel32]; returns the field's position for patch().
    size_t lea_rip(Reg dst) {
        rex(true, dst, 0, 0);
        byte(0x8D);
        byte(static_cast<uint8_t>((dst & 7) << 3 | 5));
        return rel32();
    }
    void imul(bool w, Reg dst, Mem src) { op(w, {0x0F, 0xAF}, dst, src); }
    void imul(bool w, Reg dst, Reg src) { op(w, {0x0F, 0xAF}, dst, src); }
    void imul_imm(bool w, Reg dst, Reg src, int32_t imm) {
        op(w, {0x69}, dst, src);
        u32(static_cast<uint32_t>(imm));
    }
    void shift_cl(Shift kind, bool w, Reg dst) { op(w, {0xD3}, kind, dst); }
    void shift_imm(Shift kind, bool w, Reg dst, uint8_t count) {
        op(w, {0xC1}, kind, dst);
        byte(count);
    }
    void dec(bool w, Reg r) { op(w, {0xFF}, 1, r); }
    void inc(bool w, Reg r) { op(w, {0xFF}, 0, r); }
    void setcc(Cond c, Reg dst) { op(false, {0x0F, static_cast<uint8_t>(0x90 + c)}, 0, dst); }
    void cmov(Cond c, bool w, Reg dst, Mem src) {
        op(w, {0x0F, static_cast<uint8_t>(0x40 + c)}, dst, src);
    }

    // --- control: the rel32 forms return the field's position for patch() ---
    size_t jcc(Cond c) {
        byte(0x0F);
        byte(static_cast<uint8_t>(0x80 + c));
        return rel32();
    }
    size_t jmp() {
        byte(0xE9);
        return rel32();
    }
    void jmp(Reg target) { op(false, {0xFF}, 4, target); }
    void call(Reg target) { op(false, {0xFF}, 2, target); }
    void call(Mem target) { op(false, {0xFF}, 2, target); }
    void ret() { byte(0xC3); }
    void push(Reg r) {
        rex(false, 0, 0, r);
        byte(static_cast<uint8_t>(0x50 + (r & 7)));
    }
    void pop(Reg r) {
        rex(false, 0, 0, r);
        byte(static_cast<uint8_t>(0x58 + (r & 7)));
    }
    void push(Mem m) { op(false, {0xFF}, 6, m); }
    void pop(Mem m) { op(false, {0x8F}, 0, m); }

private:
    size_t rel32() {
        size_t at = here();
        u32(0);
        return at;
    }
    void rex(bool w, uint8_t reg, uint8_t index, uint8_t base) {
        auto value = static_cast<uint8_t>(0x40 | (w ? 8 : 0) | (reg & 8) >> 1 | (index & 8) >> 2 |
                                          (base & 8) >> 3);
        if (value != 0x40) byte(value);
    }
};

} // namespace wasmacro::wasm::x64
