#include "crypto/x25519.h"

#include <gtest/gtest.h>

#include "crypto/compare.h"
#include "test_util.h"
#include "vector_file.h"

namespace hippocrate::crypto {
namespace {

using testing::fails_with;
using testing::hex;
using testing::is_ok;

TEST(X25519, Rfc7748Vectors) {
  const auto cases = testing::load_vectors("rfc7748_x25519.txt");
  ASSERT_EQ(cases.size(), 5u);
  int scalar_mult = 0, iterated = 0, dh = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    if (c.has("scalar")) {
      // RFC 7748 §5.2: X25519(scalar, u).
      auto out = x25519_shared_secret(c.secret("scalar"), c.hex("u"));
      ASSERT_TRUE(is_ok(out));
      EXPECT_EQ(hex(out->span()), c.text("output"));
      ++scalar_mult;
    } else if (c.has("iterations")) {
      // RFC 7748 §5.2: k = u = 9; repeat: k, u = X25519(k, u), k.
      SecretBytes k = c.secret("start");
      Bytes u = c.hex("start");
      for (std::size_t i = 0; i < c.number("iterations"); ++i) {
        auto next = x25519_shared_secret(k, u);
        ASSERT_TRUE(is_ok(next));
        u.assign(k.span().begin(), k.span().end());
        k = std::move(*next);
      }
      EXPECT_EQ(hex(k.span()), c.text("output"));
      ++iterated;
    } else {
      // RFC 7748 §6.1: both public keys, and both sides agree on K.
      const SecretBytes alice = c.secret("alice_private");
      const SecretBytes bob = c.secret("bob_private");
      auto alice_pub = x25519_public_key(alice);
      auto bob_pub = x25519_public_key(bob);
      ASSERT_TRUE(alice_pub.ok());
      ASSERT_TRUE(bob_pub.ok());
      EXPECT_EQ(hex(*alice_pub), c.text("alice_public"));
      EXPECT_EQ(hex(*bob_pub), c.text("bob_public"));
      auto k_alice = x25519_shared_secret(alice, c.hex("bob_public"));
      auto k_bob = x25519_shared_secret(bob, c.hex("alice_public"));
      ASSERT_TRUE(k_alice.ok());
      ASSERT_TRUE(k_bob.ok());
      EXPECT_EQ(hex(k_alice->span()), c.text("shared"));
      EXPECT_EQ(hex(k_bob->span()), c.text("shared"));
      ++dh;
    }
  }
  EXPECT_EQ(scalar_mult, 2);
  EXPECT_EQ(iterated, 2);
  EXPECT_EQ(dh, 1);
}

TEST(X25519, GeneratedPairsAgree) {
  X25519KeyPair a = x25519_generate();
  X25519KeyPair b = x25519_generate();
  EXPECT_EQ(a.private_key.size(), kX25519PrivateKeyBytes);
  EXPECT_EQ(*x25519_public_key(a.private_key), a.public_key);
  auto ab = x25519_shared_secret(a.private_key, b.public_key);
  auto ba = x25519_shared_secret(b.private_key, a.public_key);
  ASSERT_TRUE(ab.ok());
  ASSERT_TRUE(ba.ok());
  EXPECT_EQ(ab->size(), kX25519SharedSecretBytes);
  EXPECT_TRUE(ab->constant_time_equals(ba->span()));
}

TEST(X25519, AllZeroAndLowOrderPointsAreRefused) {
  const X25519KeyPair a = x25519_generate();
  // u = 0: the result would be all-zero for every private key (RFC 7748 §6.1).
  EXPECT_TRUE(fails_with(x25519_shared_secret(a.private_key, Bytes(32, 0)), "weak_public_key"));
  // u = 1, another point of small order.
  Bytes one(32, 0);
  one[0] = 1;
  EXPECT_TRUE(fails_with(x25519_shared_secret(a.private_key, one), "weak_public_key"));
  // u = p - 1 = 2^255 - 20 (order 2), little-endian.
  Bytes p_minus_1(32, 0xff);
  p_minus_1[0] = 0xec;
  p_minus_1[31] = 0x7f;
  EXPECT_TRUE(fails_with(x25519_shared_secret(a.private_key, p_minus_1), "weak_public_key"));
}

TEST(X25519, WrongLengthsAreRefused) {
  const X25519KeyPair a = x25519_generate();
  EXPECT_TRUE(fails_with(x25519_shared_secret(SecretBytes::from(Bytes(31, 1)), a.public_key),
                         "invalid_key_length"));
  EXPECT_TRUE(
      fails_with(x25519_shared_secret(a.private_key, Bytes(31, 9)), "invalid_public_key_length"));
  EXPECT_TRUE(fails_with(x25519_public_key(SecretBytes::from(Bytes(33, 1))), "invalid_key_length"));
}

}  // namespace
}  // namespace hippocrate::crypto
