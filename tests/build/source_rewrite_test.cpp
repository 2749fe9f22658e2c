// Unit tests of src/build's source rewrites and manifests: what `wasmacro
// build` writes in place of the entry-point attributes, syn's cfg, the
// refused compiler APIs, and the build crate's Cargo.toml.
#include "build/manifest.hpp"
#include "build/source_rewrite.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace {

using namespace wasmacro;
using build::BuildError;

tokens::SourceFile file(std::string text) {
    return tokens::SourceFile::from_bytes("src/lib.rs", std::move(text));
}

std::string registration(const std::string& call) {
    return "const _: () = { extern crate proc_macro as __wasmacro_proc_macro; "
           "__wasmacro_proc_macro::__wasmacro::" +
           call + " };";
}

/// An attribute as the rewrite leaves it: spaces in its place.
std::string blank(const std::string& attribute) {
    return std::string(attribute.size(), ' ');
}

TEST(RewriteEntryPoints, EachKindBecomesARegistrationAfterItsFunction) {
    std::string src = "use proc_macro::TokenStream;\n"
                      "/// Docs stay.\n"
                      "#[proc_macro_derive(HeapSize, attributes(heap))]\n"
                      "pub fn derive_heap_size(input: TokenStream) -> TokenStream { input }\n"
                      "#[proc_macro_attribute]\n"
                      "pub fn route(args: TokenStream, item: TokenStream) -> TokenStream { item }\n"
                      "#[proc_macro] pub fn sql(input: TokenStream) -> TokenStream { input }\n";
    build::RewrittenRoot out = build::rewrite_entry_points(file(src), tokens::Edition::E2018);
    ASSERT_EQ(out.entry_points.size(), 3u);
    EXPECT_EQ(out.entry_points[0].name, "HeapSize");
    EXPECT_EQ(out.entry_points[0].export_name, "derive_heap_size");
    EXPECT_EQ(out.entry_points[0].helpers, std::vector<std::string>{"heap"});
    EXPECT_EQ(out.entry_points[1].export_name, "attr_route");
    EXPECT_EQ(out.entry_points[2].export_name, "bang_sql");
    std::string want =
        "use proc_macro::TokenStream;\n"
        "/// Docs stay.\n" +
        blank("#[proc_macro_derive(HeapSize, attributes(heap))]") +
        "\npub fn derive_heap_size(input: TokenStream) -> TokenStream { input } " +
        registration(
            "export_derive!(HeapSize, attributes(heap) => derive_heap_size, derive_heap_size);") +
        "\n" + blank("#[proc_macro_attribute]") +
        "\npub fn route(args: TokenStream, item: TokenStream) -> TokenStream { item } " +
        registration("export_attribute!(route => attr_route, route);") + "\n" +
        blank("#[proc_macro]") + " pub fn sql(input: TokenStream) -> TokenStream { input } " +
        registration("export_function!(sql => bang_sql, sql);") + "\n" +
        registration("export_edition!(2018);") + "\n";
    EXPECT_EQ(out.text, want);
}

TEST(RewriteEntryPoints, CfgsAndCfgAttrGoOnTheRegistration) {
    std::string src =
        "#[cfg(feature = \"x\")]\n#[proc_macro]\nfn a(i: T) -> T { i }\n"
        "#[cfg_attr(not(feature = \"long\"), proc_macro_derive(Short))]\n"
        "#[cfg_attr(feature = \"long\", proc_macro_derive(LongName, attributes(h)))]\n"
        "fn b(i: T) -> T { i }\n";
    build::RewrittenRoot out = build::rewrite_entry_points(file(src), tokens::Edition::E2021);
    ASSERT_EQ(out.entry_points.size(), 3u);
    EXPECT_NE(out.text.find("{ i } #[cfg(feature = \"x\")] " +
                            registration("export_function!(a => bang_a, a);")),
              std::string::npos);
    EXPECT_NE(out.text.find(" #[cfg(not(feature = \"long\"))] " +
                            registration("export_derive!(Short => derive_short, b);")),
              std::string::npos);
    EXPECT_NE(out.text.find(
                  " #[cfg(feature = \"long\")] " +
                  registration("export_derive!(LongName, attributes(h) => derive_long_name, b);")),
              std::string::npos);
    // Every line keeps its number.
    EXPECT_EQ(std::count(out.text.begin(), out.text.end(), '\n'),
              std::count(src.begin(), src.end(), '\n') + 1);
}

