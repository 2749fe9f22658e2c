// The semantics of WebAssembly's numeric instructions on 64-bit slots: one
// eval_<Name> function per Unary or Binary row of opcodes.def. i32 and f32
// results are stored zero-extended. A trapping instruction sets `trap` to
// 1 + its TrapKind and returns 0.
#pragma once

#include "wasm/engine.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>

namespace wasmacro::wasm::numeric {

inline uint32_t u32(uint64_t x) {
    return static_cast<uint32_t>(x);
}
inline int32_t s32(uint64_t x) {
    return static_cast<int32_t>(x);
}
inline int64_t s64(uint64_t x) {
    return static_cast<int64_t>(x);
}
inline float f32(uint64_t x) {
    return std::bit_cast<float>(u32(x));
}
inline double f64(uint64_t x) {
    return std::bit_cast<double>(x);
}
inline uint64_t of(uint32_t x) {
    return x;
}
inline uint64_t of(int32_t x) {
    return static_cast<uint32_t>(x);
}
inline uint64_t of(uint64_t x) {
    return x;
}
inline uint64_t of(int64_t x) {
    return static_cast<uint64_t>(x);
}
inline uint64_t of(float x) {
    return std::bit_cast<uint32_t>(x);
}
inline uint64_t of(double x) {
    return std::bit_cast<uint64_t>(x);
}
inline uint64_t of(bool x) {
    return x ? 1 : 0;
}

inline int trap_code(TrapKind kind) {
    return 1 + static_cast<int>(kind);
}

#define WASMACRO_UN(name, expr)                                                                    \
    inline uint64_t eval_##name(uint64_t a, [[maybe_unused]] int& trap) {                          \
        return of(expr);                                                                           \
    }
#define WASMACRO_BIN(name, expr)                                                                   \
    inline uint64_t eval_##name(uint64_t a, uint64_t b, [[maybe_unused]] int& trap) {              \
        return of(expr);                                                                           \
    }

WASMACRO_UN(I32Eqz, u32(a) == 0)
WASMACRO_BIN(I32Eq, u32(a) == u32(b))
WASMACRO_BIN(I32Ne, u32(a) != u32(b))
WASMACRO_BIN(I32LtS, s32(a) < s32(b))
WASMACRO_BIN(I32LtU, u32(a) < u32(b))
WASMACRO_BIN(I32GtS, s32(a) > s32(b))
WASMACRO_BIN(I32GtU, u32(a) > u32(b))
WASMACRO_BIN(I32LeS, s32(a) <= s32(b))
WASMACRO_BIN(I32LeU, u32(a) <= u32(b))
WASMACRO_BIN(I32GeS, s32(a) >= s32(b))
WASMACRO_BIN(I32GeU, u32(a) >= u32(b))
WASMACRO_UN(I64Eqz, a == 0)
WASMACRO_BIN(I64Eq, a == b)
WASMACRO_BIN(I64Ne, a != b)
WASMACRO_BIN(I64LtS, s64(a) < s64(b))
WASMACRO_BIN(I64LtU, a < b)
WASMACRO_BIN(I64GtS, s64(a) > s64(b))
WASMACRO_BIN(I64GtU, a > b)
WASMACRO_BIN(I64LeS, s64(a) <= s64(b))
WASMACRO_BIN(I64LeU, a <= b)
WASMACRO_BIN(I64GeS, s64(a) >= s64(b))
WASMACRO_BIN(I64GeU, a >= b)
WASMACRO_BIN(F32Eq, f32(a) == f32(b))
WASMACRO_BIN(F32Ne, f32(a) != f32(b))
WASMACRO_BIN(F32Lt, f32(a) < f32(b))
WASMACRO_BIN(F32Gt, f32(a) > f32(b))
WASMACRO_BIN(F32Le, f32(a) <= f32(b))
WASMACRO_BIN(F32Ge, f32(a) >= f32(b))
WASMACRO_BIN(F64Eq, f64(a) == f64(b))
WASMACRO_BIN(F64Ne, f64(a) != f64(b))
WASMACRO_BIN(F64Lt, f64(a) < f64(b))
WASMACRO_BIN(F64Gt, f64(a) > f64(b))
WASMACRO_BIN(F64Le, f64(a) <= f64(b))
WASMACRO_BIN(F64Ge, f64(a) >= f64(b))

