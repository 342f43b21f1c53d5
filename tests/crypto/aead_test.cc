#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <type_traits>

#include "test_util.h"
#include "vector_file.h"

namespace hippocrate::crypto {
namespace {

using testing::fails_with;
using testing::hex;
using testing::is_ok;

Bytes concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// RFC 8439 §2.8.2 (seal) and Appendix A.5 (open).
TEST(ChaCha20Poly1305, Rfc8439Vectors) {
  const auto cases = testing::load_vectors("rfc8439_chacha20poly1305.txt");
  ASSERT_EQ(cases.size(), 2u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const SecretBytes key = c.secret("key");
    const Bytes expected = concat(c.hex("ciphertext"), c.hex("tag"));
    auto sealed = chacha20poly1305_seal(key, c.hex("nonce"), c.hex("plaintext"), c.hex("aad"));
    ASSERT_TRUE(is_ok(sealed));
    EXPECT_EQ(hex(*sealed), hex(expected));
    auto opened = chacha20poly1305_open(key, c.hex("nonce"), expected, c.hex("aad"));
    ASSERT_TRUE(is_ok(opened));
    EXPECT_EQ(*opened, c.hex("plaintext"));
  }
}

// draft-irtf-cfrg-xchacha-03 Appendix A.3.1.
TEST(XChaCha20Poly1305, DraftVector) {
  const auto cases = testing::load_vectors("xchacha20poly1305_draft03.txt");
  ASSERT_EQ(cases.size(), 1u);
  const auto& c = cases[0];
  const SecretBytes key = c.secret("key");
  const Bytes expected = concat(c.hex("ciphertext"), c.hex("tag"));
  auto sealed = xchacha_seal_with_nonce(key, c.hex("nonce"), c.hex("plaintext"), c.hex("aad"));
  ASSERT_TRUE(is_ok(sealed));
  EXPECT_EQ(hex(*sealed), hex(expected));
  auto opened = xchacha_open_with_nonce(key, c.hex("nonce"), expected, c.hex("aad"));
  ASSERT_TRUE(is_ok(opened));
  EXPECT_EQ(*opened, c.hex("plaintext"));
  // The same bytes laid out as nonce ‖ ciphertext ‖ tag open with xchacha_open.
  auto opened_combined = xchacha_open(key, concat(c.hex("nonce"), expected), c.hex("aad"));
  ASSERT_TRUE(is_ok(opened_combined));
  EXPECT_EQ(*opened_combined, c.hex("plaintext"));
}

TEST(XChaCha20Poly1305, RandomNonceRoundTrip) {
  const SecretBytes key = aead_keygen();
  ASSERT_EQ(key.size(), kAeadKeyBytes);
  const Bytes msg = to_bytes("ordonnance: amoxicilline 1 g, 3 fois par jour");
  const Bytes ad = to_bytes("envelope-header");
  auto a = xchacha_seal(key, msg, ad);
  auto b = xchacha_seal(key, msg, ad);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->size(), kXChaChaNonceBytes + msg.size() + kAeadTagBytes);
  EXPECT_NE(*a, *b);  // fresh nonce each time
  auto opened = xchacha_open(key, *a, ad);
  ASSERT_TRUE(is_ok(opened));
  EXPECT_EQ(*opened, msg);
  auto secret = xchacha_open_secret(key, *b, ad);
  ASSERT_TRUE(is_ok(secret));
  EXPECT_TRUE(secret->constant_time_equals(msg));
  // Empty plaintext and empty AD are fine.
  auto empty = xchacha_seal(key, Bytes{});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(is_ok(xchacha_open(key, *empty)));
}

// Any change to ciphertext, tag, nonce, AD or key must fail, and return no plaintext.
TEST(XChaCha20Poly1305, TamperingIsDetected) {
  const SecretBytes key = aead_keygen();
  const Bytes msg = to_bytes("secret medical note");
  const Bytes ad = to_bytes("ad");
  const Bytes sealed = *xchacha_seal(key, msg, ad);

  for (std::size_t i = 0; i < sealed.size(); ++i) {  // nonce, ciphertext and tag bytes
    Bytes bad = sealed;
    bad[i] ^= 0x01;
    EXPECT_TRUE(fails_with(xchacha_open(key, bad, ad), "decryption_failed")) << "byte " << i;
  }
  EXPECT_TRUE(fails_with(xchacha_open(key, sealed, to_bytes("ae")), "decryption_failed"));
  EXPECT_TRUE(fails_with(xchacha_open(key, sealed, Bytes{}), "decryption_failed"));
  EXPECT_TRUE(fails_with(xchacha_open(aead_keygen(), sealed, ad), "decryption_failed"));
  EXPECT_TRUE(fails_with(xchacha_open_secret(aead_keygen(), sealed, ad), "decryption_failed"));
  // Truncated inputs: missing tag bytes, or shorter than nonce + tag.
  EXPECT_TRUE(fails_with(xchacha_open(key, std::span(sealed).first(sealed.size() - 1), ad),
                         "decryption_failed"));
  EXPECT_TRUE(fails_with(xchacha_open(key, std::span(sealed).first(39), ad), "decryption_failed"));
  EXPECT_TRUE(fails_with(xchacha_open(key, Bytes{}, ad), "decryption_failed"));
  // Appended bytes.
  Bytes longer = sealed;
  longer.push_back(0);
  EXPECT_TRUE(fails_with(xchacha_open(key, longer, ad), "decryption_failed"));
}

TEST(ChaCha20Poly1305, TamperingIsDetected) {
  const SecretBytes key = aead_keygen();
  const Bytes nonce(kChaChaIetfNonceBytes, 3);
  const Bytes ad = to_bytes("ad");
  const Bytes sealed = *chacha20poly1305_seal(key, nonce, to_bytes("hello"), ad);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes bad = sealed;
    bad[i] ^= 0x80;
    EXPECT_TRUE(fails_with(chacha20poly1305_open(key, nonce, bad, ad), "decryption_failed"));
  }
  Bytes other_nonce = nonce;
  other_nonce[0] ^= 1;
  EXPECT_TRUE(fails_with(chacha20poly1305_open(key, other_nonce, sealed, ad), "decryption_failed"));
  EXPECT_TRUE(fails_with(chacha20poly1305_open(key, nonce, sealed, Bytes{}), "decryption_failed"));
  EXPECT_TRUE(fails_with(chacha20poly1305_open(key, nonce, Bytes(15, 0), ad), "decryption_failed"));
}

