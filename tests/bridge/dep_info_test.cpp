#include "bridge/dep_info.hpp"

#include "common/file.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using namespace wasmacro::bridge;

// What rustc writes for Cargo's `--emit=dep-info,metadata,link`.
constexpr const char* kCargoDepInfo = "/t/deps/app-abc.d: src/main.rs src/m.rs\n"
                                      "\n"
                                      "/t/deps/libapp-abc.rmeta: src/main.rs src/m.rs\n"
                                      "\n"
                                      "src/main.rs:\n"
                                      "src/m.rs:\n";

TEST(DepInfo, EscapesSpacesAsMakeReadsThem) {
    EXPECT_EQ(make_escaped("/a b/c d.wasm"), "/a\\ b/c\\ d.wasm");
    EXPECT_EQ(make_escaped("/plain"), "/plain");
}

TEST(DepInfo, FirstRuleGetsTheModules) {
    std::string out =
        add_prerequisites(kCargoDepInfo, {"/m/demo.wasm", "/my macros/x.wasm"}, DepRules::First);
    EXPECT_EQ(out, "/t/deps/app-abc.d: src/main.rs src/m.rs /m/demo.wasm /my\\ macros/x.wasm\n"
                   "\n"
                   "/t/deps/libapp-abc.rmeta: src/main.rs src/m.rs\n"
                   "\n"
                   "src/main.rs:\n"
                   "src/m.rs:\n"
                   "\n/m/demo.wasm:\n"
                   "\n/my\\ macros/x.wasm:\n");
    // Text that does not start with a rule is left alone.
    EXPECT_EQ(add_prerequisites("garbage\nx: y\n", {"/m/demo.wasm"}, DepRules::First),
              "garbage\nx: y\n");
}

TEST(DepInfo, EveryOutputGetsTheModules) {
    std::string out =
        add_prerequisites(kCargoDepInfo, {"/m/demo.wasm"}, DepRules::WithPrerequisites);
    EXPECT_EQ(out, "/t/deps/app-abc.d: src/main.rs src/m.rs /m/demo.wasm\n"
                   "\n"
                   "/t/deps/libapp-abc.rmeta: src/main.rs src/m.rs /m/demo.wasm\n"
                   "\n"
                   "src/main.rs:\n"
                   "src/m.rs:\n"
                   "\n/m/demo.wasm:\n");
}

TEST(DepInfo, RelativeModulePathsBecomeAbsolute) {
    std::string out = add_prerequisites("a.d: a.rs\n", {"m/../demo.wasm"}, DepRules::First);
    std::string absolute = (fs::current_path() / "demo.wasm").string();
    EXPECT_EQ(out, "a.d: a.rs " + absolute + "\n\n" + absolute + ":\n");
}

TEST(DepInfo, MovePaths) {
    std::string text = "/o/x.d: /tmp/exp\\ dir/main.rs /tmp/exp\\ dir/m.rs /elsewhere.rs\n"
                       "/tmp/exp\\ dir/main.rs:\n";
    EXPECT_EQ(move_paths(text, "/tmp/exp dir", "/src/my crate"),
              "/o/x.d: /src/my\\ crate/main.rs /src/my\\ crate/m.rs /elsewhere.rs\n"
              "/src/my\\ crate/main.rs:\n");
}

TEST(DepInfo, EditsTheFileInPlace) {
    fs::path file = fs::temp_directory_path() / ("wasmacro-dep-info-" + std::to_string(getpid()));
    edit_dep_info(file, [](std::string) -> std::string {
        ADD_FAILURE() << "no file to edit";
        return {};
    });
    EXPECT_FALSE(fs::exists(file));
    wasmacro::write_file(file.string(), "a.d: a.rs\n");
    edit_dep_info(file, [](std::string text) { return text + "b.rs:\n"; });
    auto bytes = wasmacro::read_file_bytes(file.string());
    EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "a.d: a.rs\nb.rs:\n");
    fs::remove(file);
}

} // namespace
