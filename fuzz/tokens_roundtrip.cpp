// libFuzzer target for the token layer: any bytes go through the lexer, which
// must never crash or throw; whatever lexes without errors must print (plain
// and readable layout) to text that lexes back to the same trees, and each
// string literal's value must come out (string_literal_value, which reads
// the compile_error! messages of macros) without a crash.
//
// The first byte picks the edition, so every edition's rules are exercised.
#include "tokens/dump.hpp"
#include "tokens/lexer.hpp"
#include "tokens/printer.hpp"
#include "tokens/tokenize.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace wasmacro::tokens;

namespace {

[[noreturn]] void fail(const char* what, const std::string& text) {
    std::fprintf(stderr, "round trip failed (%s) for printed text:\n%s\n", what, text.c_str());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    auto edition = static_cast<Edition>(data[0] % 4);
    std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    SourceFile file = SourceFile::from_bytes("fuzz.rs", std::move(text));
    LexOptions opts;
    opts.edition = edition;
    LexResult r = tokenize(file, opts);
    for (const Diagnostic& d : r.errors)
        if (d.line == 0 || d.col == 0 || d.offset > file.text->size()) std::abort();
    // The dump indents by depth, so unclosed groups make it quadratic; keep to small inputs.
    if (size < 16 * 1024) (void)dump_text(r.stream);
    if (!r.ok()) return 0;
    for (const Tree& t : r.stream.nodes())
        if (t.kind == TreeKind::Literal &&
            (t.text().starts_with('"') || t.text().starts_with("r\"") ||
             t.text().starts_with("r#")))
            (void)string_literal_value(t.text());
    // A doc comment holding `"` and 255 `#` becomes, as in rustc, a raw
    // string with 255 `#` that cannot lex back: no round trip to check.
    if (file.text->find('"' + std::string(kMaxRawStringHashes, '#')) != std::string::npos) return 0;

    std::string plain = to_string(r.stream);
    auto again = parse_text(plain, edition, Span{});
    if (!again) fail("plain text does not lex", plain);
    if (!same_trees(r.stream, *again)) fail("plain text gives other trees", plain);

    std::string pretty = to_pretty_string(r.stream);
    again = parse_text(pretty, edition, Span{});
    if (!again) fail("readable layout does not lex", pretty);
    if (!same_trees(r.stream, *again)) fail("readable layout gives other trees", pretty);
    return 0;
}
