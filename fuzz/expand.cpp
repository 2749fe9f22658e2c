// libFuzzer target for pre-expand mode: any source goes through the invocation
// finder (as a crate root, with the demo derive registered as crates `Demo`
// and `d`, so that paths, uses and derives resolve) and through the cfg
// evaluator (every group's contents as a predicate). expand_crate must never
// throw; eval_cfg may only throw ExpandError; whatever expands must print
// text that lexes again, and no expanded file may lose lines it did not
// expand.
//
// The first byte picks the edition.
#include "expand/expand.hpp"
#include "expand/cfg.hpp"
#include "macros/library.hpp"
#include "tokens/tokenize.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace wasmacro;

namespace {

[[noreturn]] void fail(const char* what, const std::string& text) {
    std::fprintf(stderr, "expand fuzzer: %s for source:\n%s\n", what, text.c_str());
    std::abort();
}

macros::Registry& registry() {
    static macros::Registry r = [] {
        macros::Registry reg;
        std::ifstream in(WASMACRO_FIXTURES_DIR "/demo.wasm", std::ios::binary);
        std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
        reg.add("Demo", macros::Library::load(bytes, "demo.wasm"));
        reg.add("d", macros::Library::load(bytes, "demo.wasm"));
        return reg;
    }();
    return r;
}

const std::filesystem::path& root_dir() {
    static std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() /
                 ("wasmacro_fuzz_expand_" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    auto edition = static_cast<tokens::Edition>(data[0] % 4);
    std::string text(reinterpret_cast<const char*>(data + 1), size - 1);

    // The cfg evaluator on every group of what lexes.
    tokens::LexOptions lex;
    lex.edition = edition;
    tokens::LexResult r = tokens::tokenize(tokens::SourceFile::from_bytes("fuzz.rs", text), lex);
    expand::CfgSet cfg = expand::CfgSet::host();
    for (std::size_t i = 0; i < r.stream.size(); ++i) {
        if (!r.stream[i].is_group()) continue;
        try {
            expand::eval_cfg(r.stream, i + 1, r.stream[i].end, cfg, tokens::Span{});
        } catch (const expand::ExpandError&) {}
    }

    // The finder and expansion loop. Module files are looked up beside the
    // root; the directory holds nothing else, so `mod m;` is a missing file.
    std::filesystem::path root = root_dir() / "main.rs";
    std::ofstream(root, std::ios::binary | std::ios::trunc) << text;
    expand::Options options;
    options.edition = edition;
    options.max_depth = 8;
    expand::CrateExpansion out;
    try {
        out = expand::expand_crate(root.string(), registry(), options);
    } catch (const std::exception& e) {
        fail(e.what(), text);
    }
    if (!out.ok() || out.files.empty()) return 0;
    const expand::OutputFile& f = out.files[0];
    if (!f.changed) {
        if (f.bytes != text) fail("an unchanged file was not copied byte for byte", text);
        return 0;
    }
    tokens::LexResult again =
        tokens::tokenize(tokens::SourceFile::from_bytes("out.rs", f.bytes), lex);
    if (!again.ok()) fail("the expanded file does not lex", text + "\n--- expanded:\n" + f.bytes);
    return 0;
}
