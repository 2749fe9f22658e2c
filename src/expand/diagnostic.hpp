// Diagnostics of pre-expansion, printed the way rustc prints its own:
// `error: MESSAGE`, ` --> FILE:LINE:COL`, the source line and a caret.
#pragma once

#include "common/error.hpp"
#include "tokens/token.hpp"

#include <functional>
#include <string>
#include <vector>

namespace wasmacro::expand {

struct Diagnostic {
    enum class Level : uint8_t { Error, Warning };
    Level level = Level::Error;
    std::string message;
    /// Where: a source span (Span::source names a file), or no location.
    tokens::Span span;
    std::vector<std::string> notes;
};

/// Something in the crate stops its expansion; carries where it happened.
class ExpandError : public Error {
public:
    ExpandError(const std::string& message, tokens::Span where, std::vector<std::string> notes = {})
        : Error(message), span(where), notes(std::move(notes)) {}
    tokens::Span span;
    std::vector<std::string> notes;
};

/// The source files a diagnostic's span can point into: name and text by id.
struct SourceLookup {
    std::function<const std::string*(uint32_t source)> name;
    std::function<const std::string*(uint32_t source)> text;
};

/// rustc's layout: the message, the location arrow, the line with carets
/// under the span, then `= note:` lines.
std::string render(const Diagnostic& d, const SourceLookup& sources);

} // namespace wasmacro::expand
