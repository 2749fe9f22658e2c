// SHA-256 (OpenSSL's) for every content key: the expansion cache's entries
// and the bridge's built crates.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace wasmacro {

/// A key must be collision-resistant: modules are untrusted input, and two
/// that shared a key would share one cached result, the second silently
/// getting the first's. Each part is length-prefixed (a little-endian u64),
/// so "ab"+"c" and "a"+"bc" differ.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    Sha256& add(std::span<const uint8_t> bytes);
    Sha256& add(std::string_view text) {
        return add({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    }
    /// Ends the digest: call one of them once.
    std::array<uint8_t, 32> finish();
    std::string finish_hex();

private:
    struct Context;
    std::unique_ptr<Context> ctx_;
};

/// The digest of `bytes` alone, with no length prefix.
std::array<uint8_t, 32> sha256(std::span<const uint8_t> bytes);
/// Lowercase hex.
std::string hex(std::span<const uint8_t> bytes);

} // namespace wasmacro
