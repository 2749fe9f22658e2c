// Real expansions with the committed fixture modules, and the hostile macros:
// each must end its expansion with a clean error, and the same process (the
// same library, where it has a well-behaved macro) must then expand correctly.
#include "macros/library.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>

namespace {

using namespace wasmacro;
using macros::ExpansionError;
using macros::Library;
using tokens::TokenStream;

const std::string kFixtures = WASMACRO_FIXTURES_DIR;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::unique_ptr<Library> load(const std::string& name, wasm::SandboxLimits limits = {}) {
    return Library::load(read_file(kFixtures + "/" + name), name, limits);
}

TokenStream lex(const std::string& text, tokens::Edition edition = tokens::Edition::E2021) {
    tokens::LexOptions options;
    options.edition = edition;
    return tokens::tokenize_or_throw(tokens::SourceFile::from_bytes("<test>", text), options);
}

TokenStream expand(Library& lib, const std::string& macro, const std::string& input,
                   const std::string* args = nullptr) {
    const macros::MacroDecl* decl = lib.decls().find(macro);
    EXPECT_NE(decl, nullptr) << macro;
    if (!decl) return {};
    TokenStream in = lex(input, lib.decls().edition);
    if (!args) return lib.expand(*decl, in);
    TokenStream a = lex(*args, lib.decls().edition);
    return lib.expand(*decl, in, &a);
}

// The printed output lexes back to the same trees: what rustc will do with it.
void expect_relexes(const TokenStream& out, tokens::Edition edition) {
    std::string text = tokens::to_string(out);
    auto again = tokens::parse_text(text, edition, {});
    ASSERT_TRUE(again.has_value()) << text;
    EXPECT_TRUE(tokens::same_trees(out, *again)) << text;
}

ExpansionError expect_failure(Library& lib, const std::string& macro, const std::string& input) {
    try {
        TokenStream out = expand(lib, macro, input);
        ADD_FAILURE() << macro << "(" << input << ") expanded to: " << tokens::to_string(out);
    } catch (const ExpansionError& e) {
        return e;
    }
    return ExpansionError(ExpansionError::Cause::Abi, "");
}

// quote! makes the `&` of `&'static` Alone, as the space here does.
const std::string kDemoOutput =
    R"rs(impl S { pub const MESSAGE: & 'static str = "Hello from WASM! My name is S."; })rs";

void expect_demo_works(Library& demo) {
    TokenStream out = expand(demo, "Demo", "struct S;");
    EXPECT_TRUE(tokens::same_trees(out, lex(kDemoOutput))) << tokens::to_string(out);
}

TEST(Library, LoadsDecls) {
    auto lib = load("serde_derive.wasm");
    ASSERT_EQ(lib->decls().macros.size(), 2u);
    EXPECT_EQ(lib->decls().edition, tokens::Edition::E2015);
    const macros::MacroDecl* ser = lib->decls().find("Serialize");
    ASSERT_NE(ser, nullptr);
    EXPECT_EQ(ser->export_name, "derive_serialize");
    EXPECT_EQ(ser->helpers, std::vector<std::string>{"serde"});
    EXPECT_EQ(lib->display_name(), "serde_derive.wasm");
}

TEST(Library, DemoExactOutput) {
    auto demo = load("demo.wasm");
    expect_demo_works(*demo);
    // The instance is reused: many expansions in a row stay right.
    for (int i = 0; i < 20; ++i) expect_demo_works(*demo);
}

TEST(Library, DemoGenericsAndSpans) {
    auto demo = load("demo.wasm");
    TokenStream out = expand(*demo, "Demo", "struct W<T> { x: T }");
    std::string text = tokens::to_string(out);
    EXPECT_NE(text.find("impl < T > W < T >"), std::string::npos) << text;
    // The type's name keeps its source span; tokens the macro made get the call site.
    bool found_w = false;
    for (const tokens::Tree& t : out.nodes()) {
        if (t.kind == tokens::TreeKind::Ident && t.text() == "W") {
            found_w = true;
            EXPECT_EQ(t.span.line, 1u);
            EXPECT_EQ(t.span.col, 8u);
        }
        if (t.kind == tokens::TreeKind::Ident && t.text() == "MESSAGE") {
            EXPECT_EQ(t.span.source, 0u);
        }
    }
    EXPECT_TRUE(found_w);
}

TEST(Library, HostSpansComeBack) {
    auto demo = load("demo.wasm");
    TokenStream in;
    in.push_ident("struct", tokens::Span::host(7));
    in.push_ident("S", tokens::Span::host(8));
    in.push_punct(';', tokens::Spacing::Alone, tokens::Span::host(9));
    TokenStream out = demo->expand(*demo->decls().find("Demo"), in);
    ASSERT_TRUE(tokens::same_trees(out, lex(kDemoOutput)));
    EXPECT_EQ(out[1].text(), "S");
    EXPECT_EQ(out[1].span, tokens::Span::host(8));
}

const std::string kStruct = R"rs(
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config<'a, T: Clone> {
    /// The name.
    pub name: &'a str,
    #[serde(default)]
    pub retries: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    pub tags: Vec<String>,
    pub extra: T,
    pub ratio: f64,
}
)rs";

