// Unit tests of src/cargo: reading `cargo metadata`, choosing wasm builds,
// the shims' files and Cargo's command line. `wasmacro cargo` with the real
// Cargo is run.sh.
#include "cargo/built.hpp"
#include "cargo/invocation.hpp"
#include "cargo/metadata.hpp"
#include "cargo/shim.hpp"
#include "cargo/sources.hpp"
#include "common/error.hpp"
#include "common/file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace {

using namespace wasmacro;
namespace fs = std::filesystem;
using Args = std::vector<std::string>;

constexpr const char* kCratesIo = "registry+https://github.com/rust-lang/crates.io-index";

// The shape of `cargo metadata --format-version 1` (Cargo 1.95) for a
// workspace with one member: packages as Cargo lists them (fields we do not
// read left out), and a resolve without `legacy-macros`, which Cargo lists
// but did not resolve into the graph.
const char* kMetadata = R"({
  "packages": [
    {"name": "thiserror-impl", "version": "1.0.38",
     "id": "registry+https://github.com/rust-lang/crates.io-index#thiserror-impl@1.0.38",
     "source": "registry+https://github.com/rust-lang/crates.io-index",
     "features": {}, "edition": "2018",
     "manifest_path": "/usr/share/cargo/registry/thiserror-impl-1.0.38/Cargo.toml",
     "metadata": {"wasmacro": {"macros": {"ignored": "a dependency's table"}}},
     "targets": [{"name": "thiserror_impl", "kind": ["proc-macro"]}]},
    {"name": "serde", "version": "1.0.152",
     "id": "registry+https://github.com/rust-lang/crates.io-index#serde@1.0.152",
     "source": "registry+https://github.com/rust-lang/crates.io-index",
     "features": {"std": [], "derive": ["serde_derive"], "serde_derive": ["dep:serde_derive"]},
     "edition": "2015", "manifest_path": "/usr/share/cargo/registry/serde-1.0.152/Cargo.toml",
     "metadata": null,
     "targets": [{"name": "serde", "kind": ["lib"]},
                 {"name": "build-script-build", "kind": ["custom-build"]}]},
    {"name": "serde_derive", "version": "1.0.152",
     "id": "registry+https://github.com/rust-lang/crates.io-index#serde_derive@1.0.152",
     "source": "registry+https://github.com/rust-lang/crates.io-index",
     "features": {"default": [], "deserialize_in_place": []}, "edition": "2015",
     "manifest_path": "/usr/share/cargo/registry/serde_derive-1.0.152/Cargo.toml",
     "metadata": null, "targets": [{"name": "serde_derive", "kind": ["proc-macro"]}]},
    {"name": "legacy-macros", "version": "0.1.0",
     "id": "registry+https://github.com/rust-lang/crates.io-index#legacy-macros@0.1.0",
     "source": "registry+https://github.com/rust-lang/crates.io-index",
     "features": {}, "edition": "2015", "manifest_path": "/r/legacy-macros-0.1.0/Cargo.toml",
     "metadata": null, "targets": [{"name": "legacy_macros", "kind": ["proc-macro"]}]},
    {"name": "local-derive", "version": "0.2.0", "id": "path+file:///ws/local-derive#0.2.0",
     "source": null, "features": {}, "edition": "2021",
     "manifest_path": "/ws/local-derive/Cargo.toml", "metadata": null,
     "targets": [{"name": "local-derive", "kind": ["proc-macro"]}]},
    {"name": "app", "version": "0.1.0", "id": "path+file:///ws/app#0.1.0", "source": null,
     "features": {}, "edition": "2021", "manifest_path": "/ws/app/Cargo.toml",
     "metadata": {"wasmacro": {"macros": {"serde_derive": "../wasm/serde.wasm"}}},
     "targets": [{"name": "app", "kind": ["bin"]}]}
  ],
  "workspace_members": ["path+file:///ws/app#0.1.0", "path+file:///ws/local-derive#0.2.0"],
  "resolve": {"nodes": [
    {"id": "registry+https://github.com/rust-lang/crates.io-index#thiserror-impl@1.0.38"},
    {"id": "registry+https://github.com/rust-lang/crates.io-index#serde@1.0.152",
     "dependencies": ["registry+https://github.com/rust-lang/crates.io-index#serde_derive@1.0.152"]},
    {"id": "registry+https://github.com/rust-lang/crates.io-index#serde_derive@1.0.152",
     "features": ["deserialize_in_place", "default"]},
    {"id": "path+file:///ws/local-derive#0.2.0"},
    {"id": "path+file:///ws/app#0.1.0",
     "dependencies": ["registry+https://github.com/rust-lang/crates.io-index#serde@1.0.152",
                      "registry+https://github.com/rust-lang/crates.io-index#thiserror-impl@1.0.38"]}],
   "root": null},
  "workspace_root": "/ws",
  "metadata": {"wasmacro": {"macros": {"thiserror-impl": "wasm/thiserror.wasm",
                                       "serde_derive": "/abs/serde_derive.wasm"}}}
})";

