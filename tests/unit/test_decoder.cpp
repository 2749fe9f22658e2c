// decode_module on small hand-written binaries: the WAT of each is beside it.
#include "wasm/module.hpp"
#include "wasm_bytes.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

using namespace wasmacro::wasm;

namespace {

using namespace wasm_bytes;

std::string decode_error(const Bytes& bytes) {
    try {
        decode_module(bytes);
    } catch (const DecodeError& e) {
        return e.what();
    }
    return "no error";
}

const Bytes type_void = section(1, {0x01, 0x60, 0x00, 0x00});   // (type (func))
const Bytes one_func = section(3, {0x01, 0x00});                // (func (type 0))
const Bytes empty_body = section(10, {0x01, 0x02, 0x00, 0x0B}); // body: no locals, end

} // namespace

TEST(Decoder, EmptyModule) {
    Module m = decode_module(module({}));
    EXPECT_TRUE(m.types.empty());
    EXPECT_TRUE(m.codes.empty());
    EXPECT_EQ(m.bytes.size(), 8u);
}

TEST(Decoder, Header) {
    EXPECT_EQ(decode_error({}), "malformed module: unexpected end (at offset 0x0)");
    EXPECT_EQ(decode_error({0x00, 0x61, 0x73, 0x6D, 0x01}),
              "malformed module: unexpected end (at offset 0x4)");
    EXPECT_EQ(decode_error({'a', 's', 'm', 0x00}),
              "malformed module: magic header not detected (at offset 0x0)");
    EXPECT_EQ(decode_error({0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00}),
              "malformed module: unknown binary version (at offset 0x4)");
}

TEST(Decoder, SectionIdsAndOrder) {
    EXPECT_EQ(decode_error(module({{0x0E, 0x00}})),
              "malformed module: malformed section id 14 (at offset 0x8)");
    // (func) twice over: two function sections.
    EXPECT_EQ(decode_error(module({type_void, one_func, one_func, empty_body})),
              "malformed module: unexpected content after last section (function section out "
              "of order or repeated) (at offset 0x12)");
    // A section that claims more bytes than the module has.
    EXPECT_EQ(decode_error(module({{0x01, 0x07, 0x01, 0x60, 0x00, 0x00}})),
              "malformed module: length out of bounds (at offset 0x9)");
    // A section with bytes left over: one type declared, two given.
    EXPECT_EQ(decode_error(module({section(1, {0x01, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00})})),
              "malformed module: section size mismatch (in type section at offset 0xe)");
}

TEST(Decoder, Leb128Limits) {
    // (memory 2) with the minimum encoded in six bytes, then with unused bits set.
    EXPECT_EQ(decode_error(module({section(5, {0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00})})),
              "malformed module: integer representation too long (in memory section at offset "
              "0x11)");
    EXPECT_EQ(decode_error(module({section(5, {0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x70})})),
              "malformed module: integer too large (in memory section at offset 0x10)");
    // (global i32 (i32.const -1)) with the sign bits of the last byte unset.
    EXPECT_EQ(decode_error(module(
                  {section(6, {0x01, 0x7F, 0x00, 0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x0B})})),
              "malformed module: integer too large (in global section at offset 0x12)");
}

TEST(Decoder, FunctionAndCodeCounts) {
    EXPECT_EQ(decode_error(module({type_void, one_func})),
              "malformed module: function and code section have inconsistent lengths (1 "
              "functions, 0 bodies) (at offset 0x12)");
}

TEST(Decoder, DataCount) {
    // (memory 1) (data count 2) with one data segment.
    Bytes bytes = module(
        {section(5, {0x01, 0x00, 0x01}), section(12, {0x02}), section(11, {0x01, 0x01, 0x00})});
    EXPECT_EQ(decode_error(bytes), "malformed module: data count and data section have "
                                   "inconsistent lengths (2 and 1) (at offset 0x15)");
}

