// validate_module on small hand-written binaries: the WAT of each is beside it.
#include "wasm/module.hpp"
#include "wasm_bytes.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

using namespace wasmacro::wasm;

namespace {

using namespace wasm_bytes;

/// A code section with one body (no locals) made of `instructions` and `end`.
Bytes code(Bytes instructions) {
    Bytes body = concat({{0x00}, instructions, {0x0B}});
    return section(10, concat({{0x01, static_cast<uint8_t>(body.size())}, body}));
}

/// "valid", the ValidationError's message, or "malformed: " and the DecodeError's.
std::string check(const Bytes& bytes, uint32_t* features = nullptr) {
    try {
        Module m = decode_module(bytes);
        validate_module(m);
        if (features) *features = m.features;
        return "valid";
    } catch (const ValidationError& e) {
        return e.what();
    } catch (const DecodeError& e) {
        return std::string("malformed: ") + e.what();
    }
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

const Bytes type_void = section(1, {0x01, 0x60, 0x00, 0x00});      // (type (func))
const Bytes type_i32 = section(1, {0x01, 0x60, 0x00, 0x01, 0x7F}); // (type (func (result i32)))
const Bytes one_func = section(3, {0x01, 0x00});                   // one function of type 0
const Bytes memory_1 = section(5, {0x01, 0x00, 0x01});             // (memory 1)

} // namespace

TEST(Validator, TypeMismatchNamesFunctionAndOffset) {
    // (func $add (result i32) (i32.add (i32.const 1) (i64.const 2)))
    Bytes names = concat({name_bytes("name"), {0x01, 0x06, 0x01, 0x00}, name_bytes("add")});
    Bytes bytes =
        module({type_i32, one_func, code({0x41, 0x01, 0x42, 0x02, 0x6A}), section(0, names)});
    EXPECT_EQ(check(bytes),
              "type mismatch: i32.add expected i32 but found i64 (in function 0 `add` at offset "
              "0x1c)");
}

TEST(Validator, StackUnderflowAndLeftovers) {
    // (func (result i32) (i32.add (i32.const 1)))
    EXPECT_EQ(check(module({type_i32, one_func, code({0x41, 0x01, 0x6A})})),
              "type mismatch: i32.add expected i32 but the stack is empty (in function 0 at "
              "offset 0x1a)");
    // (func (i32.const 1)): a value left over at the end.
    EXPECT_TRUE(contains(check(module({type_void, one_func, code({0x41, 0x01})})),
                         "type mismatch: values left on the stack"));
}

TEST(Validator, UnreachableMakesTheStackPolymorphic) {
    // (func (result i32) unreachable i32.add)
    EXPECT_EQ(check(module({type_i32, one_func, code({0x00, 0x6A})})), "valid");
    // (func (result i32) (br 0 (unreachable)) i64.const 0): still checked after br.
    EXPECT_TRUE(contains(check(module({type_i32, one_func, code({0x0C, 0x00, 0x42, 0x00})})),
                         "type mismatch"));
}

TEST(Validator, IfWithoutElseMustKeepTypes) {
    // (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 2))))
    EXPECT_TRUE(contains(
        check(module({type_i32, one_func, code({0x41, 0x01, 0x04, 0x7F, 0x41, 0x02, 0x0B})})),
        "type mismatch: if without else"));
}

TEST(Validator, BrTableArity) {
    // (func (block (result i32) (br_table 0 1 (i32.const 0) (i32.const 0))) drop)
    Bytes body = {0x02, 0x7F, 0x41, 0x00, 0x41, 0x00, 0x0E, 0x01, 0x00, 0x01, 0x0B, 0x1A};
    EXPECT_TRUE(contains(check(module({type_void, one_func, code(body)})),
                         "type mismatch: br_table label"));
    // An unknown label: br 1 at the function level.
    EXPECT_TRUE(
        contains(check(module({type_void, one_func, code({0x0C, 0x01})})), "unknown label 1"));
}

TEST(Validator, UnknownIndices) {
    // (func (local.get 0) drop)
    EXPECT_EQ(check(module({type_void, one_func, code({0x20, 0x00, 0x1A})})),
              "unknown local 0 (in function 0 at offset 0x17)");
    // (func (global.get 3) drop)
    EXPECT_TRUE(contains(check(module({type_void, one_func, code({0x23, 0x03, 0x1A})})),
                         "unknown global 3"));
    // (func (call 5))
    EXPECT_TRUE(
        contains(check(module({type_void, one_func, code({0x10, 0x05})})), "unknown function 5"));
    // (func (drop (i32.load (i32.const 0)))) without a memory.
    EXPECT_TRUE(
        contains(check(module({type_void, one_func, code({0x41, 0x00, 0x28, 0x02, 0x00, 0x1A})})),
                 "unknown memory 0"));
}

TEST(Validator, Alignment) {
    // (memory 1) (func (drop (i32.load align=8 (i32.const 0))))
    EXPECT_EQ(
        check(module({type_void, one_func, memory_1, code({0x41, 0x00, 0x28, 0x03, 0x00, 0x1A})})),
        "alignment must not be larger than natural (i32.load has 2^3, at most 2^2) (in "
        "function 0 at offset 0x1e)");
}

TEST(Validator, ConstantExpressions) {
    // (global i32 (i32.const 0)) (global i32 (global.get 0)): only imported globals.
    EXPECT_TRUE(contains(check(module({section(6, {0x02, 0x7F, 0x00, 0x41, 0x00, 0x0B, 0x7F, 0x00,
                                                   0x23, 0x00, 0x0B})})),
                         "unknown global 0"));
    // (global i32 (i32.ctz (i32.const 0)))
    EXPECT_TRUE(contains(check(module({section(6, {0x01, 0x7F, 0x00, 0x41, 0x00, 0x68, 0x0B})})),
                         "constant expression required"));
    // (global i32 (i64.const 0))
    EXPECT_TRUE(contains(check(module({section(6, {0x01, 0x7F, 0x00, 0x42, 0x00, 0x0B})})),
                         "type mismatch"));
}

TEST(Validator, ExportsAndStart) {
    // (func) (export "a" (func 0)) (export "a" (func 0))
    Bytes exports = concat({{0x02}, name_bytes("a"), {0x00, 0x00}, name_bytes("a"), {0x00, 0x00}});
    EXPECT_EQ(check(module({type_void, one_func, section(7, exports), code({})})),
              "duplicate export name \"a\"");
    // (func (result i32) ...) (start 0)
    EXPECT_TRUE(
        contains(check(module({type_i32, one_func, section(8, {0x00}), code({0x41, 0x00})})),
                 "start function"));
}

TEST(Validator, RefFuncNeedsADeclaration) {
    // (func (drop (ref.func 0)))
    Bytes body = {0xD2, 0x00, 0x1A};
    EXPECT_TRUE(contains(check(module({type_void, one_func, code(body)})),
                         "undeclared function reference"));
    // The same with (export "f" (func 0)).
    Bytes exports = concat({{0x01}, name_bytes("f"), {0x00, 0x00}});
    EXPECT_EQ(check(module({type_void, one_func, section(7, exports), code(body)})), "valid");
}

TEST(Validator, Features) {
    uint32_t f = 0;
    // MVP: (func (result i32) (i32.const 1))
    ASSERT_EQ(check(module({type_i32, one_func, code({0x41, 0x01})}), &f), "valid");
    EXPECT_EQ(f, 0u);
    // (func (result i32) (i32.extend8_s (i32.const 1)))
    ASSERT_EQ(check(module({type_i32, one_func, code({0x41, 0x01, 0xC0})}), &f), "valid");
    EXPECT_EQ(f, FeatureSignExtension);
    // (func (result i32) (i32.trunc_sat_f32_s (f32.const 0)))
    ASSERT_EQ(
        check(module({type_i32, one_func, code({0x43, 0x00, 0x00, 0x00, 0x00, 0xFC, 0x00})}), &f),
        "valid");
    EXPECT_EQ(f, FeatureSaturatingTrunc);
    // (func (result i32 i32) (i32.const 1) (i32.const 2))
    ASSERT_EQ(check(module({section(1, {0x01, 0x60, 0x00, 0x02, 0x7F, 0x7F}), one_func,
                            code({0x41, 0x01, 0x41, 0x02})}),
                    &f),
              "valid");
    EXPECT_EQ(f, FeatureMultiValue);
    // (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)))
    ASSERT_EQ(check(module({type_void, one_func, memory_1,
                            code({0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x0B, 0x00})}),
                    &f),
              "valid");
    EXPECT_EQ(f, FeatureBulkMemory);
    // (func (result externref) (ref.null extern))
    ASSERT_EQ(
        check(module({section(1, {0x01, 0x60, 0x00, 0x01, 0x6F}), one_func, code({0xD0, 0x6F})}),
              &f),
        "valid");
    EXPECT_EQ(f, FeatureReferenceTypes);
    // (global (export "g") (mut i32) (i32.const 0))
    Bytes exports = concat({{0x01}, name_bytes("g"), {0x03, 0x00}});
    ASSERT_EQ(
        check(module({section(6, {0x01, 0x7F, 0x01, 0x41, 0x00, 0x0B}), section(7, exports)}), &f),
        "valid");
    EXPECT_EQ(f, FeatureMutableGlobals);
    EXPECT_EQ(feature_names(FeatureMutableGlobals | FeatureBulkMemory),
              (std::vector<std::string_view>{"mutable-globals", "bulk-memory"}));
}

TEST(Validator, SimdInstructionsAreRefused) {
    // (func (drop (v128.const i32x4 0 0 0 0)))
    Bytes body = {0xFD, 0x0C};
    body.insert(body.end(), 16, 0x00);
    body.push_back(0x1A);
    EXPECT_EQ(check(module({type_void, one_func, code(body)})),
              "malformed: malformed module: illegal opcode 0xfd (SIMD is not supported) (in code "
              "section at offset 0x17)");
}

TEST(Validator, MalformedBodyOutranksInvalidOne) {
    // Function 0 is invalid (i32.add on nothing); function 1 holds opcode 0xFF.
    Bytes bytes = module({type_void, section(3, {0x02, 0x00, 0x00}),
                          section(10, {0x02, 0x03, 0x00, 0x6A, 0x0B, 0x03, 0x00, 0xFF, 0x0B})});
    EXPECT_EQ(check(bytes), "malformed: malformed module: illegal opcode 0xff (in code section "
                            "at offset 0x1c)");
}

TEST(Validator, DataCountSectionRequired) {
    // (memory 1) (func (data.drop 0)) (data "") without a data count section.
    Bytes bytes = module(
        {type_void, one_func, memory_1, code({0xFC, 0x09, 0x00}), section(11, {0x01, 0x01, 0x00})});
    EXPECT_TRUE(contains(check(bytes), "malformed: malformed module: data count section required"));
}

TEST(Validator, MissingFinalEnd) {
    // (func) whose body is `nop` with no `end`, at the end of the module.
    Bytes bytes = module({type_void, one_func, section(10, {0x01, 0x02, 0x00, 0x01})});
    EXPECT_TRUE(contains(check(bytes), "unexpected end of section or function"));
}

TEST(Validator, TablesAndReferences) {
    // (table 1 externref) (func (call_indirect (i32.const 0)))
    Bytes externref_table = section(4, {0x01, 0x6F, 0x00, 0x01});
    EXPECT_TRUE(contains(
        check(module({type_void, one_func, externref_table, code({0x41, 0x00, 0x11, 0x00, 0x00})})),
        "type mismatch: call_indirect through table 0 of externref"));
    // (table $f 1 funcref) (table $e 1 externref)
    // (func (table.copy $f $e (i32.const 0) (i32.const 0) (i32.const 0)))
    Bytes two_tables = section(4, {0x02, 0x70, 0x00, 0x01, 0x6F, 0x00, 0x01});
    EXPECT_TRUE(contains(
        check(module({type_void, one_func, two_tables,
                      code({0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x0E, 0x00, 0x01})})),
        "type mismatch: table.copy"));
    // (func (select (result i32 i32) ...)): typed select takes exactly one type.
    EXPECT_TRUE(contains(
        check(module({type_void, one_func,
                      code({0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x1C, 0x02, 0x7F, 0x7F, 0x1A})})),
        "invalid result arity"));
    // (func (select (ref.null func) (ref.null func) (i32.const 1))): untyped select
    // is for numbers only.
    EXPECT_TRUE(contains(check(module({type_void, one_func,
                                       code({0xD0, 0x70, 0xD0, 0x70, 0x41, 0x01, 0x1B, 0x1A})})),
                         "type mismatch: select without a type"));
}

TEST(Validator, MultiValueBlocks) {
    // (type $pair (func (param i32) (result i32 i32)))
    // (func (result i32)
    //   (i32.const 1) (block (type $pair) (i32.const 2)) (i32.add))
    Bytes types = section(1, {0x02, 0x60, 0x00, 0x01, 0x7F, 0x60, 0x01, 0x7F, 0x02, 0x7F, 0x7F});
    uint32_t f = 0;
    EXPECT_EQ(
        check(module({types, one_func, code({0x41, 0x01, 0x02, 0x01, 0x41, 0x02, 0x0B, 0x6A})}),
              &f),
        "valid");
    EXPECT_EQ(f, FeatureMultiValue);
    // A block type naming a type that does not exist.
    EXPECT_TRUE(contains(check(module({types, one_func, code({0x41, 0x01, 0x02, 0x07, 0x0B})})),
                         "unknown type 7"));
}

TEST(Validator, ExceptionHandling) {
    // (type (func)) (type (func (param i32))) (func (type 0)) (tag (type 1))
    const Bytes types = section(1, {0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7F, 0x00});
    const Bytes tag_i32 = section(13, {0x01, 0x00, 0x01});
    auto body = [&](Bytes instructions) {
        return check(module({types, one_func, tag_i32, code(std::move(instructions))}));
    };
    // try (throw 0 (i32.const 1)) catch 0 drop end
    uint32_t features = 0;
    EXPECT_EQ(check(module({types, one_func, tag_i32,
                            code({0x06, 0x40, 0x41, 0x01, 0x08, 0x00, 0x07, 0x00, 0x1A, 0x0B})}),
                    &features),
              "valid");
    EXPECT_TRUE(features & FeatureExceptions);
    // try (delegate 0): to the function's label, the caller.
    EXPECT_EQ(body({0x06, 0x40, 0x18, 0x00}), "valid");
    // try catch_all (rethrow 0) end
    EXPECT_EQ(body({0x06, 0x40, 0x19, 0x09, 0x00, 0x0B}), "valid");

    EXPECT_TRUE(contains(body({0x02, 0x40, 0x07, 0x00, 0x0B}), "catch without try"));
    EXPECT_TRUE(contains(body({0x06, 0x40, 0x19, 0x07, 0x00, 0x0B}), "catch without try"));
    EXPECT_TRUE(contains(body({0x06, 0x40, 0x19, 0x18, 0x00}), "delegate without try"));
    EXPECT_TRUE(contains(body({0x06, 0x40, 0x09, 0x00, 0x0B}),
                         "invalid rethrow label 0: not a catch clause"));
    EXPECT_TRUE(contains(body({0x06, 0x40, 0x18, 0x01}), "unknown label 1"));
    EXPECT_TRUE(contains(body({0x41, 0x01, 0x08, 0x05}), "unknown tag 5"));
    EXPECT_TRUE(contains(body({0x08, 0x00}), "type mismatch: throw"));
    // The values a catch receives are the tag's: an i32, not an i64.
    EXPECT_TRUE(contains(body({0x06, 0x40, 0x07, 0x00, 0x50, 0x1A, 0x0B}),
                         "type mismatch: i64.eqz expected i64 but found i32"));
    // Exception handling's later form, with exnref: try_table.
    EXPECT_TRUE(contains(check(module({type_void, one_func, code({0x1F, 0x40, 0x00, 0x0B})})),
                         "illegal opcode 0x1f (exception handling with exnref"));
    // A tag's type has no results.
    const Bytes result_type = section(1, {0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x01, 0x7F});
    EXPECT_TRUE(contains(check(module({result_type, one_func, tag_i32, code({})})),
                         "non-empty tag result type () -> (i32) (in tag 0)"));
}