WASMACRO_UN(I32Clz, static_cast<uint32_t>(std::countl_zero(u32(a))))
WASMACRO_UN(I32Ctz, static_cast<uint32_t>(std::countr_zero(u32(a))))
WASMACRO_UN(I32Popcnt, static_cast<uint32_t>(std::popcount(u32(a))))
WASMACRO_BIN(I32Add, u32(a) + u32(b))
WASMACRO_BIN(I32Sub, u32(a) - u32(b))
WASMACRO_BIN(I32Mul, u32(a) * u32(b))
WASMACRO_BIN(I32And, u32(a) & u32(b))
WASMACRO_BIN(I32Or, u32(a) | u32(b))
WASMACRO_BIN(I32Xor, u32(a) ^ u32(b))
// Not wasm instructions: an i32.and fused with the branch it feeds (slot_code.hpp).
WASMACRO_BIN(I32AndNz, (u32(a) & u32(b)) != 0)
WASMACRO_BIN(I32AndZ, (u32(a) & u32(b)) == 0)
WASMACRO_BIN(I32Shl, u32(a) << (b & 31))
WASMACRO_BIN(I32ShrS, s32(a) >> (b & 31))
WASMACRO_BIN(I32ShrU, u32(a) >> (b & 31))
WASMACRO_BIN(I32Rotl, std::rotl(u32(a), static_cast<int>(b & 31)))
WASMACRO_BIN(I32Rotr, std::rotr(u32(a), static_cast<int>(b & 31)))
WASMACRO_UN(I64Clz, static_cast<uint64_t>(std::countl_zero(a)))
WASMACRO_UN(I64Ctz, static_cast<uint64_t>(std::countr_zero(a)))
WASMACRO_UN(I64Popcnt, static_cast<uint64_t>(std::popcount(a)))
WASMACRO_BIN(I64Add, a + b)
WASMACRO_BIN(I64Sub, a - b)
WASMACRO_BIN(I64Mul, a* b)
WASMACRO_BIN(I64And, a& b)
WASMACRO_BIN(I64Or, a | b)
WASMACRO_BIN(I64Xor, a ^ b)
WASMACRO_BIN(I64Shl, a << (b & 63))
WASMACRO_BIN(I64ShrS, s64(a) >> (b & 63))
WASMACRO_BIN(I64ShrU, a >> (b & 63))
WASMACRO_BIN(I64Rotl, std::rotl(a, static_cast<int>(b & 63)))
WASMACRO_BIN(I64Rotr, std::rotr(a, static_cast<int>(b & 63)))

inline uint64_t eval_I32DivS(uint64_t a, uint64_t b, int& trap) {
    if (u32(b) == 0) return trap = trap_code(TrapKind::IntegerDivideByZero), 0;
    if (s32(a) == std::numeric_limits<int32_t>::min() && s32(b) == -1)
        return trap = trap_code(TrapKind::IntegerOverflow), 0;
    return of(s32(a) / s32(b));
}
inline uint64_t eval_I32DivU(uint64_t a, uint64_t b, int& trap) {
    if (u32(b) == 0) return trap = trap_code(TrapKind::IntegerDivideByZero), 0;
    return of(u32(a) / u32(b));
}
inline uint64_t eval_I32RemS(uint64_t a, uint64_t b, int& trap) {
    if (u32(b) == 0) return trap = trap_code(TrapKind::IntegerDivideByZero), 0;
    if (s32(b) == -1) return 0; // INT_MIN % -1 overflows in C++, is 0 in wasm
    return of(s32(a) % s32(b));
}
inline uint64_t eval_I32RemU(uint64_t a, uint64_t b, int& trap) {
    if (u32(b) == 0) return trap = trap_code(TrapKind::IntegerDivideByZero), 0;
    return of(u32(a) % u32(b));
}
inline uint64_t eval_I64DivS(uint64_t a, uint64_t b, int& trap) {
    if (b == 0) return trap = trap_code(TrapKind::IntegerDivideByZero), 0;
    if (s64(a) == std::numeric_limits<int64_t>::min() && s64(b) == -1)
        return trap = trap_code(TrapKind::IntegerOverflow), 0;
    return of(s64(a) / s64(b));
}
inline uint64_t eval_I64DivU(uint64_t a, uint64_t b, int& trap) {
    if (b == 0) return trap = trap_code(TrapKind::IntegerDivideByZero), 0;
    return a / b;
}
inline uint64_t eval_I64RemS(uint64_t a, uint64_t b, int& trap) {
    if (b == 0) return trap = trap_code(TrapKind::IntegerDivideByZero), 0;
    if (s64(b) == -1) return 0;
    return of(s64(a) % s64(b));
}
inline uint64_t eval_I64RemU(uint64_t a, uint64_t b, int& trap) {
    if (b == 0) return trap = trap_code(TrapKind::IntegerDivideByZero), 0;
    return a % b;
}

