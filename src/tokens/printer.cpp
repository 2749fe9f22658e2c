#include "tokens/printer.hpp"

#include <ostream>
#include <vector>

namespace wasmacro::tokens {
namespace {

void write_leaf(std::string& out, const Tree& t) {
    if (t.kind == TreeKind::Ident && t.raw) out += "r#";
    out += t.text();
}

/// Text is handed to a sink in pieces of about this size, so that writing a
/// stream of any size to a file holds one piece in memory.
constexpr std::size_t kSinkPieceBytes = 64 * 1024;

void flush_to(std::ostream* sink, std::string& out) {
    if (sink == nullptr || out.size() < kSinkPieceBytes) return;
    sink->write(out.data(), static_cast<std::streamsize>(out.size()));
    out.clear();
}

// Iterative, with an explicit stack of open groups: token streams can come from
// untrusted text, and nesting depth must not become native stack depth. With a
// sink, `out` is emptied into it as it fills.
void write_range(std::string& out, const TokenStream& s, std::size_t begin, std::size_t end,
                 std::ostream* sink = nullptr) {
    struct Open {
        std::size_t end;
        Delimiter d;
        bool empty;
    };
    std::vector<Open> open;
    bool joint = false, first = true;
    for (std::size_t i = begin;;) {
        while (!open.empty() && open.back().end == i) {
            // proc_macro writes `{ }` for an empty brace group, `()` and `[]` otherwise.
            if (open.back().d == Delimiter::Brace && !open.back().empty) out += ' ';
            out += close_char(open.back().d);
            open.pop_back();
            joint = false;
            first = false;
        }
        if (i >= end) break;
        const Tree& t = s[i];
        if (!first && !joint) out += ' ';
        first = false;
        joint = false;
        if (t.is_group()) {
            out += open_char(t.delimiter);
            if (t.delimiter == Delimiter::Brace) out += ' ';
            open.push_back({t.end, t.delimiter, t.end == i + 1});
            first = true;
            ++i;
            continue;
        }
        if (t.kind == TreeKind::Punct) joint = t.spacing == Spacing::Joint;
        write_leaf(out, t);
        flush_to(sink, out);
        ++i;
    }
}

// The text of a doc comment from its `r#"..."#` literal.
std::string_view doc_content(std::string_view lit) {
    std::size_t hashes = 0;
    while (1 + hashes < lit.size() && lit[1 + hashes] == '#') ++hashes;
    return lit.substr(2 + hashes, lit.size() - 3 - 2 * hashes);
}

class Pretty {
public:
    /// With a sink, whole lines are written to it as the text grows.
    Pretty(const TokenStream& s, const PrettyOptions& o, std::ostream* sink = nullptr)
        : s_(s), o_(o), sink_(sink) {}

    std::string run() {
        block(0, s_.size(), 0);
        if (!out_.empty() && out_.back() != '\n') out_ += '\n';
        return std::move(out_);
    }

private:
    void newline(int depth) {
        if (!out_.empty() && out_.back() != '\n') out_ += '\n';
        // `out_` is empty or ends a line: emptying it into the sink leaves
        // the checks above as they were.
        flush_to(sink_, out_);
        line_start_ = true;
        space_ = false;
        depth_ = depth;
    }
    // Spaces are written lazily so that none is left before a line break.
    void space() { space_ = true; }
    void emit(std::string_view text) {
        if (line_start_) {
            out_.append(static_cast<std::size_t>(depth_ * o_.indent), ' ');
            line_start_ = false;
        } else if (space_) {
            out_ += ' ';
        }
        space_ = false;
        out_ += text;
    }

    /// Writes an ident, punct or literal; returns whether it is a Joint punct.
    bool emit_leaf(const Tree& t) {
        if (t.kind == TreeKind::Ident && t.raw) emit("r#");
        emit(t.text());
        return t.kind == TreeKind::Punct && t.spacing == Spacing::Joint;
    }

    // A `#` (and `!`) plus `[doc = r"..."]` that came from a doc comment.
    bool doc_comment(std::size_t& i, std::size_t end, int depth) {
        const Tree& hash = s_[i];
        if (!o_.doc_comments || !hash.from_doc || hash.punct_char() != '#') return false;
        std::size_t g = i + 1;
        bool inner = g < end && s_[g].kind == TreeKind::Punct && s_[g].punct_char() == '!';
        if (inner) ++g;
        if (g >= end || !s_[g].is_group() || s_[g].end != g + 4) return false;
        std::string_view content = doc_content(s_[g + 3].text());
        newline(depth);
        if (content.find('\n') == std::string_view::npos) {
            emit(inner ? "//!" : "///");
            out_ += content;
        } else {
            emit(inner ? "/*!" : "/**");
            out_ += content;
            out_ += "*/";
        }
        newline(depth);
        i = s_[g].end;
        return true;
    }