TEST(Decoder, Names) {
    // (import "\ff" "f" (func)): module names must be UTF-8.
    Bytes bad = module({type_void, section(2, {0x01, 0x01, 0xFF, 0x01, 'f', 0x00, 0x00})});
    EXPECT_EQ(decode_error(bad),
              "malformed module: malformed UTF-8 encoding (in import section at offset 0x12)");
    // An overlong encoding of '/' (C0 AF) and a surrogate (ED A0 80) are refused too.
    Bytes overlong = module({section(0, concat({{0x02, 0xC0, 0xAF}}))});
    EXPECT_NE(decode_error(overlong).find("malformed UTF-8 encoding"), std::string::npos);
    Bytes surrogate = module({section(0, {0x03, 0xED, 0xA0, 0x80})});
    EXPECT_NE(decode_error(surrogate).find("malformed UTF-8 encoding"), std::string::npos);
}

TEST(Decoder, CustomSectionsAndFunctionNames) {
    // (module (func $first) (func $second)) with a custom section "hello" = "abc"
    // and a name section naming both functions.
    Bytes names = concat({name_bytes("name"),
                          {0x01, 0x10, 0x02},
                          {0x00},
                          name_bytes("first"),
                          {0x01},
                          name_bytes("second")});
    Bytes bytes =
        module({type_void, section(3, {0x02, 0x00, 0x00}),
                section(10, {0x02, 0x02, 0x00, 0x0B, 0x02, 0x00, 0x0B}),
                section(0, concat({name_bytes("hello"), {'a', 'b', 'c'}})), section(0, names)});
    Module m = decode_module(bytes);
    ASSERT_EQ(m.custom_sections.size(), 2u);
    EXPECT_EQ(m.custom_sections[0].name, "hello");
    auto hello = m.custom_section("hello");
    ASSERT_TRUE(hello);
    EXPECT_EQ(std::string(hello->begin(), hello->end()), "abc");
    EXPECT_FALSE(m.custom_section("missing"));
    EXPECT_EQ(m.function_name(0), "first");
    EXPECT_EQ(m.function_name(1), "second");
    EXPECT_EQ(m.function_name(2), "");
}

TEST(Decoder, BrokenNameSectionIsIgnored) {
    // A name section whose function-names subsection claims two entries but
    // holds one and a truncated second: the first name is kept.
    Bytes names =
        concat({name_bytes("name"), {0x01, 0x09, 0x02}, {0x00}, name_bytes("only"), {0x01, 0x05}});
    Bytes bytes = module({type_void, one_func, empty_body, section(0, names)});
    Module m = decode_module(bytes);
    EXPECT_EQ(m.function_name(0), "only");
    EXPECT_EQ(m.function_name(1), "");
    // Invalid UTF-8 inside the name section is ignored too.
    Bytes bad = concat({name_bytes("name"), {0x01, 0x04, 0x01, 0x00, 0x01, 0xFF}});
    EXPECT_NO_THROW(decode_module(module({type_void, one_func, empty_body, section(0, bad)})));
}

TEST(Decoder, CodeBodiesAndLocals) {
    // (func (local i32 i32 i64) (nop))
    Bytes bytes = module(
        {type_void, one_func, section(10, {0x01, 0x07, 0x02, 0x02, 0x7F, 0x01, 0x7E, 0x01, 0x0B})});
    Module m = decode_module(bytes);
    ASSERT_EQ(m.codes.size(), 1u);
    EXPECT_EQ(m.codes[0].locals, (std::vector<ValType>{ValType::I32, ValType::I32, ValType::I64}));
    EXPECT_EQ(m.codes[0].body_offset, 0x1Bu);
    EXPECT_EQ(m.codes[0].body_end, 0x1Du);
    EXPECT_EQ(m.bytes[m.codes[0].body_offset], 0x01); // nop
}