inline float quieted(float x) {
    return std::bit_cast<float>(std::bit_cast<uint32_t>(x) | 0x00400000u);
}
inline double quieted(double x) {
    return std::bit_cast<double>(std::bit_cast<uint64_t>(x) | uint64_t{0x0008000000000000});
}
/// The result of a binary float operator of which an operand is NaN: the
/// first NaN operand, quieted, as x86 gives for `x op y` (and so V8). Written
/// out because the C++ compiler may swap the operands of `+` and `*`, and
/// does so differently where the interpreter inlines them and where the
/// compiling tier calls them: with two NaNs, the tiers would disagree.
template <typename F>
F nan_result(F x, F y) {
    return quieted(std::isnan(x) ? x : y);
}
template <typename F, typename Op>
F float_arith(F x, F y, Op op) {
    if (std::isnan(x) || std::isnan(y)) [[unlikely]]
        return nan_result(x, y);
    return op(x, y);
}

// Float min/max: NaN if either is NaN, and -0 < +0 (which fmin/fmax don't promise).
template <typename F>
F wasm_min(F x, F y) {
    if (std::isnan(x) || std::isnan(y)) return nan_result(x, y);
    if (x == y) return std::signbit(x) ? x : y;
    return x < y ? x : y;
}
template <typename F>
F wasm_max(F x, F y) {
    if (std::isnan(x) || std::isnan(y)) return nan_result(x, y);
    if (x == y) return std::signbit(x) ? y : x;
    return x > y ? x : y;
}

WASMACRO_UN(F32Abs, u32(a) & 0x7FFFFFFFu)
WASMACRO_UN(F32Neg, u32(a) ^ 0x80000000u)
// libm's rounding functions may hand a signalling NaN back unchanged, where
// wasm wants it quieted (an "arithmetic" NaN); x + x quiets it.
template <typename F, typename Round>
F round_quieting(F x, Round round) {
    return std::isnan(x) ? x + x : round(x);
}