TEST(RewriteEntryPoints, ProcMacroErrorWrapsTheEntryPointOnWasmOnly) {
    build::RewrittenRoot out = build::rewrite_entry_points(
        file("#[proc_macro_error]\n#[proc_macro_derive(P)]\nfn p(i: T) -> T { i }\n"
             "#[proc_macro_error(proc_macro_hack)]\n#[proc_macro]\nfn q(i: T) -> T { i }\n"
             "#[proc_macro_error( )]\n#[proc_macro_attribute]\nfn r(a: T, i: T) -> T { i }\n"),
        tokens::Edition::E2018);
    // Natively the attribute stays, with the settings the removed
    // `#[proc_macro*]` implied.
    const std::string native = "#[cfg_attr(not(target_arch = \"wasm32\"), proc_macro_error(";
    EXPECT_NE(out.text.find(native + "allow_not_macro, assert_unwind_safe))]\n"), std::string::npos)
        << out.text;
    EXPECT_NE(out.text.find(native + "proc_macro_hack, allow_not_macro, assert_unwind_safe))]\n"),
              std::string::npos)
        << out.text;
    // On wasm the registration runs the function in the entry point, through
    // the attribute's name.
    EXPECT_NE(out.text.find(registration(
                  "export_derive!(P => derive_p, proc_macro_error!(entry p, (input), false));")),
              std::string::npos)
        << out.text;
    EXPECT_NE(out.text.find(registration(
                  "export_function!(q => bang_q, proc_macro_error!(entry q, (input), true));")),
              std::string::npos)
        << out.text;
    EXPECT_NE(out.text.find(registration("export_attribute!(r => attr_r, proc_macro_error!(entry "
                                         "r, (args, item), false));")),
              std::string::npos)
        << out.text;
    EXPECT_EQ(out.text.find("#[proc_macro_error]"), std::string::npos) << out.text;
}

TEST(RewriteEntryPoints, InAMacroRulesTheRegistrationUsesItsMetavariables) {
    const std::string src =
        "macro_rules! create_derive(\n"
        "    ($feature:literal, $trait_:ident, $fn_name:ident $(,$attribute:ident)*) => {\n"
        "        #[cfg(feature = $feature)]\n"
        "        #[proc_macro_derive($trait_, attributes($($attribute),*))]\n"
        "        pub fn $fn_name(input: TokenStream) -> TokenStream { input }\n"
        "    }\n"
        ");\n"
        "create_derive!(\"from\", From, from_derive, from);\n";
    build::RewrittenRoot out = build::rewrite_entry_points(file(src), tokens::Edition::E2018);
    EXPECT_NE(out.text.find("{ input } #[cfg(feature = $feature)] " +
                            registration("export_derive!($trait_, attributes($($attribute),*) => "
                                         "$fn_name, $fn_name);")),
              std::string::npos)
        << out.text;
    EXPECT_EQ(out.text.find("#[proc_macro_derive"), std::string::npos) << out.text;
    // Known only once the macro expands: the module's section says them.
    EXPECT_TRUE(out.entry_points.empty());
    EXPECT_EQ(std::count(out.text.begin(), out.text.end(), '\n'),
              std::count(src.begin(), src.end(), '\n') + 1);
}

TEST(FindEnvironmentRead, NamesTheFirstRuntimeRead) {
    auto read = [](const std::string& src) {
        return build::find_environment_read(file(src), tokens::Edition::E2021, "src/lib.rs");
    };
    EXPECT_EQ(read("fn f() {\n    let v = std::env::var(\"X\");\n}\n"),
              "src/lib.rs:2:18: `env::var`");
    EXPECT_EQ(read("use std::env;\nfn f() { env::var_os(\"X\"); env::var(\"Y\"); }"),
              "src/lib.rs:2:10: `env::var_os`");
    EXPECT_EQ(read("fn f() { for (k, v) in std::env::vars() {} }"), "src/lib.rs:1:29: `env::vars`");
    // Compile-time reads, and other `env`s, are not.
    EXPECT_FALSE(read("const V: &str = env!(\"CARGO_PKG_VERSION\");"));
    EXPECT_FALSE(read("fn f(env: &Env) { env.var(); } // env::var in a comment"));
    EXPECT_FALSE(read("fn f() { std::env::args(); }"));

    auto names = [](const std::string& src) {
        return build::names_cargo_package_variable(file(src), tokens::Edition::E2021);
    };
    EXPECT_TRUE(names("fn f() { from_env(\"CARGO_PKG_VERSION\") }"));
    EXPECT_TRUE(names("const N: &str = \"CARGO_CRATE_NAME\";"));
    EXPECT_FALSE(names("fn f() { env::var(\"STRUM_DEBUG\") } // \"CARGO_PKG_NAME\""));
    EXPECT_FALSE(names("const N: &str = \"CARGO_HOME\";"));
}

