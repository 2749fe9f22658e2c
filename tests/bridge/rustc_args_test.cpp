#include "bridge/rustc_args.hpp"

#include "common/error.hpp"

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;
using namespace wasmacro::bridge;
using Args = std::vector<std::string>;

TEST(RustcArgs, FindsWasmMacrosInBothForms) {
    Args args{"main.rs",
              "--wasm-proc-macro",
              "demo=a/demo.wasm",
              "--extern",
              "serde=libserde.rlib",
              "--extern=s=x.wasm",
              "--wasm-proc-macro=t=t.wasm"};
    std::vector<WasmMacroArg> found = find_wasm_macros(args);
    ASSERT_EQ(found.size(), 3u);
    EXPECT_EQ(found[0].index, 2u);
    EXPECT_TRUE(found[0].separate);
    EXPECT_EQ(found[0].name, "demo");
    EXPECT_EQ(found[0].path, "a/demo.wasm");
    EXPECT_EQ(found[1].index, 5u);
    EXPECT_FALSE(found[1].separate);
    EXPECT_EQ(found[1].name, "s");
    EXPECT_EQ(found[2].path, "t.wasm");
}

TEST(RustcArgs, RefusesMalformedWasmMacros) {
    EXPECT_THROW(find_wasm_macros({"--wasm-proc-macro"}), wasmacro::Error);
    EXPECT_THROW(find_wasm_macros({"--wasm-proc-macro", "demo"}), wasmacro::Error);
    EXPECT_THROW(find_wasm_macros({"--wasm-proc-macro", "=x.wasm"}), wasmacro::Error);
    EXPECT_THROW(find_wasm_macros({"--wasm-proc-macro", "demo="}), wasmacro::Error);
    try {
        find_wasm_macros({"--extern", "no-dash=x.wasm"});
        FAIL() << "a crate name with a dash was taken";
    } catch (const wasmacro::Error& e) {
        EXPECT_STREQ(e.what(), "--extern: `no-dash` is not a valid crate name");
    }
    // rustc's own --extern forms are not ours to judge.
    EXPECT_TRUE(find_wasm_macros({"--extern", "serde"}).empty());
    EXPECT_TRUE(find_wasm_macros({"--extern"}).empty());
}

TEST(RustcArgs, UseMacroCratesKeepsTheFormWritten) {
    Args args{"main.rs", "--wasm-proc-macro", "demo=demo.wasm", "--extern=s=s.wasm", "-O"};
    std::vector<WasmMacroArg> wasm = find_wasm_macros(args);
    use_macro_crates(args, wasm, {"/cache/demo-1/libdemo.so", "/cache/s-2/libs.so"});
    EXPECT_EQ(args, (Args{"main.rs", "--extern", "demo=/cache/demo-1/libdemo.so",
                          "--extern=s=/cache/s-2/libs.so", "-O", "-L", "dependency=/cache/demo-1",
                          "-L", "dependency=/cache/s-2"}));
}

TEST(RustcArgs, FlagValues) {
    Args args{"-C",   "opt-level=3", "-Cdebuginfo=0", "--cfg=a", "--edition",
              "2021", "-o",          "--cfg",         "--cfg",   "b"};
    EXPECT_EQ(flag_values(args, "-C"), (Args{"opt-level=3", "debuginfo=0"}));
    // `-o --cfg`: the value of -o is not a flag.
    EXPECT_EQ(flag_values(args, "--cfg"), (Args{"a", "b"}));
    EXPECT_EQ(flag_values(args, "--edition"), (Args{"2021"}));
    EXPECT_TRUE(takes_value("--remap-path-prefix"));
    EXPECT_FALSE(takes_value("--test"));
}

TEST(RustcArgs, SplitForPreExpand) {
    PreExpandArgs p =
        split_wasm_macros({"--edition", "2021", "src/main.rs", "--wasm-proc-macro", "d=d.wasm",
                           "--extern", "serde=libserde.rlib", "--extern=e=e.wasm", "-o", "out.rs"});
    EXPECT_EQ(p.args, (Args{"--edition", "2021", "src/main.rs", "--extern", "serde=libserde.rlib",
                            "-o", "out.rs"}));
    EXPECT_EQ(p.macros, (Args{"d=d.wasm", "e=e.wasm"}));
    ASSERT_TRUE(p.root_index.has_value());
    EXPECT_EQ(*p.root_index, 2u); // `out.rs` is -o's value, not the root
}

TEST(RustcArgs, WhereOutputsGo) {
    EXPECT_EQ(output_dir({"--out-dir", "target/deps", "-o", "x/y"}), fs::path("target/deps"));
    EXPECT_EQ(output_dir({"-o", "x/y"}), fs::path("x"));
    EXPECT_EQ(output_dir({"-o", "y"}), fs::path("."));
    EXPECT_EQ(output_dir({}), fs::path("."));
    EXPECT_EQ(crate_name({}, "src/my-app.rs"), "my_app");
    EXPECT_EQ(crate_name({"--crate-name", "app"}, "src/main.rs"), "app");
    EXPECT_EQ(extra_filename({"-C", "extra-filename=-abc", "-C", "opt-level=0"}), "-abc");
    EXPECT_EQ(extra_filename({}), "");
}

TEST(RustcArgs, CargoDepInfo) {
    Args cargo{"--crate-name", "app",   "--emit=dep-info,link", "-C", "extra-filename=-abc",
               "--out-dir",    "t/deps"};
    EXPECT_EQ(cargo_dep_info(cargo), fs::path("t/deps/app-abc.d"));
    EXPECT_FALSE(cargo_dep_info({"--crate-name", "app", "--emit=link", "--out-dir", "t"}));
    EXPECT_FALSE(cargo_dep_info({"--emit=dep-info", "--out-dir", "t"}));
    // A dep-info path of its own is not Cargo's form.
    EXPECT_FALSE(cargo_dep_info({"--crate-name", "app", "--emit=dep-info=x.d", "--out-dir", "t"}));
}

TEST(RustcArgs, DepInfoPath) {
    EXPECT_EQ(dep_info_path({"--emit=dep-info,link", "-o", "out/app"}, "src/main.rs"),
              fs::path("out/main.d"));
    EXPECT_EQ(dep_info_path({"--emit", "link,dep-info=deps/x.d,metadata"}, "main.rs"),
              fs::path("deps/x.d"));
    EXPECT_FALSE(dep_info_path({"--emit=link"}, "main.rs"));
}

} // namespace