TEST(Metadata, ProcMacroPackagesOfTheResolveAndTheTablesOfTheWorkspace) {
    cargo::Workspace ws = cargo::parse_metadata(kMetadata);
    EXPECT_EQ(ws.root, "/ws");
    ASSERT_EQ(ws.macros.size(), 3u);
    EXPECT_EQ(ws.macros[0].name, "local-derive");
    EXPECT_EQ(ws.macros[0].lib_name, "local_derive");
    EXPECT_EQ(ws.macros[0].source, "");
    EXPECT_EQ(ws.macros[1].name, "serde_derive");
    EXPECT_EQ(ws.macros[1].features, (Args{"default", "deserialize_in_place"}));
    EXPECT_EQ(ws.macros[1].edition, "2015");
    EXPECT_EQ(ws.macros[1].enabled, (Args{"default", "deserialize_in_place"}));
    EXPECT_EQ(ws.macros[1].dir, "/usr/share/cargo/registry/serde_derive-1.0.152");
    EXPECT_TRUE(ws.macros[2].enabled.empty());
    EXPECT_EQ(ws.macros[2].name, "thiserror-impl");
    EXPECT_EQ(ws.macros[2].version, "1.0.38");
    EXPECT_EQ(ws.macros[2].source, kCratesIo);
    EXPECT_EQ(ws.macros[2].lib_name, "thiserror_impl");
    EXPECT_EQ(ws.macros[2].id, kCratesIo + std::string("#thiserror-impl@1.0.38"));
    EXPECT_EQ(ws.members,
              (Args{"path+file:///ws/app#0.1.0", "path+file:///ws/local-derive#0.2.0"}));
    EXPECT_EQ(ws.dependencies.at("path+file:///ws/app#0.1.0"),
              (Args{kCratesIo + std::string("#serde@1.0.152"),
                    kCratesIo + std::string("#thiserror-impl@1.0.38")}));
    EXPECT_TRUE(ws.dependencies.at("path+file:///ws/local-derive#0.2.0").empty());
    // The workspace's table first, then the members'; a dependency's is not
    // the user's. Relative paths are their Cargo.toml's.
    ASSERT_EQ(ws.mapped.size(), 3u);
    EXPECT_EQ(ws.mapped[0].crate, "serde_derive");
    EXPECT_EQ(ws.mapped[0].wasm, "/abs/serde_derive.wasm");
    EXPECT_EQ(ws.mapped[1].crate, "thiserror-impl");
    EXPECT_EQ(ws.mapped[1].wasm, "/ws/wasm/thiserror.wasm");
    EXPECT_EQ(ws.mapped[1].table, "workspace.metadata.wasmacro.macros");
    EXPECT_EQ(ws.mapped[2].wasm, "/ws/wasm/serde.wasm");
    EXPECT_EQ(ws.mapped[2].manifest, "/ws/app/Cargo.toml");
    EXPECT_EQ(ws.mapped[2].table, "package.metadata.wasmacro.macros");
}

