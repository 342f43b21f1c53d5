#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "vector_file.h"

namespace hippocrate::crypto {
namespace {

using testing::fails_with;
using testing::hex;
using testing::is_ok;

// RFC 8032 §7.1: TEST 1, 2, 3, 1024 and SHA(abc).
TEST(Ed25519, Rfc8032Vectors) {
  const auto cases = testing::load_vectors("rfc8032_ed25519.txt");
  ASSERT_EQ(cases.size(), 5u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto pair = ed25519_keypair_from_seed(c.secret("secret_key"));
    ASSERT_TRUE(is_ok(pair));
    EXPECT_EQ(hex(pair->public_key), c.text("public_key"));
    EXPECT_EQ(pair->secret_key.size(), kEd25519SecretKeyBytes);
    auto seed = ed25519_seed(pair->secret_key);
    ASSERT_TRUE(seed.ok());
    EXPECT_EQ(hex(seed->span()), c.text("secret_key"));

    const Bytes message = c.hex("message");
    auto signature = ed25519_sign(pair->secret_key, message);
    ASSERT_TRUE(is_ok(signature));
    EXPECT_EQ(hex(*signature), c.text("signature"));
    EXPECT_TRUE(is_ok(ed25519_verify(c.hex("public_key"), message, c.hex("signature"))));
  }
}

TEST(Ed25519, InvalidSignaturesAreRejected) {
  const Ed25519KeyPair pair = ed25519_generate();
  const Bytes message = to_bytes("Prescription #42");
  const Ed25519Signature signature = *ed25519_sign(pair.secret_key, message);
  ASSERT_TRUE(is_ok(ed25519_verify(pair.public_key, message, signature)));

  for (std::size_t i = 0; i < signature.size(); ++i) {
    Ed25519Signature bad = signature;
    bad[i] ^= 0x01;
    EXPECT_TRUE(fails_with(ed25519_verify(pair.public_key, message, bad), "invalid_signature"))
        << "byte " << i;
  }
  EXPECT_TRUE(fails_with(ed25519_verify(pair.public_key, to_bytes("Prescription #43"), signature),
                         "invalid_signature"));
  EXPECT_TRUE(fails_with(ed25519_verify(ed25519_generate().public_key, message, signature),
                         "invalid_signature"));
  EXPECT_TRUE(fails_with(ed25519_verify(pair.public_key, message, std::span(signature).first(63)),
                         "invalid_signature"));
  EXPECT_TRUE(fails_with(ed25519_verify(Bytes(31, 1), message, signature), "invalid_signature"));
  EXPECT_TRUE(
      fails_with(ed25519_verify(pair.public_key, message, Bytes(64, 0)), "invalid_signature"));
  // S >= L is non-canonical (RFC 8032 §5.1.7 step 1): S = s + L must be refused.
  Ed25519Signature malleated = signature;
  static constexpr std::uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                          0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                          0,    0,    0,    0,    0,    0,    0,    0,
                                          0,    0,    0,    0,    0,    0,    0,    0x10};
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const unsigned sum = malleated[32 + i] + kL[i] + carry;
    malleated[32 + i] = static_cast<std::uint8_t>(sum);
    carry = sum >> 8;
  }
  EXPECT_TRUE(fails_with(ed25519_verify(pair.public_key, message, malleated), "invalid_signature"));
}

TEST(Ed25519, KeyLengthsAreChecked) {
  EXPECT_TRUE(
      fails_with(ed25519_keypair_from_seed(SecretBytes::from(Bytes(31, 1))), "invalid_key_length"));
  EXPECT_TRUE(
      fails_with(ed25519_sign(SecretBytes::from(Bytes(32, 1)), Bytes{}), "invalid_key_length"));
  EXPECT_TRUE(fails_with(ed25519_seed(SecretBytes::from(Bytes(32, 1))), "invalid_key_length"));
}

TEST(Ed25519, GeneratedKeysHaveTheRightSizes) {
  const Ed25519KeyPair pair = ed25519_generate();
  EXPECT_EQ(pair.secret_key.size(), kEd25519SecretKeyBytes);
  auto again = ed25519_keypair_from_seed(*ed25519_seed(pair.secret_key));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key, pair.public_key);
}

}  // namespace
}  // namespace hippocrate::crypto