TEST(Decoder, TooManyLocals) {
    // (func (local i32 x 50001))
    Bytes bytes = module(
        {type_void, one_func, section(10, {0x01, 0x06, 0x01, 0xD1, 0x86, 0x03, 0x7F, 0x0B})});
    EXPECT_EQ(decode_error(bytes), "malformed module: too many locals in function 0 (the limit "
                                   "is 50000) (in code section at offset 0x17)");
}

TEST(Decoder, SimdIsRefused) {
    // (type (func (param v128)))
    EXPECT_EQ(decode_error(module({section(1, {0x01, 0x60, 0x01, 0x7B, 0x00})})),
              "malformed module: SIMD is not supported (value type v128) (in type section at "
              "offset 0xd)");
}

TEST(Decoder, IndexSpaces) {
    // (import "m" "f" (func)) (import "m" "g" (global (mut i32)))
    // (import "m" "t" (table 1 funcref)) (func) (global i64 (i64.const 7))
    Bytes imports = concat({{0x03},
                            name_bytes("m"),
                            name_bytes("f"),
                            {0x00, 0x00},
                            name_bytes("m"),
                            name_bytes("g"),
                            {0x03, 0x7F, 0x01},
                            name_bytes("m"),
                            name_bytes("t"),
                            {0x01, 0x70, 0x00, 0x01}});
    Bytes bytes = module({type_void, section(2, imports), one_func,
                          section(6, {0x01, 0x7E, 0x00, 0x42, 0x07, 0x0B}), empty_body});
    Module m = decode_module(bytes);
    EXPECT_EQ(m.imported_functions, 1u);
    EXPECT_EQ(m.imported_globals, 1u);
    EXPECT_EQ(m.imported_tables, 1u);
    EXPECT_EQ(m.function_types, (std::vector<uint32_t>{0, 0}));
    ASSERT_EQ(m.all_globals.size(), 2u);
    EXPECT_TRUE(m.all_globals[0].is_mutable);
    EXPECT_EQ(m.all_globals[1].type, ValType::I64);
    EXPECT_EQ(m.globals[0].init.kind, ConstExpr::Kind::I64Const);
    EXPECT_EQ(m.globals[0].init.value, 7u);
    ASSERT_EQ(m.all_tables.size(), 1u);
    EXPECT_EQ(m.all_tables[0].limits.min, 1u);
}

TEST(Decoder, ElementSegmentEncodings) {
    // (table 2 funcref) (func)
    // (elem (i32.const 0) 0)                  ;; flags 0
    // (elem func 0)                           ;; flags 1, passive
    // (elem declare funcref (ref.null func))  ;; flags 7
    Bytes elems = {0x03, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00, 0x01, 0x00,
                   0x01, 0x00, 0x07, 0x70, 0x01, 0xD0, 0x70, 0x0B};
    Bytes bytes = module(
        {type_void, one_func, section(4, {0x01, 0x70, 0x00, 0x02}), section(9, elems), empty_body});
    Module m = decode_module(bytes);
    ASSERT_EQ(m.elements.size(), 3u);
    EXPECT_EQ(m.elements[0].mode, SegmentMode::Active);
    EXPECT_EQ(m.elements[0].items[0].kind, ConstExpr::Kind::RefFunc);
    EXPECT_EQ(m.elements[1].mode, SegmentMode::Passive);
    EXPECT_EQ(m.elements[2].mode, SegmentMode::Declarative);
    EXPECT_EQ(m.elements[2].items[0].kind, ConstExpr::Kind::RefNull);
    // flags 8 does not exist.
    EXPECT_EQ(decode_error(module({section(9, {0x01, 0x08})})),
              "malformed module: malformed elements segment kind 8 (in element section at offset "
              "0xb)");
}

TEST(Decoder, NonConstantInitialiserIsLeftToTheValidator) {
    // (global i32 (i32.const 1) (i32.const 2)) and (global i32 (nop))
    Bytes bytes = module(
        {section(6, {0x02, 0x7F, 0x00, 0x41, 0x01, 0x41, 0x02, 0x0B, 0x7F, 0x00, 0x01, 0x0B})});
    Module m = decode_module(bytes);
    EXPECT_EQ(m.globals[0].init.problem, ConstExpr::Problem::NotOne);
    EXPECT_EQ(m.globals[1].init.problem, ConstExpr::Problem::NotConstant);
}

