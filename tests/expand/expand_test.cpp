// Unit tests of pre-expand mode's parts: the cfg evaluator, the invocation
// finder's grammar, diagnostics, and the expansion loop run in-process with
// real wasm macros (the fixtures and test_macros.wat).
#include "expand/cfg.hpp"
#include "expand/expand.hpp"
#include "expand/syntax.hpp"
#include "macros/library.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace {

using namespace wasmacro;
namespace fs = std::filesystem;

tokens::TokenStream lex(const std::string& text) {
    return tokens::tokenize_or_throw(tokens::SourceFile::from_bytes("t.rs", text));
}

bool cfg(const std::string& pred, const expand::CfgSet& set = expand::CfgSet::host()) {
    tokens::TokenStream s = lex(pred);
    return expand::eval_cfg(s, 0, s.size(), set, tokens::Span{});
}

TEST(Cfg, HostOptions) {
    EXPECT_TRUE(cfg("unix"));
    EXPECT_TRUE(cfg("debug_assertions"));
    EXPECT_FALSE(cfg("test"));
    EXPECT_TRUE(cfg("target_pointer_width = \"64\""));
    EXPECT_TRUE(cfg("target_os = \"linux\""));
    EXPECT_FALSE(cfg("target_os = \"windows\""));
    EXPECT_TRUE(cfg("target_has_atomic = \"ptr\""));
    EXPECT_FALSE(cfg("feature = \"serde\""));
}

TEST(Cfg, Combinators) {
    EXPECT_TRUE(cfg("all()"));
    EXPECT_FALSE(cfg("any()"));
    EXPECT_TRUE(cfg("not(test)"));
    EXPECT_TRUE(cfg("any(test, unix)"));
    EXPECT_FALSE(cfg("all(unix, test)"));
    EXPECT_TRUE(cfg("all(unix, not(any(test, windows)),)"));
    EXPECT_TRUE(cfg("true"));
    EXPECT_FALSE(cfg("false"));
}

TEST(Cfg, SpecsAsRustcTakesThem) {
    expand::CfgSet set = expand::CfgSet::host();
    set.add_spec("feature=\"serde\"");
    set.add_spec("my_flag");
    EXPECT_TRUE(cfg("feature = \"serde\"", set));
    EXPECT_FALSE(cfg("feature = \"other\"", set));
    EXPECT_TRUE(cfg("my_flag", set));
    // A value is the string literal's, however it is written.
    EXPECT_TRUE(cfg("feature = r\"serde\"", set));
    EXPECT_TRUE(cfg("feature = \"s\\x65rde\"", set));
    for (const char* bad : {"", "1", "a = b", "a=\"x\" b", "=\"x\""})
        EXPECT_THROW(set.add_spec(bad), Error) << bad;
}

TEST(Cfg, MalformedPredicatesNameTheToken) {
    for (const char* bad : {"not(a, b)", "foo(x)", "a = 1", "\"x\"", "a b"}) {
        try {
            cfg(bad);
            ADD_FAILURE() << bad << " evaluated";
        } catch (const expand::ExpandError& e) {
            EXPECT_TRUE(e.span.has_location()) << bad << ": " << e.what();
        }
    }
}

