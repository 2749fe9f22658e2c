// The host on its own: import and export checks, instance reuse, and a fresh
// instance after a failed expansion.
#include "abi/host.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace {

namespace abi = wasmacro::abi;
namespace tokens = wasmacro::tokens;
namespace wasm = wasmacro::wasm;
using tokens::TokenStream;
using wasmacro::Error;

std::shared_ptr<const wasm::Module> fixture(const std::string& name) {
    std::ifstream in(std::string(WASMACRO_FIXTURES_DIR) + "/" + name, std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in),
                               std::istreambuf_iterator<char>()};
    return wasm::load_module(bytes);
}

TokenStream lex(const std::string& text) {
    return tokens::tokenize_or_throw(tokens::SourceFile::from_bytes("<test>", text));
}

TEST(Host, FixturesPassTheImportCheck) {
    for (const char* name : {"demo.wasm", "serde_derive.wasm", "thiserror.wasm",
                             "example_macros.wasm", "hostile.wasm"}) {
        auto module = fixture(name);
        EXPECT_NO_THROW(abi::check_imports(*module)) << name;
        EXPECT_NO_THROW(abi::check_helper_exports(*module)) << name;
    }
    auto demo = fixture("demo.wasm");
    EXPECT_TRUE(abi::is_entry_point(*demo, "derive_demo", 1));
    EXPECT_FALSE(abi::is_entry_point(*demo, "derive_demo", 2));
    EXPECT_FALSE(abi::is_entry_point(*demo, "memory", 1));
}

TEST(Host, ModuleWithoutHelpersIsRefused) {
    // (module (func (export "raw_to_token_stream") (param i32) (result i32) local.get 0))
    std::vector<uint8_t> bytes = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01,
                                  0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x17,
                                  0x01, 0x13, 'r',  'a',  'w',  '_',  't',  'o',  '_',  't',  'o',
                                  'k',  'e',  'n',  '_',  's',  't',  'r',  'e',  'a',  'm',  0x00,
                                  0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x20, 0x00, 0x0b};
    auto module = wasm::load_module(bytes);
    try {
        abi::Host host(module, {}, tokens::Edition::E2021);
        FAIL() << "instantiated";
    } catch (const wasm::LinkError& e) {
        EXPECT_NE(std::string(e.what()).find("token_stream_into_raw"), std::string::npos)
            << e.what();
    }
}

TEST(Host, ReusesTheInstanceAndRenewsItAfterAFailure) {
    abi::Host host(fixture("hostile.wasm"), {}, tokens::Edition::E2021);
    TokenStream control = lex("parse_lex_error");
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(host.expand("bang_bad_abi", control).empty());
    EXPECT_EQ(host.instantiations(), 1u);

    EXPECT_THROW(host.expand("derive_panic", lex("struct S;")), abi::GuestPanic);
    EXPECT_THROW(host.expand("bang_bad_abi", lex("stream_handle")), abi::AbiError);
    EXPECT_TRUE(host.expand("bang_bad_abi", control).empty());
    EXPECT_EQ(host.instantiations(), 3u);
}

TEST(Host, LimitsApplyToTheNextCall) {
    abi::Host host(fixture("hostile.wasm"), {}, tokens::Edition::E2021);
    host.limits().fuel = 10000;
    try {
        host.expand("bang_infinite_loop", {});
        FAIL() << "returned";
    } catch (const wasm::Trap& e) {
        EXPECT_EQ(e.kind(), wasm::TrapKind::FuelExhausted);
        EXPECT_NE(std::string(e.what()).find("10000 units"), std::string::npos) << e.what();
    }
    // The renewed instance keeps the changed limits.
    try {
        host.expand("bang_infinite_loop", {});
        FAIL() << "returned";
    } catch (const wasm::Trap& e) {
        EXPECT_NE(std::string(e.what()).find("10000 units"), std::string::npos) << e.what();
    }
}

// Pieces of a wasm binary, for modules too small to be worth a fixture.
std::vector<uint8_t> wasm_name(std::string_view text) {
    std::vector<uint8_t> out{static_cast<uint8_t>(text.size())};
    out.insert(out.end(), text.begin(), text.end());
    return out;
}
std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
    std::vector<uint8_t> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}
