// From source text to token trees: runs the raw lexer, builds groups, desugars
// doc comments, computes spans, and turns the lexer's flags into errors.
#pragma once

#include "common/error.hpp"
#include "tokens/lexer.hpp"
#include "tokens/token.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wasmacro::tokens {

/// One file's text as rustc sees it: without a byte-order mark, with CRLF turned
/// into LF (rustc normalises both before lexing, so proc macros never see them).
struct SourceFile {
    std::string name;
    std::shared_ptr<const std::string> text;
    uint32_t id = 1;

    /// `raw` is the file's bytes as stored.
    static SourceFile from_bytes(std::string name, std::string raw, uint32_t id = 1);
    /// Reads a file; throws IoError if it cannot be read.
    static SourceFile load(const std::string& path, uint32_t id = 1);
};

struct Diagnostic {
    uint32_t offset = 0; // byte offset in the source text
    uint32_t line = 0, col = 0;
    std::string message;
    /// Sorted after the other errors (an unclosed delimiter is only known at the
    /// end, and what caused it is usually an earlier error).
    bool at_end = false;
};

struct LexOptions {
    Edition edition = Edition::E2021;
    /// Skip a `#!` first line (a file); off for text passed to a proc macro.
    bool skip_shebang = true;
    /// If set, every token gets this span instead of its location (e.g. the
    /// call site for text a macro asked the host to parse).
    std::optional<Span> span_override;
};

struct LexResult {
    TokenStream stream;
    std::vector<Diagnostic> errors; // sorted by position, `at_end` ones last
    bool ok() const noexcept { return errors.empty(); }
};

/// Never throws for bad input: problems come back in `errors`, and the stream
/// holds whatever could be recovered.
LexResult tokenize(const SourceFile& file, const LexOptions& options = {});

class IoError : public Error {
public:
    using Error::Error;
};

/// A lexing error: the message is "file:line:col: message" for the first
/// problem; `diagnostics` has all of them.
class LexError : public Error {
public:
    LexError(const std::string& what, std::vector<Diagnostic> diags)
        : Error(what), diagnostics(std::move(diags)) {}
    std::vector<Diagnostic> diagnostics;
};

std::string format_diagnostic(const std::string& file, const Diagnostic& d);

/// tokenize, throwing LexError if anything was wrong.
TokenStream tokenize_or_throw(const SourceFile& file, const LexOptions& options = {});

/// Lexes text that is not a file (no shebang handling), e.g. for a macro's
/// `TokenStream::from_str`. Returns nullopt if it does not lex.
std::optional<TokenStream> parse_text(std::string_view text, Edition edition, Span span);

/// The value of a string literal's source text (`"a\nb"`, `r#"..."#`): its
/// escapes resolved, as rustc reads it (a `\` at a line's end skips the
/// next line's leading whitespace). nullopt for other literals and for text
/// that is not a valid string literal.
std::optional<std::string> string_literal_value(std::string_view literal);

} // namespace wasmacro::tokens