TEST(Syntax, ClassifiesItemsAndStatements) {
    struct Case {
        const char* text;
        expand::ItemKind kind;
        const char* last; // the item's last token
    };
    const Case cases[] = {
        {"pub(crate) struct S<T: Fn(u8)>(T) where T: Copy; x", expand::ItemKind::Struct, ";"},
        {"struct S { a: u8 } x", expand::ItemKind::Struct, "}"},
        {"const fn f() -> u8 { 1 } x", expand::ItemKind::Fn, "}"},
        {"const X: S = S { a: 1 }; x", expand::ItemKind::Other, ";"},
        {"unsafe impl<T> Send for X<T> {} x", expand::ItemKind::Impl, "}"},
        {"extern crate serde as s; x", expand::ItemKind::ExternCrate, ";"},
        {"use a::{b, c}; x", expand::ItemKind::Use, ";"},
        {"mod m; x", expand::ItemKind::Mod, ";"},
        {"macro_rules! m { () => {} } x", expand::ItemKind::MacroRules, "}"},
        {"m!(1); x", expand::ItemKind::MacroCall, ";"},
        {"a::m! { } x", expand::ItemKind::MacroCall, "}"},
        {"m!(1) + 2; x", expand::ItemKind::None, ""},
        {"unsafe { f() } x", expand::ItemKind::None, ""},
        {"let x = 1; x", expand::ItemKind::None, ""},
        {"union U { a: u8 } x", expand::ItemKind::Union, "}"},
        {"union = 3; x", expand::ItemKind::None, ""},
    };
    for (const Case& c : cases) {
        tokens::TokenStream s = lex(c.text);
        expand::Item item = expand::classify_item(s, 0, s.size());
        EXPECT_EQ(static_cast<int>(item.kind), static_cast<int>(c.kind)) << c.text;
        if (item.kind == expand::ItemKind::None) continue;
        ASSERT_GT(item.end, 0u) << c.text;
        // The last top-level tree before `end`.
        std::size_t last = 0;
        for (std::size_t i = 0; i < item.end; i = s.next_sibling(i)) last = i;
        std::string text = s[last].is_group() ? tokens::close_char(s[last].delimiter)
                                              : std::string(s[last].text());
        EXPECT_EQ(text, c.last) << c.text;
        EXPECT_TRUE(expand::is_ident(s[item.end], "x")) << c.text;
    }
}

TEST(Syntax, StatementsEndBeforeAnItemAfterABlock) {
    tokens::TokenStream s = lex("if a { b } struct S; c");
    std::size_t end = expand::statement_end(s, 0, s.size());
    EXPECT_TRUE(expand::is_ident(s[end], "struct"));
    s = lex("let x = if a { 1 } else { 2 }; y");
    end = expand::statement_end(s, 0, s.size());
    EXPECT_TRUE(expand::is_ident(s[end], "y"));
}

TEST(Syntax, FieldListsSplitOutsideGenerics) {
    tokens::TokenStream s = lex("a: HashMap<K, V>, b: fn(u8) -> Vec<u8>, c: u8,");
    EXPECT_EQ(expand::split_commas(s, 0, s.size()).size(), 3u);
}

TEST(Syntax, Attributes) {
    tokens::TokenStream s = lex("#[serde(rename = \"x\")] #![allow(a)] #[path = \"p.rs\"] #[test]");
    auto a = expand::parse_attr(s, 0, s.size());
    ASSERT_TRUE(a);
    EXPECT_EQ(a->path.segments.at(0), "serde");
    EXPECT_EQ(a->form, expand::Attr::Form::List);
    auto b = expand::parse_attr(s, a->end, s.size());
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->inner);
    auto c = expand::parse_attr(s, b->end, s.size());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->form, expand::Attr::Form::NameValue);
    auto d = expand::parse_attr(s, c->end, s.size());
    ASSERT_TRUE(d);
    EXPECT_EQ(d->form, expand::Attr::Form::Word);
}

TEST(Diagnostic, RenderedAsRustcDoes) {
    std::string name = "src/main.rs", text = "fn main() {}\n#[derive(Foo)]\nstruct S;\n";
    expand::SourceLookup l;
    l.name = [&](uint32_t) { return &name; };
    l.text = [&](uint32_t) { return &text; };
    expand::Diagnostic d;
    d.message = "cannot find derive macro `Foo`";
    d.span.source = 1;
    d.span.line = d.span.end_line = 2;
    d.span.col = 10;
    d.span.end_col = 13;
    d.notes.push_back("it has Bar (derive)");
    EXPECT_EQ(expand::render(d, l), "error: cannot find derive macro `Foo`\n"
                                    " --> src/main.rs:2:10\n"
                                    "  |\n"
                                    "2 | #[derive(Foo)]\n"
                                    "  |          ^^^\n"
                                    "  = note: it has Bar (derive)\n");
}