    void block(std::size_t begin, std::size_t end, int depth) {
        bool joint = false;
        std::size_t last = kNone, last2 = kNone;
        for (std::size_t i = begin; i < end;) {
            const Tree& t = s_[i];
            if (!joint && doc_comment(i, end, depth)) {
                last = last2 = kNone;
                continue;
            }
            if (i != begin && !joint && !tight(last2, last, i)) space();
            joint = false;
            last2 = last;
            last = i;
            // Blocks are laid out on lines of their own, `use a::{b, c}` lists are not.
            bool use_list = last2 != kNone && is_punct(s_[last2], ':', Spacing::Alone);
            if (t.is_group() && t.delimiter == Delimiter::Brace && t.end > i + 1 &&
                !(use_list && short_braces(i)) && nesting_ <= kMaxLayoutDepth) {
                emit("{");
                newline(depth + 1);
                ++nesting_;
                block(i + 1, t.end, depth + 1);
                --nesting_;
                newline(depth);
                emit("}");
                i = t.end;
                // A brace group usually ends an item or statement.
                if (i < end && !continues_expression(s_[i])) {
                    newline(depth);
                    last = last2 = kNone;
                }
                continue;
            }
            if (t.is_group()) {
                group_inline(i, depth);
                i = t.end;
                continue;
            }
            joint = emit_leaf(t);
            ++i;
            if (t.kind == TreeKind::Punct && t.punct_char() == ';' && !joint) {
                newline(depth);
                last = last2 = kNone;
            } else if (t.kind == TreeKind::Punct && t.punct_char() == '#' && !joint && i < end &&
                       s_[i].is_group() && s_[i].delimiter == Delimiter::Bracket) {
                // An attribute gets a line of its own.
                emit(open_char(Delimiter::Bracket));
                inline_range(i + 1, s_[i].end, depth);
                emit(close_char(Delimiter::Bracket));
                i = s_[i].end;
                newline(depth);
                last = last2 = kNone;
            }
        }
    }

    // Parenthesised and bracketed contents stay on one line unless they hold
    // long brace groups, which are laid out as blocks one level deeper.
    void inline_range(std::size_t begin, std::size_t end, int depth) {
        bool joint = false;
        std::size_t last = kNone, last2 = kNone;
        for (std::size_t i = begin; i < end;) {
            const Tree& t = s_[i];
            if (i != begin && !joint && !tight(last2, last, i)) space();
            joint = false;
            last2 = last;
            last = i;
            if (t.is_group()) {
                group_inline(i, depth);
                i = t.end;
                continue;
            }
            joint = emit_leaf(t);
            ++i;
        }
    }

    void group_inline(std::size_t i, int depth) {
        const Tree& t = s_[i];
        if (nesting_ > kMaxLayoutDepth) {
            std::string flat;
            write_range(flat, s_, i, t.end);
            emit(flat);
            return;
        }
        ++nesting_;
        if (t.delimiter == Delimiter::Brace && t.end > i + 1 && !short_braces(i)) {
            emit("{");
            newline(depth + 1);
            block(i + 1, t.end, depth + 1);
            newline(depth);
            emit("}");
        } else if (t.delimiter == Delimiter::Brace) {
            emit(t.end > i + 1 ? "{ " : "{");
            inline_range(i + 1, t.end, depth);
            emit(t.end > i + 1 ? " }" : "}");
        } else {
            emit(open_char(t.delimiter));
            inline_range(i + 1, t.end, depth);
            emit(close_char(t.delimiter));
        }
        --nesting_;
    }

    // `{ a, b }`: few tokens, no statements, no nested blocks: one line.
    bool short_braces(std::size_t i) const {
        const Tree& g = s_[i];
        if (g.end - i > 16) return false;
        std::size_t chars = 0;
        for (std::size_t k = i + 1; k < g.end; ++k) {
            const Tree& t = s_[k];
            if ((t.is_group() && t.delimiter == Delimiter::Brace) ||
                (t.kind == TreeKind::Punct && t.punct_char() == ';') || t.from_doc)
                return false;
            chars += t.text().size() + 1;
        }
        return chars <= 60;
    }

