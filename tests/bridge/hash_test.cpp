#include "bridge/hash.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

using wasmacro::bridge::Hasher;

// The digests are SHA-256 of each update's length (u64, little-endian) and
// bytes, computed independently: Python's hashlib.sha256(struct.pack('<Q',
// 3) + b'abc').
TEST(Hash, IsSha256OfLengthPrefixedUpdates) {
    EXPECT_EQ(Hasher().update("abc").hex(),
              "ce91dc5eec0139adf091900d225971d6ad246a845bad791b5693a9d0d55dd391");
    EXPECT_EQ(Hasher().update("a").update("bc").hex(),
              "9a8acca1b6c6c0befd3fbc756aed625da998c998f7252e738c4ef061906b9b21");
    // No update at all is the digest of no bytes.
    EXPECT_EQ(Hasher().hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Hash, BytesAndTextAgree) {
    std::vector<uint8_t> bytes{'a', 'b', 'c'};
    EXPECT_EQ(Hasher().update(bytes).hex(), Hasher().update("abc").hex());
    // Splitting one update in two changes the key: "ab"+"c" is not "a"+"bc".
    EXPECT_NE(Hasher().update("ab").update("c").hex(), Hasher().update("a").update("bc").hex());
}

} // namespace
