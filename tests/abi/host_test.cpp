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

} // namespace