TEST(Metadata, AMalformedTableIsAnErrorNamingTheEntry) {
    std::string json = kMetadata;
    json.replace(json.find("\"wasm/thiserror.wasm\""), 21, "3");
    try {
        cargo::parse_metadata(json);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(),
                     "/ws/Cargo.toml: `workspace.metadata.wasmacro.macros.thiserror-impl` "
                     "is not a path to a .wasm file");
    }
    EXPECT_THROW(cargo::parse_metadata("{\"packages\": 1"), Error);
    EXPECT_THROW(cargo::parse_metadata("{\"packages\": []}"), Error);
}

TEST(Metadata, TheCommandKeepsWhatChangesTheGraph) {
    EXPECT_EQ(cargo::metadata_command("cargo", {"+nightly", "build", "--release", "-p", "app",
                                                "--features", "a b", "--no-default-features",
                                                "--manifest-path=x/Cargo.toml", "--offline",
                                                "--config", "k=1", "--", "--all-features"}),
              (Args{"cargo", "+nightly", "metadata", "--format-version", "1", "--features", "a b",
                    "--no-default-features", "--manifest-path=x/Cargo.toml", "--offline",
                    "--config", "k=1"}));
    EXPECT_EQ(cargo::metadata_command("/c", {}), (Args{"/c", "metadata", "--format-version", "1"}));
}

TEST(Invocation, ConfigGoesRightAfterTheSubcommand) {
    Args config{"--config", "a=1"};
    EXPECT_EQ(cargo::cargo_command("cargo", {"build", "--release"}, config),
              (Args{"cargo", "build", "--config", "a=1", "--release"}));
    // clippy is an external subcommand: Cargo hands it only what follows.
    EXPECT_EQ(
        cargo::cargo_command(
            "cargo", {"+beta", "--color", "never", "-v", "clippy", "--", "-D", "warnings"}, config),
        (Args{"cargo", "+beta", "--color", "never", "-v", "clippy", "--config", "a=1", "--", "-D",
              "warnings"}));
    EXPECT_EQ(cargo::cargo_command("cargo", {"--version"}, config),
              (Args{"cargo", "--version", "--config", "a=1"}));
    // The lock file gets the patches: --locked is metadata's check alone.
    EXPECT_EQ(
        cargo::cargo_command("cargo", {"build", "--locked", "--frozen", "--", "--locked"}, config),
        (Args{"cargo", "build", "--config", "a=1", "--offline", "--", "--locked"}));
    EXPECT_EQ(cargo::cargo_command("cargo", {"build", "--locked"}, {}),
              (Args{"cargo", "build", "--locked"}));
    EXPECT_EQ(cargo::metadata_command("cargo", {"build", "--locked", "--frozen"}),
              (Args{"cargo", "metadata", "--format-version", "1", "--locked", "--frozen"}));
}

TEST(Invocation, TheLockfileIsPutBack) {
    fs::path dir = fs::temp_directory_path() / ("wasmacro-cargo-test-" + std::to_string(getpid()));
    fs::create_directories(dir);
    write_file((dir / "Cargo.lock").string(), "version = 3\n");
    {
        cargo::LockfileGuard guard(dir / "Cargo.lock");
        write_file((dir / "Cargo.lock").string(), "version = 3\n# patched\n");
    }
    EXPECT_EQ(read_file_bytes((dir / "Cargo.lock").string()),
              (std::vector<uint8_t>{'v', 'e', 'r', 's', 'i', 'o', 'n', ' ', '=', ' ', '3', '\n'}));
    fs::remove_all(dir);
}

TEST(Sources, PatchTables) {
    EXPECT_EQ(cargo::patch_table(kCratesIo), "crates-io");
    EXPECT_EQ(cargo::patch_table("sparse+https://index.crates.io/"), "crates-io");
    EXPECT_EQ(cargo::patch_table("sparse+https://my.registry/index/"),
              "https://my.registry/index/");
    EXPECT_EQ(cargo::patch_table(""), "");
    EXPECT_EQ(cargo::patch_table("git+https://example.org/x#abc"), "");
}