WASMACRO_UN(F32Ceil, round_quieting(f32(a), [](float x) { return std::ceil(x); }))
WASMACRO_UN(F32Floor, round_quieting(f32(a), [](float x) { return std::floor(x); }))
WASMACRO_UN(F32Trunc, round_quieting(f32(a), [](float x) { return std::trunc(x); }))
WASMACRO_UN(F32Nearest, round_quieting(f32(a), [](float x) { return std::nearbyint(x); }))
WASMACRO_UN(F32Sqrt, std::sqrt(f32(a)))
WASMACRO_BIN(F32Add, float_arith(f32(a), f32(b), std::plus<>()))
WASMACRO_BIN(F32Sub, float_arith(f32(a), f32(b), std::minus<>()))
WASMACRO_BIN(F32Mul, float_arith(f32(a), f32(b), std::multiplies<>()))
WASMACRO_BIN(F32Div, float_arith(f32(a), f32(b), std::divides<>()))
WASMACRO_BIN(F32Min, wasm_min(f32(a), f32(b)))
WASMACRO_BIN(F32Max, wasm_max(f32(a), f32(b)))
WASMACRO_BIN(F32Copysign, (u32(a) & 0x7FFFFFFFu) | (u32(b) & 0x80000000u))
WASMACRO_UN(F64Abs, a& uint64_t{0x7FFFFFFFFFFFFFFF})
WASMACRO_UN(F64Neg, a ^ uint64_t{0x8000000000000000})
WASMACRO_UN(F64Ceil, round_quieting(f64(a), [](double x) { return std::ceil(x); }))
WASMACRO_UN(F64Floor, round_quieting(f64(a), [](double x) { return std::floor(x); }))
WASMACRO_UN(F64Trunc, round_quieting(f64(a), [](double x) { return std::trunc(x); }))
WASMACRO_UN(F64Nearest, round_quieting(f64(a), [](double x) { return std::nearbyint(x); }))
WASMACRO_UN(F64Sqrt, std::sqrt(f64(a)))
WASMACRO_BIN(F64Add, float_arith(f64(a), f64(b), std::plus<>()))
WASMACRO_BIN(F64Sub, float_arith(f64(a), f64(b), std::minus<>()))
WASMACRO_BIN(F64Mul, float_arith(f64(a), f64(b), std::multiplies<>()))
WASMACRO_BIN(F64Div, float_arith(f64(a), f64(b), std::divides<>()))
WASMACRO_BIN(F64Min, wasm_min(f64(a), f64(b)))
WASMACRO_BIN(F64Max, wasm_max(f64(a), f64(b)))
WASMACRO_BIN(F64Copysign, (a & uint64_t{0x7FFFFFFFFFFFFFFF}) | (b & uint64_t{0x8000000000000000}))

// Float to integer. `lower` and `upper` are the exclusive bounds of the values
// that truncate into range; both are exactly representable in F.
template <typename I, typename F>
uint64_t trunc_checked(F x, F lower, F upper, int& trap) {
    if (std::isnan(x)) return trap = trap_code(TrapKind::InvalidConversion), 0;
    if (!(x > lower && x < upper)) return trap = trap_code(TrapKind::IntegerOverflow), 0;
    return of(static_cast<I>(x));
}
template <typename I, typename F>
uint64_t trunc_saturated(F x, F lower, F upper) {
    if (std::isnan(x)) return 0;
    if (!(x > lower)) return of(std::numeric_limits<I>::min());
    if (!(x < upper)) return of(std::numeric_limits<I>::max());
    return of(static_cast<I>(x));
}
// Exclusive bounds: 2^31, 2^32, 2^63, 2^64 above; -2^31-1 (rounded for f32 to
// the next float below -2^31) and -1 below.
inline constexpr float f32_i32_lo = -2147483904.0f, f32_i32_hi = 2147483648.0f;
inline constexpr double f64_i32_lo = -2147483649.0, f64_i32_hi = 2147483648.0;
inline constexpr float f32_u32_hi = 4294967296.0f;
inline constexpr double f64_u32_hi = 4294967296.0;
inline constexpr float f32_i64_lo = -9223373136366403584.0f, f32_i64_hi = 9223372036854775808.0f;
inline constexpr double f64_i64_lo = -9223372036854777856.0, f64_i64_hi = 9223372036854775808.0;
inline constexpr float f32_u64_hi = 18446744073709551616.0f;
inline constexpr double f64_u64_hi = 18446744073709551616.0;