TEST(XChaCha20Poly1305, ExplicitNonceTamperingIsDetected) {
  const SecretBytes key = aead_keygen();
  const Bytes nonce(kXChaChaNonceBytes, 9);
  const Bytes sealed = *xchacha_seal_with_nonce(key, nonce, to_bytes("hello"), Bytes{});
  Bytes other_nonce = nonce;
  other_nonce[23] ^= 1;
  EXPECT_TRUE(fails_with(xchacha_open_with_nonce(key, other_nonce, sealed), "decryption_failed"));
  EXPECT_TRUE(is_ok(xchacha_open_with_nonce(key, nonce, sealed)));
}

TEST(Aead, WrongKeyAndNonceLengthsAreRejected) {
  const SecretBytes short_key = SecretBytes::from(Bytes(31, 1));
  const SecretBytes long_key = SecretBytes::from(Bytes(33, 1));
  const SecretBytes key = aead_keygen();
  const Bytes msg = to_bytes("m");
  for (const SecretBytes* k : {&short_key, &long_key}) {
    EXPECT_TRUE(fails_with(xchacha_seal(*k, msg), "invalid_key_length"));
    EXPECT_TRUE(fails_with(xchacha_open(*k, Bytes(64, 0)), "invalid_key_length"));
    EXPECT_TRUE(fails_with(xchacha_open(*k, Bytes(3, 0)), "invalid_key_length"));
    EXPECT_TRUE(fails_with(xchacha_open_secret(*k, Bytes(64, 0)), "invalid_key_length"));
    EXPECT_TRUE(fails_with(xchacha_seal_with_nonce(*k, Bytes(24, 0), msg), "invalid_key_length"));
    EXPECT_TRUE(fails_with(chacha20poly1305_seal(*k, Bytes(12, 0), msg), "invalid_key_length"));
    EXPECT_TRUE(
        fails_with(chacha20poly1305_open(*k, Bytes(12, 0), Bytes(32, 0)), "invalid_key_length"));
  }
  EXPECT_TRUE(fails_with(xchacha_seal(SecretBytes(), msg), "invalid_key_length"));
  EXPECT_TRUE(fails_with(xchacha_seal_with_nonce(key, Bytes(12, 0), msg), "invalid_nonce_length"));
  EXPECT_TRUE(
      fails_with(xchacha_open_with_nonce(key, Bytes(25, 0), Bytes(32, 0)), "invalid_nonce_length"));
  EXPECT_TRUE(fails_with(chacha20poly1305_seal(key, Bytes(24, 0), msg), "invalid_nonce_length"));
  EXPECT_TRUE(
      fails_with(chacha20poly1305_open(key, Bytes(11, 0), Bytes(32, 0)), "invalid_nonce_length"));
}

TEST(Aead, OpenSecretReturnsSecretBytes) {
  static_assert(std::is_same_v<decltype(xchacha_open_secret(std::declval<const SecretBytes&>(),
                                                            Bytes{}, Bytes{})),
                               Result<SecretBytes>>);
  const SecretBytes key = aead_keygen();
  const SecretBytes inner = aead_keygen();
  auto wrapped = xchacha_seal(key, inner.span());
  ASSERT_TRUE(wrapped.ok());
  auto unwrapped = xchacha_open_secret(key, *wrapped);
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_EQ(unwrapped->size(), kAeadKeyBytes);
  EXPECT_TRUE(unwrapped->constant_time_equals(inner.span()));
}

}  // namespace
}  // namespace hippocrate::crypto