TEST(Library, SerdeSerializeAndDeserialize) {
    auto serde = load("serde_derive.wasm");
    TokenStream ser = expand(*serde, "Serialize", kStruct);
    std::string text = tokens::to_string(ser);
    EXPECT_NE(text.find("impl < 'a , T : Clone > _serde :: Serialize for Config < 'a , T >"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\"timeoutMs\""), std::string::npos);
    EXPECT_NE(text.find("serialize_struct"), std::string::npos);
    expect_relexes(ser, tokens::Edition::E2015);

    TokenStream de = expand(*serde, "Deserialize", kStruct);
    text = tokens::to_string(de);
    EXPECT_NE(text.find("_serde :: Deserialize < 'de > for Config"), std::string::npos) << text;
    EXPECT_NE(text.find("\"retries\""), std::string::npos);
    expect_relexes(de, tokens::Edition::E2015);
}

TEST(Library, SerdeEnumAndErrors) {
    auto serde = load("serde_derive.wasm");
    TokenStream out = expand(*serde, "Serialize", R"rs(
        #[serde(tag = "type")]
        enum Shape { Circle { r: f64 }, Square { side: f64 }, Empty }
    )rs");
    std::string text = tokens::to_string(out);
    EXPECT_NE(text.find("serialize_struct"), std::string::npos) << text;
    EXPECT_NE(text.find("\"Circle\""), std::string::npos);
    // A serde usage error is a compile_error!, not a failure of the expansion.
    out = expand(*serde, "Serialize", "#[serde(unknown_thing)] struct S { a: u8 }");
    text = tokens::to_string(out);
    EXPECT_NE(text.find("compile_error"), std::string::npos) << text;
    EXPECT_NE(text.find("unknown serde container attribute"), std::string::npos) << text;
}

