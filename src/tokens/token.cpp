#include "tokens/token.hpp"

#include <array>

namespace wasmacro::tokens {

const char* kind_name(TreeKind k) noexcept {
    switch (k) {
    case TreeKind::Group: return "Group";
    case TreeKind::Ident: return "Ident";
    case TreeKind::Punct: return "Punct";
    case TreeKind::Literal: return "Literal";
    }
    return "?";
}

const char* open_char(Delimiter d) noexcept {
    switch (d) {
    case Delimiter::Parenthesis: return "(";
    case Delimiter::Brace: return "{";
    case Delimiter::Bracket: return "[";
    case Delimiter::None: return "";
    }
    return "";
}

const char* close_char(Delimiter d) noexcept {
    switch (d) {
    case Delimiter::Parenthesis: return ")";
    case Delimiter::Brace: return "}";
    case Delimiter::Bracket: return "]";
    case Delimiter::None: return "";
    }
    return "";
}

const char* lit_kind_name(LitKind k) noexcept {
    switch (k) {
    case LitKind::Int: return "Int";
    case LitKind::Float: return "Float";
    case LitKind::Char: return "Char";
    case LitKind::Byte: return "Byte";
    case LitKind::Str: return "Str";
    case LitKind::ByteStr: return "ByteStr";
    case LitKind::CStr: return "CStr";
    case LitKind::RawStr: return "RawStr";
    case LitKind::RawByteStr: return "RawByteStr";
    case LitKind::RawCStr: return "RawCStr";
    }
    return "?";
}

std::string_view TextArena::keep(std::string text) {
    owned_.push_back(std::move(text));
    return owned_.back();
}

char* TextArena::allocate(std::size_t n) {
    if (n > kChunkSize / 4) {
        // Large texts get a block of their own.
        chunks_.push_back(std::make_unique<char[]>(n));
        return chunks_.back().get();
    }
    if (current_ == nullptr || chunk_used_ + n > kChunkSize) {
        chunks_.push_back(std::make_unique<char[]>(kChunkSize));
        current_ = chunks_.back().get();
        chunk_used_ = 0;
    }
    char* p = current_ + chunk_used_;
    chunk_used_ += n;
    return p;
}

std::string_view TextArena::keep_shared(std::shared_ptr<const std::string> text) {
    shared_.push_back(std::move(text));
    return *shared_.back();
}

void TextArena::adopt(std::shared_ptr<TextArena> other) {
    if (other.get() != this) adopted_.push_back(std::move(other));
}

std::vector<std::size_t> TokenStream::top_level() const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < nodes_.size(); i = next_sibling(i)) out.push_back(i);
    return out;
}

void TokenStream::push_ident(std::string_view name, Span span, bool raw) {
    Tree t;
    t.kind = TreeKind::Ident;
    t.raw = raw;
    t.set_text(name);
    t.span = span;
    nodes_.push_back(t);
}

void TokenStream::push_punct(char ch, Spacing spacing, Span span) {
    // Every ASCII character once, so that a punct's text needs no storage of its own.
    static constexpr auto kAscii = [] {
        std::array<char, 128> a{};
        for (int i = 0; i < 128; ++i) a[static_cast<std::size_t>(i)] = static_cast<char>(i);
        return a;
    }();
    Tree t;
    t.kind = TreeKind::Punct;
    t.spacing = spacing;
    auto c = static_cast<unsigned char>(ch);
    t.set_text(c < 128 ? std::string_view(&kAscii[c], 1) : keep(std::string(1, ch)));
    t.span = span;
    nodes_.push_back(t);
}

void TokenStream::push_literal(LitKind kind, std::string_view text, Span span) {
    Tree t;
    t.kind = TreeKind::Literal;
    t.lit = kind;
    t.set_text(text);
    t.span = span;
    nodes_.push_back(t);
}

void TokenStream::open_group(Delimiter d, Span span) {
    Tree t;
    t.kind = TreeKind::Group;
    t.delimiter = d;
    t.span = span;
    open_.push_back(static_cast<uint32_t>(nodes_.size()));
    nodes_.push_back(t);
}

void TokenStream::close_group(Span close_span) {
    if (open_.empty()) return;
    Tree& g = nodes_[open_.back()];
    open_.pop_back();
    g.end = static_cast<uint32_t>(nodes_.size());
    if (g.span.has_location() && close_span.has_location()) {
        g.span.hi = close_span.hi;
        g.span.end_line = close_span.end_line;
        g.span.end_col = close_span.end_col;
    }
}

void TokenStream::append(const TokenStream& other) {
    arena_->adopt(other.arena_);
    auto base = static_cast<uint32_t>(nodes_.size());
    for (const Tree& t : other.nodes_) {
        nodes_.push_back(t);
        if (t.is_group()) nodes_.back().end += base;
    }
}

void TokenStream::append_tree(const TokenStream& other, std::size_t index) {
    arena_->adopt(other.arena_);
    std::size_t stop = other.next_sibling(index);
    auto shift = static_cast<int64_t>(nodes_.size()) - static_cast<int64_t>(index);
    for (std::size_t i = index; i < stop; ++i) {
        nodes_.push_back(other.nodes_[i]);
        if (other.nodes_[i].is_group())
            nodes_.back().end = static_cast<uint32_t>(other.nodes_[i].end + shift);
    }
}

bool same_trees(const TokenStream& a, const TokenStream& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const Tree& x = a[i];
        const Tree& y = b[i];
        if (x.kind != y.kind || x.text() != y.text() || x.raw != y.raw) return false;
        if (x.kind == TreeKind::Punct && x.spacing != y.spacing) return false;
        if (x.kind == TreeKind::Group && (x.delimiter != y.delimiter || x.end != y.end))
            return false;
        if (x.kind == TreeKind::Literal && x.lit != y.lit) return false;
    }
    return true;
}

} // namespace wasmacro::tokens