inline uint64_t eval_I32WrapI64(uint64_t a, int&) {
    return u32(a);
}
inline uint64_t eval_I32TruncF32S(uint64_t a, int& t) {
    return trunc_checked<int32_t>(f32(a), f32_i32_lo, f32_i32_hi, t);
}
inline uint64_t eval_I32TruncF32U(uint64_t a, int& t) {
    return trunc_checked<uint32_t>(f32(a), -1.0f, f32_u32_hi, t);
}
inline uint64_t eval_I32TruncF64S(uint64_t a, int& t) {
    return trunc_checked<int32_t>(f64(a), f64_i32_lo, f64_i32_hi, t);
}
inline uint64_t eval_I32TruncF64U(uint64_t a, int& t) {
    return trunc_checked<uint32_t>(f64(a), -1.0, f64_u32_hi, t);
}
inline uint64_t eval_I64TruncF32S(uint64_t a, int& t) {
    return trunc_checked<int64_t>(f32(a), f32_i64_lo, f32_i64_hi, t);
}
inline uint64_t eval_I64TruncF32U(uint64_t a, int& t) {
    return trunc_checked<uint64_t>(f32(a), -1.0f, f32_u64_hi, t);
}
inline uint64_t eval_I64TruncF64S(uint64_t a, int& t) {
    return trunc_checked<int64_t>(f64(a), f64_i64_lo, f64_i64_hi, t);
}
inline uint64_t eval_I64TruncF64U(uint64_t a, int& t) {
    return trunc_checked<uint64_t>(f64(a), -1.0, f64_u64_hi, t);
}
inline uint64_t eval_I32TruncSatF32S(uint64_t a, int&) {
    return trunc_saturated<int32_t>(f32(a), f32_i32_lo, f32_i32_hi);
}
inline uint64_t eval_I32TruncSatF32U(uint64_t a, int&) {
    return trunc_saturated<uint32_t>(f32(a), -1.0f, f32_u32_hi);
}
inline uint64_t eval_I32TruncSatF64S(uint64_t a, int&) {
    return trunc_saturated<int32_t>(f64(a), f64_i32_lo, f64_i32_hi);
}
inline uint64_t eval_I32TruncSatF64U(uint64_t a, int&) {
    return trunc_saturated<uint32_t>(f64(a), -1.0, f64_u32_hi);
}
inline uint64_t eval_I64TruncSatF32S(uint64_t a, int&) {
    return trunc_saturated<int64_t>(f32(a), f32_i64_lo, f32_i64_hi);
}
inline uint64_t eval_I64TruncSatF32U(uint64_t a, int&) {
    return trunc_saturated<uint64_t>(f32(a), -1.0f, f32_u64_hi);
}
inline uint64_t eval_I64TruncSatF64S(uint64_t a, int&) {
    return trunc_saturated<int64_t>(f64(a), f64_i64_lo, f64_i64_hi);
}
inline uint64_t eval_I64TruncSatF64U(uint64_t a, int&) {
    return trunc_saturated<uint64_t>(f64(a), -1.0, f64_u64_hi);
}

WASMACRO_UN(I64ExtendI32S, static_cast<int64_t>(s32(a)))
WASMACRO_UN(I64ExtendI32U, static_cast<uint64_t>(u32(a)))
WASMACRO_UN(F32ConvertI32S, static_cast<float>(s32(a)))
WASMACRO_UN(F32ConvertI32U, static_cast<float>(u32(a)))
WASMACRO_UN(F32ConvertI64S, static_cast<float>(s64(a)))
WASMACRO_UN(F32ConvertI64U, static_cast<float>(a))
WASMACRO_UN(F32DemoteF64, static_cast<float>(f64(a)))
WASMACRO_UN(F64ConvertI32S, static_cast<double>(s32(a)))
WASMACRO_UN(F64ConvertI32U, static_cast<double>(u32(a)))
WASMACRO_UN(F64ConvertI64S, static_cast<double>(s64(a)))
WASMACRO_UN(F64ConvertI64U, static_cast<double>(a))
WASMACRO_UN(F64PromoteF32, static_cast<double>(f32(a)))
WASMACRO_UN(I32ReinterpretF32, u32(a))
WASMACRO_UN(I64ReinterpretF64, a)
WASMACRO_UN(F32ReinterpretI32, u32(a))
WASMACRO_UN(F64ReinterpretI64, a)
WASMACRO_UN(I32Extend8S, static_cast<int32_t>(static_cast<int8_t>(a)))
WASMACRO_UN(I32Extend16S, static_cast<int32_t>(static_cast<int16_t>(a)))
WASMACRO_UN(I64Extend8S, static_cast<int64_t>(static_cast<int8_t>(a)))
WASMACRO_UN(I64Extend16S, static_cast<int64_t>(static_cast<int16_t>(a)))
WASMACRO_UN(I64Extend32S, static_cast<int64_t>(static_cast<int32_t>(a)))

#undef WASMACRO_UN
#undef WASMACRO_BIN

} // namespace wasmacro::wasm::numeric
