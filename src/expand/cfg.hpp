// The cfg evaluator: `#[cfg(...)]` predicates and `#[cfg_attr(...)]`, with the
// options rustc sets for the host plus those given by `--cfg` (rustc's syntax).
#pragma once

#include "expand/diagnostic.hpp"
#include "tokens/token.hpp"

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace wasmacro::expand {

/// A set of cfg options: names (`test`, `unix`) and name-value pairs
/// (`feature = "serde"`, `target_os = "linux"`).
class CfgSet {
public:
    /// What rustc sets when compiling for this host without `--test` and
    /// without optimisation: `debug_assertions`, `unix`, `target_*`, `panic`.
    static CfgSet host();

    void insert(std::string name, std::optional<std::string> value = std::nullopt);
    void erase(std::string_view name);
    bool contains(std::string_view name, std::optional<std::string_view> value) const;

    /// Adds one `--cfg` argument: `name` or `name="value"`. Throws Error
    /// (rustc's wording) for anything else.
    void add_spec(std::string_view spec);

private:
    std::set<std::string> keys_; // "name" or "name\0value"
};

/// Evaluates the predicate in `s[lo, hi)` (the contents of `cfg(...)`, or the
/// first argument of `cfg_attr`). Throws ExpandError at the malformed token.
bool eval_cfg(const tokens::TokenStream& s, std::size_t lo, std::size_t hi, const CfgSet& cfg,
              const tokens::Span& where);

} // namespace wasmacro::expand
