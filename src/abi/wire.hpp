// The watt-0.5 wire format (DESIGN.md, "The watt-0.5 ABI"): token streams as
// bytes, in both directions.
//
// Host->guest a group carries three spans (whole, open, close) and literals go
// as host literal handles; guest->host a group carries one span and a literal
// is either a host literal handle or its source text. The C API speaks the
// guest->host form in both directions to the Rust bridge, with the bridge's
// own span handles (see HostSpanTables).
#pragma once

#include "common/error.hpp"
#include "tokens/lexer.hpp"
#include "tokens/token.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace wasmacro::abi {

enum class Direction : uint8_t { HostToGuest, GuestToHost };

/// The span handle of the call site (Span{}, source 0).
inline constexpr uint32_t kCallSiteSpan = 0xFFFFFFFF;

/// Malformed wire bytes: the message gives the byte offset and what was wrong.
class WireError : public Error {
public:
    using Error::Error;
};
/// The stream has more trees than DecodeOptions::max_trees allows.
class WireTooLarge : public WireError {
public:
    using WireError::WireError;
};

/// How spans and literals cross the wire: each side of the format has its own
/// numbering, which the tables translate.
class WireTables {
public:
    virtual ~WireTables() = default;

    /// Encoding: the handle sent for `span`.
    virtual uint32_t span_handle(const tokens::Span& span) = 0;
    /// Decoding: the span behind `handle`. Throws WireError for an unknown handle.
    virtual tokens::Span span(uint32_t handle) = 0;

    /// Encoding: the handle sent for a literal, or nullopt to send its text.
    virtual std::optional<uint32_t> literal_handle(const tokens::Tree& literal) {
        (void)literal;
        return std::nullopt;
    }
    struct LiteralRef {
        tokens::LitKind kind;
        std::string_view text; ///< must stay valid until decode returns
    };
    /// Decoding: the literal behind `handle`. Throws WireError for an unknown handle.
    virtual LiteralRef literal(uint32_t handle);
};

/// Spans as a host's own u32 handles: Span::host(h) <-> h, the call site <->
/// 0xFFFFFFFF. A span with a source location goes as the call site. Literals
/// go as text; a literal handle on the wire is an error.
class HostSpanTables : public WireTables {
public:
    uint32_t span_handle(const tokens::Span& span) override;
    tokens::Span span(uint32_t handle) override;
};

/// The deepest nesting of groups accepted in a stream from a guest, through
/// token_stream_deserialize and token_stream_parse alike. rustc parses what a
/// macro returns by recursion on its 8 MiB main thread, and the stack a level
/// costs depends on what the group is: measured with rustc 1.95 on a guest's
/// stream through `wasmacro rustc` (the same as in source), it overflows at
/// 472 nested closure bodies (`|| {`), 820 groups of nested `match` arms and
/// 1,190 nested parentheses in an expression, against some 65,000 groups
/// that are only token trees. Half the worst case, with room for the
/// nesting around the macro's call site; real macros nest a few dozen deep.
/// (rustc's parser also recurses on operators without any group, `!!…!x`
/// overflowing at some 10,000: no nesting limit bounds that, in source or
/// from a native macro.)
inline constexpr uint32_t kMaxNesting = 256;

struct DecodeOptions {
    /// Literal text sent by the other side is lexed with this edition.
    tokens::Edition edition = tokens::Edition::E2021;
    /// Deeper nesting is refused: it bounds the work of whoever consumes the
    /// stream recursively, rustc above all.
    uint32_t max_depth = kMaxNesting;
    /// More trees are refused (WireTooLarge) before they are made: what the
    /// receiver can afford, counted as it goes, since a stream of small trees
    /// takes several times its wire size in memory.
    size_t max_trees = SIZE_MAX;
};

/// Appends the encoding of `stream` to `out`.
void encode(const tokens::TokenStream& stream, Direction direction, WireTables& tables,
            std::vector<uint8_t>& out);
std::vector<uint8_t> encode(const tokens::TokenStream& stream, Direction direction,
                            WireTables& tables);

/// Decodes exactly one stream (all of `bytes`). Checks every tag, delimiter,
/// spacing, char (a Unicode scalar that is Rust punctuation), identifier
/// (UTF-8, identifier characters, `r#` only where Rust allows it), literal
/// (one literal token; a leading `-` on a number is accepted) and handle.
/// Throws WireError naming the byte offset and the problem.
tokens::TokenStream decode(std::span<const uint8_t> bytes, Direction direction, WireTables& tables,
                           const DecodeOptions& options = {});

} // namespace wasmacro::abi