// --- the expansion loop, in-process ------------------------------------------

std::vector<uint8_t> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Crate {
    fs::path dir;
    explicit Crate(const std::string& name)
        : dir(fs::temp_directory_path() /
              ("wasmacro_expand_" + std::to_string(::getpid()) + "_" + name)) {
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    ~Crate() { fs::remove_all(dir); }
    void write(const std::string& rel, const std::string& text) const {
        fs::create_directories((dir / rel).parent_path());
        std::ofstream(dir / rel, std::ios::binary) << text;
    }
    std::string root() const { return (dir / "main.rs").string(); }
};

class Expansion : public ::testing::Test {
protected:
    void SetUp() override {
        auto add = [&](const std::string& name, const std::string& path) {
            registry.add(name, macros::Library::load(read_bytes(path), name + ".wasm"));
        };
        add("Demo", std::string(WASMACRO_FIXTURES_DIR) + "/demo.wasm");
        add("t", WASMACRO_EXPAND_MACROS);
    }
    expand::CrateExpansion run(const Crate& c, expand::Options options = {}) {
        return expand::expand_crate(c.root(), registry, options);
    }
    macros::Registry registry;
};

TEST_F(Expansion, UnchangedFilesAreByteForByte) {
    Crate c("unchanged");
    std::string text = "\xEF\xBB\xBF// no macros here\r\nmod m;\r\nfn main() {}\r\n";
    c.write("main.rs", text);
    c.write("m.rs", "pub fn f() {}\r\n");
    expand::CrateExpansion r = run(c);
    ASSERT_TRUE(r.ok()) << r.render_all();
    ASSERT_EQ(r.files.size(), 2u);
    EXPECT_EQ(r.files[0].bytes, text);
    EXPECT_FALSE(r.files[0].changed);
    EXPECT_EQ(r.files[1].path, "m.rs");
}

TEST_F(Expansion, LinesWithoutInvocationsKeepTheirNumbers) {
    Crate c("lines");
    c.write("main.rs", "use Demo::Demo;\n"
                       "#[derive(\n"
                       "    Demo,\n"
                       ")]\n"
                       "struct S;\n"
                       "fn main() { let _ = t::id!(\n"
                       "1 + 2); }\n"
                       "// last\n");
    expand::CrateExpansion r = run(c);
    ASSERT_TRUE(r.ok()) << r.render_all();
    const std::string& out = r.files[0].bytes;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 8);
    EXPECT_EQ(out.substr(out.rfind("// last")), "// last\n");
    ASSERT_EQ(r.files[0].map.size(), 2u);
    EXPECT_EQ(r.files[0].map[0].kind, "derive");
    EXPECT_EQ(r.files[0].map[0].out_start.line, 2u);
    EXPECT_EQ(r.files[0].map[0].at.line, 3u);
    EXPECT_EQ(r.files[0].map[1].kind, "bang");
    EXPECT_EQ(r.files[0].map[1].out_start.line, 6u);
    // The call spanned two lines, so its expansion is followed by a newline.
    EXPECT_NE(out.find("let _ = (1 + 2)\n; }"), std::string::npos) << out;
}

TEST_F(Expansion, DepthLimitNamesTheChain) {
    Crate c("depth");
    c.write("main.rs", "use t::rec;\nrec!();\nfn main() {}\n");
    expand::Options o;
    o.max_depth = 5;
    expand::CrateExpansion r = run(c, o);
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.diagnostics.size(), 1u) << r.render_all();
    EXPECT_EQ(r.diagnostics[0].message, "recursion limit reached while expanding `rec`");
    EXPECT_EQ(r.diagnostics[0].span.line, 2u);
    ASSERT_EQ(r.diagnostics[0].notes.size(), 2u);
    EXPECT_EQ(r.diagnostics[0].notes[0],
              "expansion chain: `rec!` -> `rec!` -> `rec!` -> `rec!` -> `rec!`");
}

