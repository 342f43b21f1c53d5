#include "crypto/hmac.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "vector_file.h"

namespace hippocrate::crypto {
namespace {

using testing::fails_with;
using testing::hex;
using testing::is_ok;

// RFC 4231 §4.2–§4.8, Test Cases 1–7. Test Case 5 gives only the first 128 bits.
TEST(Hmac, Rfc4231TestCases) {
  const auto cases = testing::load_vectors("rfc4231_hmac_sha2.txt");
  ASSERT_EQ(cases.size(), 7u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Bytes key = c.hex("key");
    const Bytes data = c.hex("data");
    const std::size_t truncate = c.has("truncate") ? c.number("truncate") : 0;
    const HmacSha256Tag t256 = hmac_sha256(key, data);
    const HmacSha512Tag t512 = hmac_sha512(key, data);
    if (truncate != 0) {
      EXPECT_EQ(hex(std::span(t256).first(truncate)), c.text("sha256"));
      EXPECT_EQ(hex(std::span(t512).first(truncate)), c.text("sha512"));
    } else {
      EXPECT_EQ(hex(t256), c.text("sha256"));
      EXPECT_EQ(hex(t512), c.text("sha512"));
      EXPECT_TRUE(is_ok(verify_hmac_sha256(key, data, c.hex("sha256"))));
      EXPECT_TRUE(is_ok(verify_hmac_sha512(key, data, c.hex("sha512"))));
    }
    // The SecretBytes variants compute the same values.
    EXPECT_TRUE(hmac_sha256_secret(key, data).constant_time_equals(t256));
    EXPECT_TRUE(hmac_sha512_secret(key, data).constant_time_equals(t512));
  }
}

TEST(Hmac, VerifyRejectsWrongTagsKeysAndMessages) {
  const Bytes key = to_bytes("key");
  const Bytes msg = to_bytes("message");
  HmacSha256Tag tag = hmac_sha256(key, msg);
  EXPECT_TRUE(is_ok(verify_hmac_sha256(key, msg, tag)));
  EXPECT_TRUE(fails_with(verify_hmac_sha256(to_bytes("kez"), msg, tag), "invalid_mac"));
  EXPECT_TRUE(fails_with(verify_hmac_sha256(key, to_bytes("messagf"), tag), "invalid_mac"));
  // Truncated tags are refused even when the prefix matches (RFC 4231 §4.6 is output only).
  EXPECT_TRUE(fails_with(verify_hmac_sha256(key, msg, std::span(tag).first(16)), "invalid_mac"));
  tag[31] ^= 1;
  EXPECT_TRUE(fails_with(verify_hmac_sha256(key, msg, tag), "invalid_mac"));

  HmacSha512Tag tag512 = hmac_sha512(key, msg);
  EXPECT_TRUE(is_ok(verify_hmac_sha512(key, msg, tag512)));
  tag512[0] ^= 0x80;
  EXPECT_TRUE(fails_with(verify_hmac_sha512(key, msg, tag512), "invalid_mac"));
  EXPECT_TRUE(fails_with(verify_hmac_sha512(key, msg, Bytes{}), "invalid_mac"));
}

TEST(Hmac, SecretVariantsHaveTheHashLength) {
  EXPECT_EQ(hmac_sha256_secret(Bytes{}, Bytes{}).size(), kHmacSha256Bytes);
  EXPECT_EQ(hmac_sha512_secret(Bytes{}, Bytes{}).size(), kHmacSha512Bytes);
}

}  // namespace
}  // namespace hippocrate::crypto
