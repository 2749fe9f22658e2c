// The translator's output for small functions, as golden text: each module
// in translator/ is translated export by export and disassembled, and must
// give its .slot file exactly. After a deliberate change to the translator,
// `wasmacro run --dump-code MODULE.wasm > MODULE.slot` writes the new text,
// which the change's review then reads line by line.
#include "wasm/engine.hpp"
#include "wasm/module.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

using namespace wasmacro::wasm;

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Every exported function's slot code, as `run --dump-code` prints it.
std::string translation_of(const std::string& wasm_path) {
    std::string bytes = read_text(wasm_path);
    auto module = load_module({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
    Store store;
    Instance& instance =
        store.instantiate(module, [&](const Import& import) -> std::optional<Extern> {
            std::string name = fmt::format("\"{}\" \"{}\"", import.module, import.name);
            return store.create_host_function(
                module->types.at(import.func_type), [](HostCall&) {}, name);
        });
    return disassemble_exports(instance);
}

TEST(TranslatorGolden, Fusions) {
    EXPECT_EQ(translation_of(WASMACRO_TRANSLATOR_WASM_DIR "/fusions.wasm"),
              read_text(WASMACRO_TRANSLATOR_SOURCE_DIR "/fusions.slot"));
}

} // namespace