TEST_F(Expansion, NestedDepthWithinTheLimitExpands) {
    Crate c("nested");
    c.write("main.rs", "fn main() { let x = t::id!(t::id!(t::id!(2))); }\n");
    expand::Options o;
    o.max_depth = 3;
    expand::CrateExpansion r = run(c, o);
    ASSERT_TRUE(r.ok()) << r.render_all();
    EXPECT_NE(r.files[0].bytes.find("let x = (((2)));"), std::string::npos) << r.files[0].bytes;
    o.max_depth = 2;
    EXPECT_FALSE(run(c, o).ok());
}

TEST_F(Expansion, WritesAllOrNothing) {
    Crate c("write");
    c.write("main.rs", "mod a;\nfn main() {}\n");
    c.write("a/mod.rs", "mod b;\n");
    c.write("a/b.rs", "#[derive(Demo::Demo)] struct B;\n");
    expand::CrateExpansion r = run(c);
    ASSERT_TRUE(r.ok()) << r.render_all();
    fs::path out = c.dir / "out";
    fs::create_directories(out / "stale");
    expand::write_crate(r, out.string(), true);
    EXPECT_FALSE(fs::exists(out / "stale"));
    EXPECT_TRUE(fs::exists(out / "a" / "mod.rs"));
    EXPECT_TRUE(fs::exists(out / "a" / "b.rs"));
    EXPECT_TRUE(fs::exists(out / "wasmacro-map.json"));
    for (const auto& e : fs::directory_iterator(c.dir))
        EXPECT_EQ(e.path().filename().string().find(".wasmacro-"), std::string::npos);
}

TEST_F(Expansion, HelpersNoDeriveDeclaresAreLeftForRustc) {
    Crate c("helpers");
    // demo's derive declares no helpers: `#[serde]` is not ours to remove.
    c.write("main.rs", "#[derive(Demo::Demo, Clone)]\n#[serde(rename = \"x\")]\nstruct S;\n");
    expand::CrateExpansion r = run(c);
    ASSERT_TRUE(r.ok()) << r.render_all();
    EXPECT_NE(r.files[0].bytes.find("# [derive (Clone)] # [serde (rename = \"x\")] struct S ;"),
              std::string::npos)
        << r.files[0].bytes;
}

TEST_F(Expansion, SourceMapPointsBackToInvocations) {
    Crate c("map");
    c.write("main.rs", "mod m;\nfn main() {}\n");
    c.write("m.rs", "\n\nfn f() -> u32 { 1 + t::id!(2) }\n");
    expand::CrateExpansion r = run(c);
    ASSERT_TRUE(r.ok()) << r.render_all();
    std::string json = expand::source_map_json(r);
    EXPECT_NE(json.find("\"file\": \"m.rs\""), std::string::npos) << json;
    ASSERT_EQ(r.files[1].map.size(), 1u);
    const expand::MapEntry& m = r.files[1].map[0];
    EXPECT_EQ(m.macro, "t::id!");
    EXPECT_EQ(m.file, "m.rs");
    EXPECT_EQ(m.at.line, 3u);
    EXPECT_EQ(m.at.col, 21u);
    EXPECT_EQ(m.out_start.line, 3u);
    EXPECT_EQ(m.out_start.col, 21u);
    EXPECT_EQ(m.out_end.col, 24u); // `(2)`
    EXPECT_EQ(r.files[1].bytes, "\n\nfn f() -> u32 { 1 + (2) }\n");
}

TEST_F(Expansion, DeriveOnAFunctionIsAnError) {
    Crate c("derive_fn");
    c.write("main.rs", "#[derive(Demo::Demo)]\nfn main() {}\n");
    expand::CrateExpansion r = run(c);
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_NE(r.diagnostics[0].message.find("may only be applied"), std::string::npos);
}

} // namespace