TEST(Library, ThiserrorError) {
    auto lib = load("thiserror.wasm");
    TokenStream out = expand(*lib, "Error", R"rs(
        pub enum DataError {
            #[error("data store disconnected")]
            Disconnect(#[from] std::io::Error),
            #[error("the data for key `{0}` is not available")]
            Redaction(String),
            #[error("invalid header (expected {expected:?}, found {found:?})")]
            InvalidHeader { expected: String, found: String },
        }
    )rs");
    std::string text = tokens::to_string(out);
    EXPECT_NE(text.find("std :: error :: Error for DataError"), std::string::npos) << text;
    EXPECT_NE(text.find("std :: fmt :: Display for DataError"), std::string::npos) << text;
    EXPECT_NE(text.find("From < std :: io :: Error > for DataError"), std::string::npos) << text;
    expect_relexes(out, tokens::Edition::E2018);
}

TEST(Library, EnumStrAndTrace) {
    auto lib = load("example_macros.wasm");
    TokenStream out =
        expand(*lib, "enum_str", "#[derive(Debug)] pub enum Color { Red, Green, Blue }");
    std::string text = tokens::to_string(out);
    EXPECT_NE(text.find("pub enum Color"), std::string::npos) << text;
    EXPECT_NE(
        text.find("pub const ALL : [Color ; 3usize] = [Color :: Red , Color :: Green , Color :: "
                  "Blue] ;"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("\"Green\""), std::string::npos);
    EXPECT_NE(text.find("FromStr for Color"), std::string::npos);
    expect_relexes(out, tokens::Edition::E2021);

    out = expand(*lib, "trace", "fn add(a: i32, b: i32) -> i32 { a + b }");
    text = tokens::to_string(out);
    EXPECT_NE(text.find("fn add (a : i32 , b : i32) -> i32"), std::string::npos) << text;
    EXPECT_NE(text.find("[trace] enter {}"), std::string::npos) << text;
    EXPECT_NE(text.find("\"add\""), std::string::npos) << text;

    std::string args = R"rs("my label")rs";
    out = expand(*lib, "trace", "fn f() {}", &args);
    text = tokens::to_string(out);
    EXPECT_NE(text.find("\"my label\""), std::string::npos) << text;

    args = "42";
    out = expand(*lib, "trace", "fn f() {}", &args);
    EXPECT_NE(tokens::to_string(out).find("compile_error"), std::string::npos);
}

// --- hostile.wasm --------------------------------------------------------------

class Hostile : public ::testing::Test {
protected:
    void SetUp() override {
        hostile = load("hostile.wasm");
        demo = load("demo.wasm");
    }
    // After a failure the same library expands again correctly (the control
    // scenario goes through every import), and so does another library.
    void expect_recovers() {
        TokenStream out = expand(*hostile, "bad_abi", "parse_lex_error");
        EXPECT_TRUE(out.empty()) << tokens::to_string(out);
        expect_demo_works(*demo);
    }
    std::unique_ptr<Library> hostile, demo;
};

TEST_F(Hostile, PanicReportsTheMessage) {
    ExpansionError e = expect_failure(*hostile, "Panic", "struct S;");
    EXPECT_EQ(e.cause(), ExpansionError::Cause::Panic);
    EXPECT_NE(std::string(e.what()).find("hostile fixture: derive(Panic) panicked on purpose"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("derive macro `Panic`"), std::string::npos) << e.what();
    expect_recovers();
    // Twice: a panic after a panic is still a panic, not an abort.
    e = expect_failure(*hostile, "Panic", "struct S;");
    EXPECT_EQ(e.cause(), ExpansionError::Cause::Panic);
    expect_recovers();
}

// CPU time, so that a busy machine does not fail the test.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

TEST_F(Hostile, InfiniteLoopStopsAtTheFuelLimitQuickly) {
    double start = cpu_seconds();
    ExpansionError e = expect_failure(*hostile, "infinite_loop", "");
    double seconds = cpu_seconds() - start;
    EXPECT_EQ(e.cause(), ExpansionError::Cause::Trap);
    EXPECT_NE(std::string(e.what()).find("fuel"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("infinite_loop"), std::string::npos) << e.what();
    // The limit comes as data, and the advice is the front end's to word.
    EXPECT_EQ(e.trap(), wasm::TrapKind::FuelExhausted);
    ASSERT_TRUE(e.limit().has_value());
    EXPECT_EQ(e.limit()->kind, macros::LimitHit::Kind::Fuel);
    EXPECT_EQ(e.limit()->value, wasm::SandboxLimits{}.fuel);
    EXPECT_EQ(std::string(e.what()).find("--fuel"), std::string::npos) << e.what();
    EXPECT_EQ(e.with_hint("; ADVICE"), std::string(e.what()) + "; ADVICE");
    if (!kSanitized) {
        EXPECT_LT(seconds, 1.0);
    }
    std::printf("infinite_loop: fuel trap after %.3f s of CPU time\n", seconds);
    expect_recovers();
}

// A regression: memory.fill cost one unit of fuel whatever its length, so a
// loop of 16 MiB fills ran for days under the default fuel.
TEST_F(Hostile, BulkFillLoopStopsAtTheFuelLimit) {
    double start = cpu_seconds();
    ExpansionError e = expect_failure(*hostile, "bulk_fill_loop", "");
    double seconds = cpu_seconds() - start;
    EXPECT_EQ(e.cause(), ExpansionError::Cause::Trap);
    EXPECT_NE(std::string(e.what()).find("fuel exhausted"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bulk_fill_loop"), std::string::npos) << e.what();
    std::printf("bulk_fill_loop: fuel trap after %.3f s of CPU time\n", seconds);
    expect_recovers();
}

// A regression: thirty tables of ten million elements were zero-filled at
// every load, 2.35 GB and 12 s. The store's budget refuses the module at
// load time, before allocating any of it, naming what went over.
TEST_F(Hostile, ManyTablesAreRefusedAtLoad) {
    double start = cpu_seconds();
    try {
        load("many_tables.wasm");
        ADD_FAILURE() << "many_tables.wasm loaded";
    } catch (const wasm::Trap& e) {
        EXPECT_EQ(e.kind(), wasm::TrapKind::MemoryLimitExceeded);
        EXPECT_NE(std::string(e.what()).find(
                      "the module (30 tables of 2400000000 bytes, 1 memories of 65536"),
                  std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("MiB left for memories, tables"), std::string::npos)
            << e.what();
    }
    std::printf("many_tables.wasm: refused after %.3f s of CPU time\n", cpu_seconds() - start);
    expect_recovers();
}

TEST_F(Hostile, UnboundedAllocStopsAtTheMemoryLimit) {
    wasm::SandboxLimits limits;
    limits.max_memory_pages = 512; // 32 MiB keeps the test light
    hostile = load("hostile.wasm", limits);
    ExpansionError e = expect_failure(*hostile, "unbounded_alloc", "");
    EXPECT_EQ(e.cause(), ExpansionError::Cause::Trap);
    EXPECT_NE(std::string(e.what()).find("memory limit"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("512 pages"), std::string::npos) << e.what();
    ASSERT_TRUE(e.limit().has_value());
    EXPECT_EQ(e.limit()->kind, macros::LimitHit::Kind::MemoryPages);
    EXPECT_EQ(e.limit()->value, 512u);
    expect_recovers();
}

TEST_F(Hostile, UnboundedRecursionStopsAtTheCallDepthLimit) {
    ExpansionError e = expect_failure(*hostile, "unbounded_recursion", "");
    EXPECT_EQ(e.cause(), ExpansionError::Cause::Trap);
    EXPECT_NE(std::string(e.what()).find("call stack exhausted"), std::string::npos) << e.what();
    // The depth cap, or the machine stack (no limit a caller can raise).
    if (e.trap() == wasm::TrapKind::CallStackExhausted) {
        ASSERT_TRUE(e.limit().has_value());
        EXPECT_EQ(e.limit()->kind, macros::LimitHit::Kind::CallDepth);
        EXPECT_EQ(e.limit()->value, wasm::SandboxLimits{}.max_call_depth);
    } else {
        EXPECT_EQ(e.trap(), wasm::TrapKind::MachineStackExhausted);
        EXPECT_FALSE(e.limit().has_value());
    }
    expect_recovers();
}

struct Scenario {
    const char* name;
    const char* import;
    const char* problem;
};

const Scenario kScenarios[] = {
    {"wire_empty", "token_stream_deserialize", "end before the stream's end byte"},
    {"wire_truncated", "token_stream_deserialize", "end in the middle of an identifier"},
    {"wire_bad_tag", "token_stream_deserialize", "unknown tree tag 7"},
    {"wire_bad_delimiter", "token_stream_deserialize", "unknown delimiter 9"},
    {"wire_unclosed_group", "token_stream_deserialize", "end before the stream's end byte"},
    {"wire_trailing", "token_stream_deserialize", "1 bytes follow the end"},
    {"wire_bad_utf8", "token_stream_deserialize", "not valid UTF-8"},
    {"wire_bad_char", "token_stream_deserialize", "0x110000 is not a char"},
    {"wire_not_punct", "token_stream_deserialize", "'a' (U+0061) is not a punctuation"},
    {"wire_bad_ident", "token_stream_deserialize", "`a b` is not an identifier"},
    {"wire_bad_spacing", "token_stream_deserialize", "unknown spacing 7"},
    {"wire_bad_span", "token_stream_deserialize", "unknown span handle 0x7fff0000"},
    {"wire_bad_literal_kind", "token_stream_deserialize", "unknown literal form 2"},
    {"wire_bad_literal_handle", "token_stream_deserialize", "unknown literal handle 0x7fff0000"},
    {"wire_bad_literal_text", "token_stream_deserialize", "`not a literal` is not a literal"},
    {"wire_huge_length", "token_stream_deserialize", "4294967040 bytes, but only 3"},
    {"wire_deep_nesting", "token_stream_deserialize", "nested more than 256 deep"},
    {"stream_handle", "token_stream_serialize", "0x7fff0000 is not a token stream handle"},
    {"literal_handle", "literal_to_string", "0x7fff0000 is not a literal handle"},
    {"string_handle", "string_len", "0x7fff0000 is not a string handle"},
    {"bytes_handle", "bytes_len", "0x7fff0000 is not a bytes handle"},
    {"print_panic_handle", "print_panic", "0x7fff0000 is not a string handle"},
    {"handle_kind", "token_stream_serialize", "is a string handle, not a token stream handle"},
    {"string_new_oob", "string_new", "64 bytes at 0xfffffff0 are outside guest memory"},
    {"string_new_wrap", "string_new", "4294967288 bytes at 0x10 are outside guest memory"},
    {"string_new_utf8", "string_new", "not valid UTF-8"},
    {"string_read_oob", "string_read", "5 bytes at 0xfffffff0 are outside guest memory"},
    {"bytes_read_oob", "bytes_read", "at 0xfffffff0 are outside guest memory"},
    {"parse_oob", "token_stream_parse", "4096 bytes at 0xfffffff0 are outside guest memory"},
    {"parse_utf8", "token_stream_parse", "not valid UTF-8"},
    {"parse_deep_nesting", "token_stream_parse",
     "nests groups 1000000 deep; the host accepts at most 256"},
    {"deserialize_oob", "token_stream_deserialize", "100 bytes at 0xfffffff0 are outside"},
};

TEST_F(Hostile, EveryBadAbiScenarioIsRejected) {
    for (const Scenario& s : kScenarios) {
        SCOPED_TRACE(s.name);
        ExpansionError e = expect_failure(*hostile, "bad_abi", s.name);
        std::string what = e.what();
        EXPECT_EQ(e.cause(), ExpansionError::Cause::Abi) << what;
        EXPECT_NE(what.find(std::string("broke the watt-0.5 ABI: ") + s.import + ": "),
                  std::string::npos)
            << what;
        EXPECT_NE(what.find(s.problem), std::string::npos) << what;
        expect_recovers();
    }
}

TEST_F(Hostile, ControlScenarioIsAccepted) {
    for (int i = 0; i < 3; ++i) expect_recovers();
}

TEST_F(Hostile, UnknownScenarioPanicsWithTheList) {
    ExpansionError e = expect_failure(*hostile, "bad_abi", "no_such_scenario");
    EXPECT_EQ(e.cause(), ExpansionError::Cause::Panic);
    EXPECT_NE(std::string(e.what()).find("unknown scenario"), std::string::npos) << e.what();
    expect_recovers();
}

TEST_F(Hostile, AllFailuresInOneLibraryThenDemo) {
    expect_failure(*hostile, "Panic", "struct S;");
    expect_failure(*hostile, "unbounded_recursion", "");
    expect_failure(*hostile, "bad_abi", "wire_bad_tag");
    expect_failure(*hostile, "infinite_loop", "");
    expect_recovers();
}

TEST(Library, AttributeArgumentsOnlyForAttributes) {
    auto demo = load("demo.wasm");
    TokenStream in = lex("struct S;"), args = lex("x");
    EXPECT_THROW(demo->expand(*demo->decls().find("Demo"), in, &args), Error);
}

// --- load-time refusals ---------------------------------------------------------

// A module with one function import `module`.`name` of type () -> ().
std::vector<uint8_t> module_importing(const std::string& module, const std::string& name) {
    std::string imports;
    imports += '\x01';
    imports += static_cast<char>(module.size());
    imports += module;
    imports += static_cast<char>(name.size());
    imports += name;
    imports += std::string("\0\0", 2); // function of type 0
    std::string b("\0asm\x01\0\0\0", 8);
    b += std::string("\x01\x04\x01\x60\0\0", 6); // type section: () -> ()
    b += '\x02';
    b += static_cast<char>(imports.size());
    b += imports;
    return {b.begin(), b.end()};
}

TEST(LibraryLoad, RefusesOtherImportsNamingThem) {
    try {
        Library::load(module_importing("env", "fd_write"), "x.wasm");
        FAIL() << "loaded";
    } catch (const wasm::LinkError& e) {
        EXPECT_NE(std::string(e.what()).find("\"env\" \"fd_write\""), std::string::npos)
            << e.what();
    }
    try {
        Library::load(module_importing("watt-0.5", "open_file"), "x.wasm");
        FAIL() << "loaded";
    } catch (const wasm::LinkError& e) {
        EXPECT_NE(std::string(e.what()).find("open_file"), std::string::npos) << e.what();
    }
    try {
        Library::load(module_importing("watt-0.5", "string_len"), "x.wasm");
        FAIL() << "loaded";
    } catch (const wasm::LinkError& e) {
        EXPECT_NE(std::string(e.what()).find("with type () -> ()"), std::string::npos) << e.what();
    }
}

TEST(LibraryLoad, NoDeclsSectionSuggestsAnnotate) {
    std::vector<uint8_t> b = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
    try {
        Library::load(b, "plain.wasm");
        FAIL() << "loaded";
    } catch (const macros::DeclsError& e) {
        EXPECT_NE(std::string(e.what()).find("wasmacro annotate"), std::string::npos) << e.what();
    }
}

// Decls given rather than read: a module without a section (as built for
// plain watt) loads, and the decls are checked as a section's would be.
TEST(LibraryLoad, WithDeclsGiven) {
    auto bytes = read_file(kFixtures + "/demo.wasm");
    macros::Decls none;
    std::vector<uint8_t> plain = macros::with_decls_section(bytes, none);
    macros::Decls decls;
    decls.macros.push_back({macros::MacroKind::Derive, "Shown", "derive_demo", {"helper"}});
    auto lib = Library::load(wasm::load_module(bytes), decls, "demo.wasm");
    ASSERT_EQ(lib->decls().macros.size(), 1u);
    EXPECT_EQ(lib->decls().macros[0].name, "Shown");
    tokens::TokenStream out = lib->expand(lib->decls().macros[0], lex("struct S;"));
    EXPECT_NE(tokens::to_string(out).find("My name is S."), std::string::npos);
    auto refused = [&](macros::Decls d, const std::string& why) {
        try {
            Library::load(wasm::load_module(bytes), std::move(d), "demo.wasm");
            ADD_FAILURE() << "loaded, expected: " << why;
        } catch (const macros::DeclsError& e) {
            EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).rfind("demo.wasm: ", 0), 0u) << e.what();
        }
    };
    refused({{{macros::MacroKind::Bang, "a-b", "derive_demo", {}}}}, "`a-b` is not a macro name");
    refused({{{macros::MacroKind::Bang, "fn", "derive_demo", {}}}}, "is a keyword in Rust 2021");
    refused({{{macros::MacroKind::Derive, "D", "derive_demo", {"__wasmacro_x"}}}},
            "starts with `__wasmacro`");
    refused({{{macros::MacroKind::Derive, "D", "derive_demo", {}},
              {macros::MacroKind::Bang, "D", "derive_demo", {}}}},
            "has the same name as derive `D`");
    refused({{{macros::MacroKind::Bang, "d", "", {}}}}, "the export name is empty");
    refused({{{macros::MacroKind::Attribute, "d", "derive_demo", {}}}},
            "must have type (i32, i32) -> (i32)");
}

TEST(LibraryLoad, UnknownExportNamed) {
    auto bytes = read_file(kFixtures + "/demo.wasm");
    macros::Decls decls;
    decls.macros.push_back({macros::MacroKind::Derive, "Demo", "no_such_export", {}});
    try {
        Library::load(macros::with_decls_section(bytes, decls), "demo.wasm");
        FAIL() << "loaded";
    } catch (const macros::DeclsError& e) {
        EXPECT_NE(std::string(e.what()).find("\"no_such_export\""), std::string::npos) << e.what();
    }
    decls.macros[0] = {macros::MacroKind::Attribute, "demo", "derive_demo", {}};
    try {
        Library::load(macros::with_decls_section(bytes, decls), "demo.wasm");
        FAIL() << "loaded";
    } catch (const macros::DeclsError& e) {
        EXPECT_NE(std::string(e.what()).find("must have type (i32, i32) -> (i32)"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Registry, FindsMacrosAcrossLibraries) {
    macros::Registry registry;
    registry.add("serde_derive", load("serde_derive.wasm"));
    registry.add("example_macros", load("example_macros.wasm"));
    EXPECT_THROW(registry.add("serde_derive", load("demo.wasm")), Error);
    EXPECT_EQ(registry.size(), 2u);
    EXPECT_NE(registry.find_crate("example_macros"), nullptr);
    EXPECT_EQ(registry.find_crate("demo"), nullptr);

    macros::Registry::Found f = registry.find(macros::MacroKind::Derive, "Deserialize");
    ASSERT_NE(f.macro, nullptr);
    EXPECT_EQ(f.library, registry.find_crate("serde_derive"));
    EXPECT_EQ(f.macro->export_name, "derive_deserialize");
    EXPECT_EQ(registry.find(macros::MacroKind::Bang, "trace").macro, nullptr);
    f = registry.find(macros::MacroKind::Attribute, "trace");
    ASSERT_NE(f.macro, nullptr);
    TokenStream out = f.library->expand(*f.macro, lex("fn f() {}"));
    EXPECT_NE(tokens::to_string(out).find("[trace] enter"), std::string::npos);
    EXPECT_TRUE(registry.is_derive_helper("serde"));
    EXPECT_FALSE(registry.is_derive_helper("trace"));
}

} // namespace