TEST(Sources, TablesFirstThenTheMacroDirectory) {
    fs::path dir =
        fs::temp_directory_path() / ("wasmacro-sources-test-" + std::to_string(getpid()));
    fs::create_directories(dir / "macros");
    write_file((dir / "macros" / "serde_derive-1.0.152.wasm").string(), "x");
    write_file((dir / "macros" / "thiserror-impl-1.0.38.wasm").string(), "x");
    write_file((dir / "t.wasm").string(), "x");
    cargo::Workspace ws = cargo::parse_metadata(kMetadata);
    ws.mapped = {
        {"thiserror_impl", dir / "t.wasm", "/ws/Cargo.toml", "workspace.metadata.wasmacro.macros"}};
    std::vector<cargo::MacroChoice> c = cargo::choose_wasm_builds(ws, dir / "macros");
    ASSERT_EQ(c.size(), 3u);
    EXPECT_FALSE(c[0].wasm);
    EXPECT_EQ(c[0].origin, "none: a path package, which Cargo builds from its sources");
    EXPECT_EQ(c[1].wasm, dir / "macros" / "serde_derive-1.0.152.wasm");
    EXPECT_EQ(c[1].origin, "the macro directory");
    // By its lib name too; the table wins over the directory.
    EXPECT_EQ(c[2].wasm, dir / "t.wasm");
    EXPECT_EQ(c[2].origin, "workspace.metadata.wasmacro.macros in /ws/Cargo.toml");

    c = cargo::choose_wasm_builds(ws, dir / "elsewhere");
    EXPECT_EQ(c[1].origin,
              "none: not in a wasmacro.macros table, and no serde_derive-1.0.152.wasm in " +
                  (dir / "elsewhere").string());
    ws.mapped[0].wasm = dir / "missing.wasm";
    EXPECT_THROW(cargo::choose_wasm_builds(ws, {}), Error);
    fs::remove_all(dir);
}

// clap's graph: app -> clap -> clap_derive -> proc-macro-error ->
// proc-macro-error-attr, and `shared`, a macro crate that both app and
// clap_derive use.
TEST(Sources, AMacroOnlyMacrosFromWasmReachAreUnused) {
    cargo::Workspace ws;
    ws.members = {"app"};
    ws.dependencies = {{"app", {"clap", "shared"}},
                       {"clap", {"clap_derive"}},
                       {"clap_derive", {"proc-macro-error", "shared"}},
                       {"proc-macro-error", {"proc-macro-error-attr"}},
                       {"proc-macro-error-attr", {}},
                       {"shared", {}}};
    auto choice = [](const std::string& name) {
        cargo::MacroChoice c;
        c.package.name = c.package.id = name;
        c.package.source = kCratesIo;
        return c;
    };
    std::vector<cargo::MacroChoice> c = {choice("clap_derive"), choice("proc-macro-error-attr"),
                                         choice("shared")};
    // clap_derive has no wasm build: Cargo builds it, and what it uses.
    EXPECT_FALSE(cargo::mark_unused(c, ws, false));
    EXPECT_FALSE(c[0].unused || c[1].unused || c[2].unused);
    c[0].wasm = "/m/clap_derive.wasm";
    cargo::mark_unused(c, ws, false);
    EXPECT_FALSE(c[0].unused);
    EXPECT_TRUE(c[1].unused);
    EXPECT_EQ(c[1].origin, "not built: only proc-macro crates that come from wasm use it");
    EXPECT_FALSE(c[2].unused); // app uses it too
    // Builds --build-macros would try count as wasm until one fails.
    c[0].wasm.reset();
    cargo::mark_unused(c, ws, true);
    EXPECT_TRUE(c[1].unused);
    c[0].build_failure = "no wasm std";
    EXPECT_TRUE(cargo::mark_unused(c, ws, true));
    EXPECT_FALSE(c[1].unused);
    // Without a resolve, nothing is left out.
    c[0].wasm = "/m/clap_derive.wasm";
    cargo::mark_unused(c, cargo::Workspace{}, false);
    EXPECT_FALSE(c[1].unused);
}