TEST(RewriteEntryPoints, RefusesWhatItCannotRewrite) {
    auto error_of = [](const std::string& src) {
        try {
            build::rewrite_entry_points(file(src), tokens::Edition::E2021);
        } catch (const BuildError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(error_of("pub fn f() {}\n"),
              "src/lib.rs: no `#[proc_macro_derive]`, `#[proc_macro_attribute]` or `#[proc_macro]` "
              "function at the crate root");
    EXPECT_EQ(error_of("\n#[proc_macro_derive]\nfn f(i: T) -> T { i }\n"),
              "src/lib.rs:2:1: `#[proc_macro_derive]` needs the derive's name");
    EXPECT_EQ(error_of("#[proc_macro]\nstruct S;\n"),
              "src/lib.rs:1:1: an entry-point attribute must be on a function");
    EXPECT_EQ(error_of("#[proc_macro_derive(A)]\nfn a(i: T) -> T { i }\n"
                       "#[proc_macro_attribute]\nfn derive_a(a: T, i: T) -> T { i }\n"
                       "#[proc_macro_derive(A2)]\nfn a2(i: T) -> T { i }\n#[proc_macro]\nfn x(i: "
                       "T) -> T { i }\n"
                       "#[proc_macro_derive(Ab)]\nfn ab(i: T) -> T { i "
                       "}\n#[proc_macro_derive(AB)]\nfn ab2(i: T) -> T { i }\n"),
              "src/lib.rs:11:1: two entry points would both be exported as `derive_ab`");
    EXPECT_EQ(error_of("fn f() { \"unterminated }\n"),
              "src/lib.rs:1:10: error: unterminated double quote string (rustc would not compile "
              "this file either)");
}

TEST(SnakeCase, AsTheExportNamesHaveIt) {
    EXPECT_EQ(build::snake_case("ValueEnum"), "value_enum");
    EXPECT_EQ(build::snake_case("Serialize"), "serialize");
    EXPECT_EQ(build::snake_case("HTTPServer"), "http_server");
    EXPECT_EQ(build::snake_case("Sha256Sum"), "sha256_sum");
    EXPECT_EQ(build::snake_case("already_snake"), "already_snake");
}

TEST(EnableProcMacroOnWasm, RenamesOnlySynsNoProcMacroCfg) {
    std::string src =
        "#[cfg(all(\n    not(all(target_arch = \"wasm32\", any(target_os = \"unknown\", "
        "target_os = \"wasi\"))),\n    feature = \"proc-macro\"\n))]\nextern crate proc_macro;\n"
        "#[cfg(target_arch = \"wasm32\")] fn other() {}\n";
    auto out = build::enable_proc_macro_on_wasm(file(src));
    ASSERT_TRUE(out);
    EXPECT_EQ(
        *out,
        "#[cfg(all(\n    not(all(target_arch = \"wasm32-with-wasmacro-proc-macro\", "
        "any(target_os = \"unknown\", target_os = \"wasi\"))),\n    feature = \"proc-macro\"\n))]\n"
        "extern crate proc_macro;\n#[cfg(target_arch = \"wasm32\")] fn other() {}\n");
    EXPECT_FALSE(
        build::enable_proc_macro_on_wasm(file("#[cfg(target_arch = \"wasm32\")] fn f() {}\n")));
}

TEST(DeclaresProcMacro, OnlyWhenNotBehindAWasmCfg) {
    EXPECT_TRUE(build::declares_proc_macro(file("extern crate proc_macro;\nfn f() {}\n")));
    EXPECT_FALSE(
        build::declares_proc_macro(file("#[cfg(all(not(all(target_arch = \"wasm32\", target_os = "
                                        "\"unknown\")), feature = \"proc-macro\"))]\n"
                                        "extern crate proc_macro;\n")));
    EXPECT_FALSE(build::declares_proc_macro(file("use proc_macro2::TokenStream;\n")));
}

TEST(CheckWasmApi, NamesTheApiAndWhereItIsUsed) {
    auto error_of = [](const std::string& src) {
        try {
            build::check_wasm_api(file(src), tokens::Edition::E2021, "src/diag.rs");
        } catch (const BuildError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(error_of("fn f() { let s = proc_macro::Span::call_site(); }\n"), "no error");
    EXPECT_EQ(error_of("\n  use proc_macro::{TokenStream, Diagnostic};\n").substr(0, 74),
              "src/diag.rs:2:7: `proc_macro::Diagnostic` has no equivalent for a macro co");
    EXPECT_NE(error_of("fn f() { proc_macro::tracked_env::var(\"X\"); }")
                  .find("`proc_macro::tracked_env`"),
              std::string::npos);
    EXPECT_NE(error_of("fn f(s: Span) { let f = s.source_file(); }")
                  .find("src/diag.rs:1:27: `Span::source_file`"),
              std::string::npos);
}

TEST(BuildCrateManifest, KeepsThePackageAndDropsDevDependencies) {
    std::string metadata = R"json({"packages": [{
        "name": "my-derive", "version": "1.2.3", "edition": "2018", "links": null,
        "manifest_path": "/src/my-derive/Cargo.toml",
        "targets": [{"kind": ["proc-macro"], "name": "my-derive", "src_path": "/src/my-derive/src/lib.rs"},
                    {"kind": ["custom-build"], "name": "build-script-build", "src_path": "/src/my-derive/build.rs"}],
        "dependencies": [
          {"name": "syn", "req": "^1.0", "kind": null, "rename": null, "optional": false,
           "uses_default_features": false, "features": ["full"], "target": null},
          {"name": "quote", "req": "^1", "kind": null, "rename": "q", "optional": true,
           "uses_default_features": true, "features": [], "target": "cfg(unix)"},
          {"name": "trybuild", "req": "^1", "kind": "dev", "rename": null, "optional": false,
           "uses_default_features": true, "features": [], "target": null}],
        "features": {
    "default" : ["q"], "q" : ["dep:q"]
}
}]
})json";
    build::Manifest m = build::parse_metadata(metadata, "/src/my-derive/Cargo.toml");
    EXPECT_TRUE(m.proc_macro);
    EXPECT_EQ(m.lib_name, "my_derive");
    EXPECT_EQ(m.lib_path, "src/lib.rs");
    EXPECT_EQ(m.build_script, "build.rs");
    std::string toml = build::build_crate_manifest(m, {{"syn", "wasmacro-patched/syn-1.0.107"}});
    for (const char* part :
         {"name = \"my-derive\"\nversion = \"1.2.3\"\nedition = \"2018\"", "build = \"build.rs\"",
          "crate-type = [\"cdylib\"]\npath = \"src/lib.rs\"",
          "[dependencies.\"syn\"]\nversion = \"^1.0\"\ndefault-features = false\nfeatures = "
          "[\"full\"]",
          "[target.\"cfg(unix)\".dependencies.\"q\"]\npackage = \"quote\"\nversion = "
          "\"^1\"\noptional "
          "= true",
          "\"default\" = [\"q\"]", "proc-macro2 = { path = \"wasmacro-guest\" }",
          "\"syn\" = { path = \"wasmacro-patched/syn-1.0.107\" }", "panic = \"abort\""})
        EXPECT_NE(toml.find(part), std::string::npos) << part << "\nin\n" << toml;
    EXPECT_EQ(toml.find("trybuild"), std::string::npos);
    EXPECT_THROW(build::parse_metadata(metadata, "/elsewhere/Cargo.toml"), BuildError);
}

TEST(TomlString, EscapesQuotesBackslashesAndControls) {
    EXPECT_EQ(build::toml_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000A\"");
}

} // namespace
