// SHA-256 (OpenSSL's) for the cache's keys and stamps.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace wasmacro::bridge {

/// A key must be collision-resistant: modules are untrusted input, and two
/// that shared a key would share one cached macro crate, the second silently
/// running the first's macros. Each update is length-prefixed (a u64 in the
/// host's byte order), so "ab"+"c" and "a"+"bc" differ.
class Hasher {
public:
    Hasher();
    Hasher& update(std::span<const uint8_t> bytes);
    Hasher& update(std::string_view text) {
        return update({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    }
    /// The digest in lowercase hex. Ends the digest: call once.
    std::string hex();

private:
    struct Free {
        void operator()(evp_md_ctx_st* ctx) const;
    };
    std::unique_ptr<evp_md_ctx_st, Free> ctx_;
};

} // namespace wasmacro::bridge
