#include "bridge/hash.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

namespace wasmacro::bridge {

void Hasher::Free::operator()(evp_md_ctx_st* ctx) const {
    EVP_MD_CTX_free(ctx);
}

Hasher::Hasher() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
        throw Error("cannot start a SHA-256 digest (OpenSSL)");
}

Hasher& Hasher::update(std::span<const uint8_t> bytes) {
    uint64_t size = bytes.size();
    EVP_DigestUpdate(ctx_.get(), &size, sizeof size);
    EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size());
    return *this;
}

std::string Hasher::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest, &length) != 1)
        throw Error("cannot finish a SHA-256 digest (OpenSSL)");
    std::string out;
    for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", digest[i]);
    return out;
}

} // namespace wasmacro::bridge
