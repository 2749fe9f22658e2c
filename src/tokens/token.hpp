// Token trees as proc_macro presents them: groups, identifiers, single-character
// punctuation and literals, each with a span.
//
// A TokenStream stores its trees flat, in pre-order: a group is followed by its
// contents, and records where they end. Text is a view into storage that the
// stream shares with its copies (the source file, or strings made by the host),
// so lexing a file allocates a few vectors rather than one string per token.
#pragma once

#include "tokens/lexer.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wasmacro::tokens {

/// Where a token came from: a byte range of a source file with its start and end
/// line and column, or an opaque handle given by a host (see Span::host).
struct Span {
    /// Sources are numbered from 1; 0 means no location (call site);
    /// kHostSource means `lo` holds a host's span handle.
    uint32_t source = 0;
    uint32_t lo = 0, hi = 0;
    /// 1-based lines, 1-based columns counted in characters (rustc's messages).
    uint32_t line = 0, col = 0;
    uint32_t end_line = 0, end_col = 0;

    static constexpr uint32_t kHostSource = 0xFFFFFFFF;
    static Span host(uint32_t handle) noexcept {
        Span s;
        s.source = kHostSource;
        s.lo = handle;
        return s;
    }
    bool is_host() const noexcept { return source == kHostSource; }
    uint32_t host_handle() const noexcept { return lo; }
    bool has_location() const noexcept { return source != 0 && !is_host(); }
    bool operator==(const Span&) const = default;
};

enum class TreeKind : uint8_t { Group, Ident, Punct, Literal };
enum class Delimiter : uint8_t { Parenthesis, Brace, Bracket, None };
enum class Spacing : uint8_t { Alone, Joint };

/// One node of a stream. For a group, the nodes from index+1 to `end` are its contents.
/// Kept to 48 bytes: lexing writes one per token, so its size is lexing speed.
struct Tree {
    Span span;
    TreeKind kind = TreeKind::Punct;
    Delimiter delimiter = Delimiter::None; // Group
    Spacing spacing = Spacing::Alone;      // Punct
    LitKind lit = LitKind::Int;            // Literal
    bool raw = false;                      // Ident: written `r#name` (text holds `name`)
    bool from_doc = false;                 // part of a desugared doc comment
    union {
        uint32_t end = 0;   // Group: one past the last node inside
        uint32_t text_len_; // the others: the length of their text
    };
    const char* text_ptr_ = nullptr;

    /// Ident: the name. Punct: the character (UTF-8). Literal: its source text
    /// (with prefix, quotes and suffix). Group: empty.
    std::string_view text() const noexcept {
        return kind == TreeKind::Group ? std::string_view{}
                                       : std::string_view(text_ptr_, text_len_);
    }
    /// For a leaf; the bytes must outlive the stream (see TokenStream::keep).
    void set_text(std::string_view t) noexcept {
        text_ptr_ = t.data();
        text_len_ = static_cast<uint32_t>(t.size());
    }
    bool is_group() const noexcept { return kind == TreeKind::Group; }
    char punct_char() const noexcept {
        return kind == TreeKind::Punct && text_len_ > 0 ? text_ptr_[0] : '\0';
    }
};
static_assert(sizeof(Tree) <= 48);

const char* kind_name(TreeKind k) noexcept;
const char* open_char(Delimiter d) noexcept; // "(", "{", "[" or "" for None
const char* close_char(Delimiter d) noexcept;
const char* lit_kind_name(LitKind k) noexcept;

/// Owns the bytes that Tree::text views point into.
class TextArena {
public:
    std::string_view keep(std::string text);
    /// `n` bytes that live as long as the arena, for text built in place.
    char* allocate(std::size_t n);
    std::string_view keep_shared(std::shared_ptr<const std::string> text);
    void adopt(std::shared_ptr<TextArena> other);

private:
    // Small texts share chunks, so that a file's many doc comments cost a few
    // allocations rather than one each.
    static constexpr std::size_t kChunkSize = 16 * 1024;
    std::vector<std::unique_ptr<char[]>> chunks_;
    char* current_ = nullptr;
    std::size_t chunk_used_ = 0;
    std::deque<std::string> owned_;
    std::vector<std::shared_ptr<const std::string>> shared_;
    std::vector<std::shared_ptr<TextArena>> adopted_;
};

class TokenStream {
public:
    TokenStream() : arena_(std::make_shared<TextArena>()) {}

    std::span<const Tree> nodes() const noexcept { return nodes_; }
    std::size_t size() const noexcept { return nodes_.size(); }
    bool empty() const noexcept { return nodes_.empty(); }
    const Tree& operator[](std::size_t i) const noexcept { return nodes_[i]; }

    /// Index of the node after the tree at `i` (skips a group's contents).
    std::size_t next_sibling(std::size_t i) const noexcept {
        return nodes_[i].is_group() ? nodes_[i].end : i + 1;
    }
    /// The top-level trees' indices.
    std::vector<std::size_t> top_level() const;

    // Building. Text given as string_view must outlive the stream unless kept
    // with `keep`; the push functions that take std::string copy it.
    std::string_view keep(std::string text) { return arena_->keep(std::move(text)); }
    char* allocate_text(std::size_t n) { return arena_->allocate(n); }
    std::string_view keep_shared(std::shared_ptr<const std::string> text) {
        return arena_->keep_shared(std::move(text));
    }
    void push_ident(std::string_view name, Span span, bool raw = false);
    void push_punct(char ch, Spacing spacing, Span span);
    void push_literal(LitKind kind, std::string_view text, Span span);
    /// Opens a group; every push until the matching close_group goes inside it.
    void open_group(Delimiter d, Span span);
    void close_group(Span close_span);
    /// Appends a copy of `other`'s trees (its text storage is shared).
    void append(const TokenStream& other);
    /// Appends the tree at `other[index]` (with its contents).
    void append_tree(const TokenStream& other, std::size_t index);

    void push_node(const Tree& t) { nodes_.push_back(t); }
    /// Appends a default node to fill in place (the lexer's fast path).
    Tree& emplace_node() { return nodes_.emplace_back(); }
    /// open_group and close_group for a caller that fills in the spans itself.
    /// close_group_node returns the closed group, or null if none is open.
    Tree& open_group_node(Delimiter d) {
        open_.push_back(static_cast<uint32_t>(nodes_.size()));
        Tree& t = nodes_.emplace_back();
        t.kind = TreeKind::Group;
        t.delimiter = d;
        return t;
    }
    Tree* close_group_node() {
        if (open_.empty()) return nullptr;
        Tree& g = nodes_[open_.back()];
        open_.pop_back();
        g.end = static_cast<uint32_t>(nodes_.size());
        return &g;
    }
    std::vector<Tree>& mutable_nodes() noexcept { return nodes_; }
    std::size_t open_groups() const noexcept { return open_.size(); }
    void reserve(std::size_t n) { nodes_.reserve(n); }

private:
    std::vector<Tree> nodes_;
    std::vector<uint32_t> open_;
    std::shared_ptr<TextArena> arena_;
};

/// Structural equality: kinds, text, spacing, delimiters, rawness; spans ignored.
bool same_trees(const TokenStream& a, const TokenStream& b);

} // namespace wasmacro::tokens