std::vector<uint8_t> section(uint8_t id, const std::vector<uint8_t>& content) {
    return cat({{id, static_cast<uint8_t>(content.size())}, content});
}
const std::vector<uint8_t> kWasmHeader{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

// A module whose derive ends its expansion through wasmacro-1's `finish`,
// with its input as the output, and traps if the call returns:
// (import "wasmacro-1" "finish" (func $finish (param i32)))
// (func (export "raw_to_token_stream") (param i32) (result i32) local.get 0)
// (func (export "token_stream_into_raw") (param i32) (result i32) local.get 0)
// (func (export "derive_finish") (param i32) (result i32) local.get 0 call $finish unreachable)
std::shared_ptr<const wasm::Module> finishing_module() {
    return wasm::load_module(cat({
        kWasmHeader,
        section(1, {0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00}),
        section(2, cat({{0x01}, wasm_name("wasmacro-1"), wasm_name("finish"), {0x00, 0x01}})),
        section(3, {0x03, 0x00, 0x00, 0x00}),
        section(7, cat({{0x03},
                        wasm_name("raw_to_token_stream"),
                        {0x00, 0x01},
                        wasm_name("token_stream_into_raw"),
                        {0x00, 0x02},
                        wasm_name("derive_finish"),
                        {0x00, 0x03}})),
        section(10, {0x03, 0x04, 0x00, 0x20, 0x00, 0x0b, 0x04, 0x00, 0x20, 0x00, 0x0b, 0x07, 0x00,
                     0x20, 0x00, 0x10, 0x00, 0x00, 0x0b}),
    }));
}

TEST(Host, FinishEndsTheExpansionWithItsStream) {
    auto module = finishing_module();
    EXPECT_NO_THROW(abi::check_imports(*module));
    abi::Host host(module, {}, tokens::Edition::E2021);
    for (const char* input : {"struct S;", "enum E { A(u8), B }"})
        EXPECT_EQ(tokens::to_string(host.expand("derive_finish", lex(input))),
                  tokens::to_string(lex(input)));
    // The guest stopped halfway each time, so each expansion got a fresh instance.
    EXPECT_EQ(host.instantiations(), 2u);
}

TEST(Host, OtherImportsOfTheExtensionModuleAreRefused) {
    // (import "wasmacro-1" "x" (func))
    auto module = wasm::load_module(cat({
        kWasmHeader,
        section(1, {0x01, 0x60, 0x00, 0x00}),
        section(2, cat({{0x01}, wasm_name("wasmacro-1"), wasm_name("x"), {0x00, 0x00}})),
    }));
    try {
        abi::check_imports(*module);
        FAIL() << "accepted";
    } catch (const wasm::LinkError& e) {
        EXPECT_NE(std::string(e.what()).find(
                      "\"wasmacro-1\" \"x\", which \"wasmacro-1\" does not provide"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Host, UnknownEntryPoint) {
    abi::Host host(fixture("demo.wasm"), {}, tokens::Edition::E2021);
    EXPECT_THROW(host.expand("no_such_export", lex("struct S;")), Error);
    TokenStream args = lex("x");
    EXPECT_THROW(host.expand("derive_demo", lex("struct S;"), &args), Error);
    EXPECT_FALSE(host.expand("derive_demo", lex("struct S;")).empty());
}

TEST(Host, AttributeGetsArgumentsThenItem) {
    abi::Host host(fixture("example_macros.wasm"), {}, tokens::Edition::E2021);
    TokenStream args = lex("\"label\"");
    TokenStream out = host.expand("attr_trace", lex("fn g() {}"), &args);
    std::string text = tokens::to_string(out);
    EXPECT_NE(text.find("\"label\""), std::string::npos) << text;
    EXPECT_NE(text.find("fn g ()"), std::string::npos) << text;
}

// A guest that lexes the same text in a loop: each call is cheap in fuel, and
// only the host's budget for its tables stops it from exhausting host memory.
//
// (module
//   (import "watt-0.5" "token_stream_parse" (func $parse (param i32 i32) (result i32)))
//   (memory (export "memory") 1)
//   ;; 4 KiB of ";" at address 0, filled by the entry point
//   (func (export "raw_to_token_stream") (param i32) (result i32) (local.get 0))
//   (func (export "token_stream_into_raw") (param i32) (result i32) (local.get 0))
//   ;; Lexes the same 4 KiB of text until the host refuses.
//   (func (export "flood") (param i32) (result i32)
//     (memory.fill (i32.const 0) (i32.const 0x3b) (i32.const 4096))
//     (loop $again
//       (drop (call $parse (i32.const 0) (i32.const 4096)))
//       (br $again))
//     (unreachable)))
const std::vector<uint8_t> kFlood = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x02, 0x60, 0x02, 0x7f, 0x7f, 0x01,
    0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x02, 0x1f, 0x01, 0x08, 0x77, 0x61, 0x74, 0x74, 0x2d, 0x30,
    0x2e, 0x35, 0x12, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x5f, 0x73, 0x74, 0x72, 0x65, 0x61, 0x6d, 0x5f,
    0x70, 0x61, 0x72, 0x73, 0x65, 0x00, 0x00, 0x03, 0x04, 0x03, 0x01, 0x01, 0x01, 0x05, 0x03, 0x01,
    0x00, 0x01, 0x07, 0x40, 0x04, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x13, 0x72,
    0x61, 0x77, 0x5f, 0x74, 0x6f, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x5f, 0x73, 0x74, 0x72, 0x65,
    0x61, 0x6d, 0x00, 0x01, 0x15, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x5f, 0x73, 0x74, 0x72, 0x65, 0x61,
    0x6d, 0x5f, 0x69, 0x6e, 0x74, 0x6f, 0x5f, 0x72, 0x61, 0x77, 0x00, 0x02, 0x05, 0x66, 0x6c, 0x6f,
    0x6f, 0x64, 0x00, 0x03, 0x0a, 0x26, 0x03, 0x04, 0x00, 0x20, 0x00, 0x0b, 0x04, 0x00, 0x20, 0x00,
    0x0b, 0x1a, 0x00, 0x41, 0x00, 0x41, 0x3b, 0x41, 0x80, 0x20, 0xfc, 0x0b, 0x00, 0x03, 0x40, 0x41,
    0x00, 0x41, 0x80, 0x20, 0x10, 0x00, 0x1a, 0x0c, 0x00, 0x0b, 0x00, 0x0b};

// The host's tables share the store's budget with the guest's memory.
TEST(Host, StoreBudgetStopsAFloodOfHostData) {
    abi::Host host(wasm::load_module(kFlood), {}, tokens::Edition::E2021);
    host.limits().max_store_bytes = uint64_t{8} << 20;
    for (int i = 0; i < 2; ++i) {
        try {
            host.expand("flood", {});
            FAIL() << "returned";
        } catch (const abi::AbiError& e) {
            EXPECT_NE(std::string(e.what()).find(
                          "would exceed the 8 MiB that the macro's memory, tables and host "
                          "data may hold together"),
                      std::string::npos)
                << e.what();
        }
    }
}

} // namespace
