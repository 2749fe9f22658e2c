#include "expand/cfg.hpp"

#include "expand/syntax.hpp"
#include "tokens/tokenize.hpp"

#include <fmt/format.h>

namespace wasmacro::expand {

using tokens::LitKind;
using tokens::TreeKind;

namespace {

std::string key(std::string_view name, std::optional<std::string_view> value) {
    std::string k(name);
    if (value) {
        k.push_back('\0');
        k.append(*value);
    }
    return k;
}

/// The value of a string literal (`"..."` or `r"..."`), or nullopt.
std::optional<std::string> string_value(const Tree& t) {
    if (t.kind != TreeKind::Literal) return std::nullopt;
    return tokens::string_literal_value(t.text());
}

const char* host_os() {
#if defined(__linux__)
    return "linux";
#elif defined(__APPLE__)
    return "macos";
#elif defined(_WIN32)
    return "windows";
#elif defined(__wasi__)
    return "wasi";
#else
    return "unknown";
#endif
}

const char* host_arch() {
#if defined(__x86_64__)
    return "x86_64";
#elif defined(__aarch64__)
    return "aarch64";
#elif defined(__i386__)
    return "x86";
#elif defined(__wasm32__)
    return "wasm32";
#else
    return "unknown";
#endif
}

class Evaluator {
public:
    Evaluator(const TokenStream& s, const CfgSet& cfg) : s_(s), cfg_(cfg) {}

    /// One predicate in [lo, hi): exactly one, optionally with a trailing comma.
    bool single(std::size_t lo, std::size_t hi, const tokens::Span& where, std::string_view what) {
        auto parts = split_commas(s_, lo, hi);
        if (parts.size() != 1)
            throw ExpandError(
                fmt::format("{} expects exactly one cfg predicate, found {}", what, parts.size()),
                lo < hi ? s_[lo].span : where);
        return predicate(parts[0].first, parts[0].second);
    }

    bool predicate(std::size_t lo, std::size_t hi) {
        const Tree& t = s_[lo];
        if (t.kind != TreeKind::Ident)
            throw ExpandError("expected a cfg predicate (an identifier, `any`, `all` or `not`)",
                              t.span);
        if (depth_ == kMaxDepth)
            throw ExpandError(fmt::format("cfg predicates nest more than {} deep here", kMaxDepth),
                              t.span);
        ++depth_;
        bool value = nested_predicate(lo, hi);
        --depth_;
        return value;
    }

private:
    /// How deep predicates may nest: evaluating them recurses, on some 550
    /// bytes of stack a level. rustc 1.95 itself overflows its stack at 4,736
    /// nested `not(`.
    static constexpr unsigned kMaxDepth = 4096;

    bool nested_predicate(std::size_t lo, std::size_t hi) {
        const Tree& t = s_[lo];
        std::string_view name = t.text();
        std::size_t k = lo + 1;
        if (k == hi) {
            if (!t.raw && name == "true") return true;
            if (!t.raw && name == "false") return false;
            return cfg_.contains(name, std::nullopt);
        }
        if (s_[k].is_group() && s_[k].delimiter == tokens::Delimiter::Parenthesis &&
            s_[k].end == hi && !t.raw) {
            std::size_t in_lo = k + 1, in_hi = s_[k].end;
            if (name == "not") return !single(in_lo, in_hi, s_[k].span, "`not`");
            if (name == "any" || name == "all") {
                bool any = name == "any";
                for (auto [a, b] : split_commas(s_, in_lo, in_hi))
                    if (predicate(a, b) == any) return any; // rustc stops at the first that decides
                return !any;
            }
            throw ExpandError(fmt::format("invalid predicate `{}`", name), t.span);
        }
        if (is_punct(s_[k], '=') && k + 2 == hi) {
            auto value = string_value(s_[k + 1]);
            if (!value)
                throw ExpandError("a cfg value must be a string literal without escapes",
                                  s_[k + 1].span);
            return cfg_.contains(name, *value);
        }
        throw ExpandError("expected `,`, `=` or `)` after the cfg name", s_[k].span);
    }

    const TokenStream& s_;
    const CfgSet& cfg_;
    unsigned depth_ = 0;
};

} // namespace

CfgSet CfgSet::host() {
    CfgSet c;
    c.insert("debug_assertions");
    c.insert("panic", "unwind");
    c.insert("target_os", host_os());
    c.insert("target_arch", host_arch());
    c.insert("target_vendor", "unknown");
#if defined(__linux__) && defined(__GLIBC__)
    c.insert("target_env", "gnu");
#else
    c.insert("target_env", "");
#endif
#if defined(__unix__) || defined(__APPLE__)
    c.insert("unix");
    c.insert("target_family", "unix");
#elif defined(_WIN32)
    c.insert("windows");
    c.insert("target_family", "windows");
#elif defined(__wasm__)
    c.insert("target_family", "wasm");
#endif
    c.insert("target_pointer_width", std::to_string(sizeof(void*) * 8));
    c.insert("target_endian", __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "little" : "big");
    for (const char* width : {"8", "16", "32", "ptr"}) c.insert("target_has_atomic", width);
    if (sizeof(void*) == 8) c.insert("target_has_atomic", "64");
    return c;
}

void CfgSet::insert(std::string name, std::optional<std::string> value) {
    keys_.insert(key(name, value));
}

void CfgSet::erase(std::string_view name) {
    for (auto it = keys_.begin(); it != keys_.end();) {
        std::string_view k = *it;
        if (k.substr(0, k.find('\0')) == name)
            it = keys_.erase(it);
        else
            ++it;
    }
}

bool CfgSet::contains(std::string_view name, std::optional<std::string_view> value) const {
    return keys_.count(key(name, value)) != 0;
}

void CfgSet::add_spec(std::string_view spec) {
    auto bad = [&] {
        return Error(fmt::format("invalid `--cfg` argument: `{}` (expected `key` or "
                                 "`key=\"value\"`)",
                                 spec));
    };
    auto stream = tokens::parse_text(spec, tokens::Edition::E2021, tokens::Span{});
    if (!stream || stream->empty() || (*stream)[0].kind != TreeKind::Ident) throw bad();
    const TokenStream& s = *stream;
    std::string name((*stream)[0].text());
    if (s.size() == 1) {
        insert(name);
        return;
    }
    if (s.size() == 3 && is_punct(s[1], '=')) {
        if (auto value = string_value(s[2])) {
            insert(name, *value);
            return;
        }
    }
    throw bad();
}

bool eval_cfg(const TokenStream& s, std::size_t lo, std::size_t hi, const CfgSet& cfg,
              const tokens::Span& where) {
    Evaluator e(s, cfg);
    return e.single(lo, hi, where, "`cfg`");
}

} // namespace wasmacro::expand
