#include "common/digest.hpp"

#include "common/error.hpp"

#include <openssl/evp.h>

namespace wasmacro {

struct Sha256::Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : ctx_(std::make_unique<Context>()) {
    if (ctx_->ctx == nullptr || EVP_DigestInit_ex(ctx_->ctx, EVP_sha256(), nullptr) != 1)
        throw Error("cannot start a SHA-256 digest (OpenSSL)");
}

Sha256::~Sha256() = default;

Sha256& Sha256::add(std::span<const uint8_t> bytes) {
    uint8_t size[8];
    for (int i = 0; i < 8; ++i) size[i] = static_cast<uint8_t>(uint64_t{bytes.size()} >> (8 * i));
    if (EVP_DigestUpdate(ctx_->ctx, size, sizeof size) != 1 ||
        EVP_DigestUpdate(ctx_->ctx, bytes.data(), bytes.size()) != 1)
        throw Error("cannot update a SHA-256 digest (OpenSSL)");
    return *this;
}

std::array<uint8_t, 32> Sha256::finish() {
    std::array<uint8_t, 32> out{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx_->ctx, out.data(), &length) != 1 || length != out.size())
        throw Error("cannot finish a SHA-256 digest (OpenSSL)");
    return out;
}

std::string Sha256::finish_hex() {
    return hex(finish());
}

std::array<uint8_t, 32> sha256(std::span<const uint8_t> bytes) {
    std::array<uint8_t, 32> out{};
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), out.data(), &length, EVP_sha256(), nullptr) != 1)
        throw Error("cannot compute a SHA-256 digest (OpenSSL)");
    return out;
}

std::string hex(std::span<const uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (uint8_t b : bytes) {
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

} // namespace wasmacro