// A module built by --build-macros is another file whenever what it was
// built from differs: the package, its features, the toolchain, wasmacro.
TEST(Built, TheKeyCoversWhatTheModuleIsBuiltFrom) {
    cargo::ProcMacroPackage p;
    p.name = "serde_derive";
    p.version = "1.0.152";
    p.enabled = {"default"};
    const std::string key = cargo::built_macro_key(p, "rustc 1.63.0", "0.1.0");
    EXPECT_EQ(key.size(), 64u);
    EXPECT_EQ(key, cargo::built_macro_key(p, "rustc 1.63.0", "0.1.0"));
    EXPECT_NE(key, cargo::built_macro_key(p, "rustc 1.64.0", "0.1.0"));
    EXPECT_NE(key, cargo::built_macro_key(p, "rustc 1.63.0", "0.1.1"));
    cargo::ProcMacroPackage other = p;
    other.enabled = {"default", "deserialize_in_place"};
    EXPECT_NE(key, cargo::built_macro_key(other, "rustc 1.63.0", "0.1.0"));
    other = p;
    other.version = "1.0.153";
    EXPECT_NE(key, cargo::built_macro_key(other, "rustc 1.63.0", "0.1.0"));
    // Parts cannot trade bytes: "a" + "bc" is not "ab" + "c".
    other = p;
    other.name = "serde_derive1";
    other.version = ".0.152";
    EXPECT_NE(key, cargo::built_macro_key(other, "rustc 1.63.0", "0.1.0"));
    EXPECT_EQ(cargo::built_macro_path("/c/macros", p, key),
              fs::path("/c/macros/serde_derive-1.0.152-" + key.substr(0, 16) + ".wasm"));
}

TEST(Shim, ManifestAndConfig) {
    cargo::Workspace ws = cargo::parse_metadata(kMetadata);
    const cargo::ProcMacroPackage& serde = ws.macros[1];
    EXPECT_EQ(
        cargo::shim_manifest(serde, "wasmacro-shim-serde_derive-1_0_152"),
        R"(# Generated by wasmacro: serde_derive 1.0.152, its macros run from its wasm build. Do not edit.
[package]
name = "serde_derive"
version = "1.0.152"
edition = "2015"
links = "wasmacro-shim-serde_derive-1_0_152"
build = "build.rs"
publish = false

[lib]
name = "serde_derive"
path = "src/lib.rs"
proc-macro = true

# The features of serde_derive 1.0.152, so that every dependent's still exist; the wasm
# build was made with its own.
[features]
"default" = []
"deserialize_in_place" = []

[workspace]
)");
    cargo::Shim shim{serde, "/cache/shim-serde_derive-1.0.152-k", "wasmacro-shim-x"};
    EXPECT_EQ(
        cargo::shim_config({shim}, "x86_64-unknown-linux-gnu",
                           cargo::shim_link_search("/cache/bridge-b", "/lib dir")),
        (Args{
            "--config",
            R"(patch."crates-io"."serde_derive@1.0.152".path="/cache/shim-serde_derive-1.0.152-k")",
            "--config", R"(patch."crates-io"."serde_derive@1.0.152".package="serde_derive")",
            "--config",
            R"(target."x86_64-unknown-linux-gnu"."wasmacro-shim-x".rustc-link-search=["crate=/cache/bridge-b", "native=/lib dir"])"}));
}

TEST(Shim, TheLibForwardsToTheBridgeAndDocumentsWithoutIt) {
    cargo::Workspace ws = cargo::parse_metadata(kMetadata);
    std::string lib = cargo::shim_lib(macros::parse_decls("derive:Error:derive_error:error,from\n"),
                                      ws.macros[2]);
    EXPECT_EQ(lib.rfind("#![allow(warnings, clippy::all)]\n", 0), 0u);
    EXPECT_NE(
        lib.find(
            "#[cfg(not(doc))]\nextern crate wasmacro_bridge;\n#[cfg(doc)]\nmod wasmacro_bridge {"),
        std::string::npos);
    EXPECT_NE(lib.find("#[proc_macro_derive(Error, attributes(error, from))]"), std::string::npos);
    EXPECT_NE(lib.find("include_bytes!(\"macro.wasm\"), \"thiserror_impl\")"), std::string::npos);
}

} // namespace
