#include "crypto/hash.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "vector_file.h"

namespace hippocrate::crypto {
namespace {

using testing::fails_with;
using testing::hex;

// FIPS 180-2 Appendix B.1, the SHA-256 of "" and RFC 7693 Appendix A.
TEST(Hash, KnownAnswers) {
  const auto cases = testing::load_vectors("hash_fips180_rfc7693.txt");
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Bytes message = c.hex("message");
    if (c.text("algorithm") == "sha256") {
      EXPECT_EQ(hex(sha256(message)), c.text("digest"));
      EXPECT_EQ(hex(Sha256().update(message).finish()), c.text("digest"));
    } else {
      ASSERT_EQ(c.text("algorithm"), "blake2b-512");
      auto digest = blake2b(message, 64);
      ASSERT_TRUE(digest.ok());
      EXPECT_EQ(hex(*digest), c.text("digest"));
      auto incremental = Blake2b::create(64);
      ASSERT_TRUE(incremental.ok());
      EXPECT_EQ(hex(incremental->update(message).finish()), c.text("digest"));
    }
  }
}

TEST(Hash, IncrementalMatchesOneShot) {
  const Bytes data = to_bytes("The quick brown fox jumps over the lazy dog, in pieces.");
  const std::span<const std::uint8_t> all(data);
  Sha256 h;
  h.update(all.first(10)).update(all.subspan(10, 7)).update(all.subspan(17));
  EXPECT_EQ(h.finish(), sha256(data));
  EXPECT_EQ(h.update(data).finish(), sha256(data));  // finish() started it over

  auto b = Blake2b::create(32);
  ASSERT_TRUE(b.ok());
  b->update(all.first(3)).update(all.subspan(3));
  EXPECT_EQ(b->finish(), *blake2b(data, 32));
  EXPECT_EQ(b->update(data).finish(), *blake2b(data, 32));
}

TEST(Hash, Sha512OfAbc) {
  // FIPS 180-2 Appendix C.1 — also the message of RFC 8032's TEST SHA(abc).
  EXPECT_EQ(hex(sha512(as_bytes("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(Hash, Blake2bKeyedDiffersAndChecksSizes) {
  const Bytes key(32, 0x42);
  auto plain = blake2b(as_bytes("abc"));
  auto keyed = blake2b(as_bytes("abc"), 32, key);
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE(keyed.ok());
  EXPECT_EQ(plain->size(), 32u);
  EXPECT_NE(*plain, *keyed);
  EXPECT_TRUE(fails_with(blake2b(as_bytes("abc"), 15), "invalid_output_length"));
  EXPECT_TRUE(fails_with(blake2b(as_bytes("abc"), 65), "invalid_output_length"));
  EXPECT_TRUE(fails_with(blake2b(as_bytes("abc"), 32, Bytes(8, 1)), "invalid_key_length"));
  EXPECT_TRUE(fails_with(blake2b(as_bytes("abc"), 32, Bytes(65, 1)), "invalid_key_length"));
  EXPECT_TRUE(fails_with(Blake2b::create(8), "invalid_output_length"));
}

}  // namespace
}  // namespace hippocrate::crypto
