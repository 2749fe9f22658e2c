#include "common/digest.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

using wasmacro::Sha256;

// The digests are SHA-256 of each update's length (u64, little-endian) and
// bytes, computed independently: Python's hashlib.sha256(struct.pack('<Q',
// 3) + b'abc').
TEST(Sha256, IsSha256OfLengthPrefixedUpdates) {
    EXPECT_EQ(Sha256().add("abc").finish_hex(),
              "ce91dc5eec0139adf091900d225971d6ad246a845bad791b5693a9d0d55dd391");
    EXPECT_EQ(Sha256().add("a").add("bc").finish_hex(),
              "9a8acca1b6c6c0befd3fbc756aed625da998c998f7252e738c4ef061906b9b21");
    // No update at all is the digest of no bytes.
    EXPECT_EQ(Sha256().finish_hex(),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, BytesAndTextAgree) {
    std::vector<uint8_t> bytes{'a', 'b', 'c'};
    EXPECT_EQ(Sha256().add(bytes).finish_hex(), Sha256().add("abc").finish_hex());
    // Splitting one update in two changes the key: "ab"+"c" is not "a"+"bc".
    EXPECT_NE(Sha256().add("ab").add("c").finish_hex(), Sha256().add("a").add("bc").finish_hex());
}

} // namespace

namespace {

TEST(Sha256, OfBytesAloneHasNoLengthPrefix) {
    std::vector<uint8_t> bytes{'a', 'b', 'c'};
    EXPECT_EQ(wasmacro::hex(wasmacro::sha256(bytes)),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

} // namespace