    static bool is_punct(const Tree& t, char c, Spacing sp) {
        return t.kind == TreeKind::Punct && t.punct_char() == c && t.spacing == sp;
    }
    static bool is_word(const Tree& t) {
        return t.kind == TreeKind::Ident || (t.is_group() && t.delimiter != Delimiter::None);
    }
    static bool is_keyword(std::string_view w) {
        for (std::string_view k :
             {"if",   "while", "match", "in",  "return", "let",  "mut",  "ref",
              "as",   "else",  "move",  "for", "where",  "impl", "dyn",  "unsafe",
              "loop", "break", "yield", "fn",  "struct", "enum", "union"})
            if (w == k) return true;
        return false;
    }

    // Whether the space between the siblings `prev` and `cur` can go. Only where
    // the re-lexed trees stay the same: never right after a punct when a punct
    // follows (it would turn Joint), never between a literal and `.`.
    bool tight(std::size_t prev2, std::size_t prev, std::size_t cur) const {
        if (prev == kNone) return false;
        const Tree& p = s_[prev];
        const Tree& c = s_[cur];
        std::size_t next = c.is_group() ? c.end : cur + 1;
        const Tree* n = next < s_.size() ? &s_[next] : nullptr;
        const Tree* p2 = prev2 == kNone ? nullptr : &s_[prev2];
        // f(x), v[0]
        if (p.kind == TreeKind::Ident && c.is_group() &&
            (c.delimiter == Delimiter::Parenthesis || c.delimiter == Delimiter::Bracket) &&
            !is_keyword(p.text()))
            return true;
        // a::b
        if (is_word(p) && is_punct(c, ':', Spacing::Joint) && n &&
            is_punct(*n, ':', Spacing::Alone))
            return true;
        if (is_punct(p, ':', Spacing::Alone) && p2 && is_punct(*p2, ':', Spacing::Joint) &&
            c.kind == TreeKind::Ident)
            return true;
        // x: T
        if (p.kind == TreeKind::Ident && is_punct(c, ':', Spacing::Alone)) return true;
        // a.b
        if (is_word(p) && is_punct(c, '.', Spacing::Alone) && n && n->kind == TreeKind::Ident)
            return true;
        if (is_punct(p, '.', Spacing::Alone) && p2 && is_word(*p2) && c.kind == TreeKind::Ident)
            return true;
        // a, b; c
        if ((is_word(p) || p.kind == TreeKind::Literal) &&
            (is_punct(c, ',', Spacing::Alone) || is_punct(c, ';', Spacing::Alone)))
            return true;
        // &self, &mut x as a prefix operator
        if (is_punct(p, '&', Spacing::Alone) && (!p2 || p2->kind == TreeKind::Punct) &&
            c.kind == TreeKind::Ident)
            return true;
        return false;
    }

    static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    // Deeper groups are written on one line without recursion: the layout is
    // for people, who do not read code nested this deep, and the depth of
    // untrusted input must not become native stack depth.
    static constexpr int kMaxLayoutDepth = 64;

    static bool continues_expression(const Tree& t) {
        if (t.kind == TreeKind::Ident) return t.text() == "else" || t.text() == "as";
        if (t.kind != TreeKind::Punct) return false;
        char c = t.punct_char();
        return c == '.' || c == ',' || c == ';' || c == '?' || c == ')';
    }

    const TokenStream& s_;
    const PrettyOptions& o_;
    std::ostream* sink_;
    std::string out_;
    bool line_start_ = true;
    bool space_ = false;
    int nesting_ = 0; // groups being laid out, to bound the recursion
    int depth_ = 0;
};

} // namespace

std::string to_string(const TokenStream& stream) {
    std::string out;
    out.reserve(stream.size() * 4);
    write_range(out, stream, 0, stream.size());
    return out;
}

std::string tree_to_string(const TokenStream& stream, std::size_t index) {
    std::string out;
    write_range(out, stream, index, stream.next_sibling(index));
    return out;
}

std::string to_pretty_string(const TokenStream& stream, const PrettyOptions& options) {
    return Pretty(stream, options).run();
}

void write_text(const TokenStream& stream, std::ostream& out) {
    std::string piece;
    write_range(piece, stream, 0, stream.size(), &out);
    out << piece;
}

void write_pretty(const TokenStream& stream, std::ostream& out, const PrettyOptions& options) {
    out << Pretty(stream, options, &out).run();
}

} // namespace wasmacro::tokens
