// The `.rustc_proc_macro_decls` records: every form, padding and whitespace,
// errors naming the line, and writing the section into a module.
#include "macros/library.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace {

namespace macros = wasmacro::macros;
namespace tokens = wasmacro::tokens;
namespace wasm = wasmacro::wasm;
using macros::DeclsError;
using macros::MacroKind;
using macros::parse_decls;
using namespace std::string_literals;

std::string error_of(std::string_view text) {
    try {
        parse_decls(text);
    } catch (const DeclsError& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST(Decls, EveryRecordForm) {
    macros::Decls d = parse_decls("derive:Serialize:derive_serialize:serde\n"
                                  "derive:Demo:derive_demo\n"
                                  "derive:Error:derive_error:error,from,source,backtrace\n"
                                  "attr:trace:attr_trace\n"
                                  "bang:enum_str:bang_enum_str\n"
                                  "edition:2015\n");
    ASSERT_EQ(d.macros.size(), 5u);
    EXPECT_EQ(d.edition, tokens::Edition::E2015);
    EXPECT_EQ(d.macros[0].kind, MacroKind::Derive);
    EXPECT_EQ(d.macros[0].name, "Serialize");
    EXPECT_EQ(d.macros[0].export_name, "derive_serialize");
    EXPECT_EQ(d.macros[0].helpers, std::vector<std::string>{"serde"});
    EXPECT_TRUE(d.macros[1].helpers.empty());
    EXPECT_EQ(d.macros[2].helpers,
              (std::vector<std::string>{"error", "from", "source", "backtrace"}));
    EXPECT_EQ(d.macros[3].kind, MacroKind::Attribute);
    EXPECT_EQ(d.macros[3].name, "trace");
    EXPECT_EQ(d.macros[4].kind, MacroKind::Bang);
    EXPECT_EQ(d.macros[4].export_name, "bang_enum_str");
    EXPECT_EQ(d.find("trace"), &d.macros[3]);
    EXPECT_EQ(d.find("nope"), nullptr);
    EXPECT_EQ(macros::name(MacroKind::Attribute), "attr");
}

TEST(Decls, DefaultEditionIs2021) {
    EXPECT_EQ(parse_decls("bang:m:e").edition, tokens::Edition::E2021);
    EXPECT_TRUE(parse_decls("").macros.empty());
}

TEST(Decls, PaddingWhitespaceAndBlankLines) {
    std::string text = "\0\0derive:A:a\n\0\0\0\n   \t\n  attr:b:b_export  \r\n\0bang:c:c\0\0"s;
    macros::Decls d = parse_decls(text);
    ASSERT_EQ(d.macros.size(), 3u);
    EXPECT_EQ(d.macros[0].name, "A");
    EXPECT_EQ(d.macros[1].export_name, "b_export");
    EXPECT_EQ(d.macros[2].name, "c");
    // Padding separates records, with or without a newline.
    d = parse_decls("derive:A:a\n\0\0\0\0derive:B:b\n"s);
    EXPECT_EQ(d.macros.size(), 2u);
    d = parse_decls("derive:A:a\0\0\0derive:B:b\0"s);
    EXPECT_EQ(d.macros.size(), 2u);
}

TEST(Decls, ErrorsNameTheLine) {
    EXPECT_NE(error_of("derive:A:a\nfrobnicate:x:y")
                  .find("line 2: `frobnicate:x:y`: unknown "
                        "record kind `frobnicate`"),
              std::string::npos);
    EXPECT_NE(error_of("derive:A").find("line 1"), std::string::npos);
    EXPECT_NE(
        error_of("\n\nattr:a:b:c").find("line 3: `attr:a:b:c`: expected attr:<name>:<export>"),
        std::string::npos);
    EXPECT_NE(error_of("bang:a").find("expected bang:<name>:<export>"), std::string::npos);
    EXPECT_NE(error_of("derive:A:a:b:c").find("line 1"), std::string::npos);
    EXPECT_NE(error_of("derive:1A:a").find("`1A` is not a macro name"), std::string::npos);
    EXPECT_NE(error_of("derive:A:").find("the export name is empty"), std::string::npos);
    EXPECT_NE(error_of("derive:A:a:serde,").find("`` is not a helper attribute name"),
              std::string::npos);
    EXPECT_NE(error_of("derive:A:a:b c").find("`b c` is not a helper"), std::string::npos);
    EXPECT_NE(error_of("edition:2019").find("unknown edition `2019`"), std::string::npos);
    EXPECT_NE(error_of("edition:2015\nedition:2018").find("line 2"), std::string::npos);
    EXPECT_NE(error_of("derive:A:a\nderive:A:b").find("derive `A` is declared twice"),
              std::string::npos);
    EXPECT_NE(error_of("bang:a:\xff").find("not valid UTF-8"), std::string::npos);
    // One crate's macros of all kinds share rustc's macro namespace
    // (E0428 for a derive and a function-like macro both named `A`).
    EXPECT_NE(error_of("derive:A:a\nbang:A:b").find("bang `A` has the same name as derive `A`"),
              std::string::npos);
}

// Names that the old check let through, and rustc then refused inside the
// generated bridge crate with an error about code the user never wrote.
TEST(Decls, NamesThatBreakTheBridgeCrateAreRejected) {
    EXPECT_NE(error_of("bang:fn:f").find("`fn` is a keyword in Rust 2021 and cannot be a macro name"),
              std::string::npos);
    EXPECT_NE(error_of("attr:async:f").find("`async` is a keyword in Rust 2021"), std::string::npos);
    EXPECT_NE(error_of("derive:Self:f").find("`Self` is a keyword in Rust 2021"), std::string::npos);
    EXPECT_NE(error_of("derive:A:f:self")
                  .find("`self` is a keyword in Rust 2021 and cannot be a helper attribute name"),
              std::string::npos);
    EXPECT_NE(error_of("derive:A:f:serde,crate").find("`crate` is a keyword in Rust 2021"),
              std::string::npos);
    EXPECT_NE(error_of("bang:__wasmacro_derive_0:f").find("starts with `__wasmacro`"),
              std::string::npos);
    // U+00E9 and e + U+0301 are one identifier to rustc.
    EXPECT_NE(
        error_of("bang:caf\xc3\xa9:f\nattr:cafe\xcc\x81:g").find("once both are in Unicode NFC"),
        std::string::npos);
    // The bridge crate's own static no longer takes a plain name from macros.
    EXPECT_EQ(error_of("bang:MODULE:f"), "(accepted)");
    EXPECT_EQ(error_of("derive:Serialize:f:serde"), "(accepted)");
}

// Every edition's keywords were refused, so a 2015 macro named `async`
// (which rustc compiles in the 2015 bridge crate) could not load, while the
// rule did not say which edition made the name a keyword.
TEST(Decls, KeywordsAreThoseOfTheModulesEdition) {
    EXPECT_EQ(error_of("bang:async:f\nedition:2015"), "(accepted)");
    EXPECT_EQ(error_of("derive:A:f:dyn,try\nedition:2015"), "(accepted)");
    EXPECT_EQ(error_of("bang:gen:f"), "(accepted)");
    // The edition record may follow the records it applies to.
    EXPECT_NE(error_of("bang:try:f\nedition:2018")
                  .find("line 1: `bang:try:f`: `try` is a keyword in Rust 2018"),
              std::string::npos);
    EXPECT_NE(error_of("edition:2024\nattr:gen:f").find("`gen` is a keyword in Rust 2024"),
              std::string::npos);
    // Strict and reserved keywords of every edition.
    for (const char* word : {"fn", "abstract", "yield", "self", "super", "crate", "Self"})
        EXPECT_NE(error_of(std::string("edition:2015\nbang:") + word + ":f")
                      .find(std::string("`") + word + "` is a keyword in Rust 2015"),
                  std::string::npos)
            << word;
    // Weak keywords are names.
    for (const char* word : {"union", "macro_rules", "raw", "safe"})
        EXPECT_EQ(error_of(std::string("bang:") + word + ":f\nedition:2024"), "(accepted)") << word;
}

TEST(Decls, FormatReadsBack) {
    macros::Decls d;
    d.edition = tokens::Edition::E2018;
    d.macros.push_back({MacroKind::Derive, "Error", "derive_error", {"error", "from"}});
    d.macros.push_back({MacroKind::Attribute, "trace", "attr_trace", {}});
    d.macros.push_back({MacroKind::Bang, "m", "bang_m", {}});
    std::string text = macros::format_decls(d);
    EXPECT_EQ(text, "derive:Error:derive_error:error,from\nattr:trace:attr_trace\nbang:m:bang_m\n"
                    "edition:2018\n");
    EXPECT_EQ(macros::format_decls(parse_decls(text)), text);
}

std::vector<uint8_t> fixture(const std::string& name) {
    std::ifstream in(std::string(WASMACRO_FIXTURES_DIR) + "/" + name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Decls, SectionIsReplacedAndEverythingElseKept) {
    std::vector<uint8_t> original = fixture("demo.wasm");
    auto module = wasm::load_module(original);
    ASSERT_TRUE(macros::read_decls(*module).has_value());
    macros::Decls d;
    d.macros.push_back({MacroKind::Derive, "Other", "derive_demo", {"x"}});
    std::vector<uint8_t> out = macros::with_decls_section(original, d);
    auto again = wasm::load_module(out);
    auto back = macros::read_decls(*again);
    ASSERT_TRUE(back.has_value());
    ASSERT_EQ(back->macros.size(), 1u);
    EXPECT_EQ(back->macros[0].name, "Other");
    // Only one decls section is left, and the code is untouched.
    size_t sections = 0;
    for (const wasm::CustomSection& s : again->custom_sections)
        if (s.name == macros::kDeclsSection) ++sections;
    EXPECT_EQ(sections, 1u);
    EXPECT_EQ(again->exports.size(), module->exports.size());
    EXPECT_EQ(again->codes.size(), module->codes.size());
    // Writing the original decls back gives the module minus its old section
    // plus the new one; doing it twice changes nothing more.
    std::vector<uint8_t> twice = macros::with_decls_section(out, d);
    EXPECT_EQ(twice, out);
    EXPECT_THROW(macros::with_decls_section(std::vector<uint8_t>{0, 'a', 's', 'm'}, d),
                 wasm::DecodeError);
    std::vector<uint8_t> cut(original.begin(), original.begin() + 20);
    EXPECT_THROW(macros::with_decls_section(cut, d), wasm::DecodeError);
}

TEST(Decls, CheckExports) {
    auto module = wasm::load_module(fixture("example_macros.wasm"));
    macros::Decls d = *macros::read_decls(*module);
    EXPECT_NO_THROW(macros::check_exports(*module, d));
    d.macros[0].export_name = "missing";
    try {
        macros::check_exports(*module, d);
        FAIL();
    } catch (const DeclsError& e) {
        EXPECT_NE(std::string(e.what()).find("no exported function \"missing\""), std::string::npos)
            << e.what();
    }
}

} // namespace