TEST(Decoder, DataSegmentEncodings) {
    // (memory 1)
    // (data (i32.const 4) "ab")            ;; flags 0
    // (data "c")                           ;; flags 1, passive
    // (data (memory 0) (i32.const 8) "")   ;; flags 2
    Bytes data = {0x03, 0x00, 0x41, 0x04, 0x0B, 0x02, 'a',  'b', 0x01,
                  0x01, 'c',  0x02, 0x00, 0x41, 0x08, 0x0B, 0x00};
    Module m = decode_module(module({section(5, {0x01, 0x00, 0x01}), section(11, data)}));
    ASSERT_EQ(m.data.size(), 3u);
    EXPECT_EQ(m.data[0].mode, SegmentMode::Active);
    EXPECT_EQ(m.data[0].offset.value, 4u);
    EXPECT_EQ(m.data[0].size, 2u);
    EXPECT_EQ(m.bytes[m.data[0].data_offset], 'a');
    EXPECT_EQ(m.data[1].mode, SegmentMode::Passive);
    EXPECT_EQ(m.bytes[m.data[1].data_offset], 'c');
    EXPECT_EQ(m.data[2].memory, 0u);
    EXPECT_EQ(m.data[2].size, 0u);
    EXPECT_EQ(decode_error(module({section(11, {0x01, 0x03})})),
              "malformed module: malformed data segment kind 3 (in data section at offset 0xb)");
}

TEST(Decoder, LaterProposalsAreNamed) {
    // (memory 1 2 shared): threads.
    EXPECT_EQ(decode_error(module({section(5, {0x01, 0x03, 0x01, 0x02})})),
              "malformed module: integer too large: limits flag 0x02 (shared memory, threads) is "
              "not supported (in memory section at offset 0xb)");
    // (type (struct)): garbage collection.
    EXPECT_EQ(decode_error(module({section(1, {0x01, 0x5F, 0x00})})),
              "malformed module: malformed function type 0x5f (garbage collection types are not "
              "supported) (in type section at offset 0xb)");
}

TEST(Decoder, ReadsAcrossASectionEndLikeTheReferenceDecoder) {
    // A function section of 3 bytes whose type index is a 6-byte LEB128: the
    // spec expects the LEB128's own error, not an early end of the section.
    Bytes bytes =
        module({type_void, {0x03, 0x03, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, empty_body});
    EXPECT_NE(decode_error(bytes).find("integer representation too long"), std::string::npos);
}

TEST(Decoder, Tags) {
    // (type (func (param i32))) (import "m" "t" (tag (type 0))) (tag (type 0))
    Bytes types = section(1, {0x01, 0x60, 0x01, 0x7F, 0x00});
    Bytes tag_import = concat({{0x01}, name_bytes("m"), name_bytes("t"), {0x04, 0x00, 0x00}});
    Module m =
        decode_module(module({types, section(2, tag_import), section(13, {0x01, 0x00, 0x00})}));
    ASSERT_EQ(m.imports.size(), 1u);
    EXPECT_EQ(m.imports[0].kind, ExternKind::Tag);
    EXPECT_EQ(m.imported_tags, 1u);
    EXPECT_EQ(m.tags, std::vector<uint32_t>{0});
    EXPECT_EQ(m.all_tags.size(), 2u);
    EXPECT_EQ(decode_error(module({types, section(13, {0x01, 0x01, 0x00})})),
              "malformed module: malformed tag attribute (in tag section at offset 0x12)");
    // Tags come after memories and before globals.
    EXPECT_NE(decode_error(module({types, section(13, {0x00}), section(5, {0x00})}))
                  .find("memory section out of order"),
              std::string::npos);
}
