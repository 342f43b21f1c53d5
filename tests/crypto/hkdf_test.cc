#include "crypto/hkdf.h"

#include <gtest/gtest.h>

#include <type_traits>

#include "test_util.h"
#include "vector_file.h"

namespace hippocrate::crypto {
namespace {

using testing::fails_with;
using testing::hex;

// RFC 5869 Appendix A.1–A.3: PRK from extract, OKM from expand and from the one-call form.
TEST(Hkdf, Rfc5869TestCases) {
  const auto cases = testing::load_vectors("rfc5869_hkdf_sha256.txt");
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Bytes ikm = c.hex("ikm");
    const Bytes salt = c.hex("salt");
    const Bytes info = c.hex("info");
    const std::size_t length = c.number("length");

    SecretBytes prk = hkdf_sha256_extract(salt, ikm);
    EXPECT_EQ(hex(prk.span()), c.text("prk"));

    auto okm = hkdf_sha256_expand(prk.span(), info, length);
    ASSERT_TRUE(okm.ok());
    EXPECT_EQ(okm->size(), length);
    EXPECT_EQ(hex(okm->span()), c.text("okm"));

    auto direct = hkdf_sha256(salt, ikm, info, length);
    ASSERT_TRUE(direct.ok());
    EXPECT_EQ(hex(direct->span()), c.text("okm"));
  }
}

TEST(Hkdf, EmptySaltIsHashLenZeros) {
  // RFC 5869 §2.2: an absent salt is HashLen zero bytes.
  const Bytes ikm(22, 0x0b);
  EXPECT_TRUE(hkdf_sha256_extract(Bytes{}, ikm)
                  .constant_time_equals(hkdf_sha256_extract(Bytes(32, 0), ikm).span()));
}

TEST(Hkdf, OutputLengthLimits) {
  const Bytes prk(32, 7);
  auto max = hkdf_sha256_expand(prk, Bytes{}, 255 * 32);
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->size(), 8160u);
  auto one = hkdf_sha256_expand(prk, Bytes{}, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->data()[0], max->data()[0]);  // OKM is a prefix of T(1)‖T(2)…
  EXPECT_TRUE(fails_with(hkdf_sha256_expand(prk, Bytes{}, 255 * 32 + 1), "invalid_output_length"));
  EXPECT_TRUE(fails_with(hkdf_sha256_expand(prk, Bytes{}, 0), "invalid_output_length"));
  EXPECT_TRUE(fails_with(hkdf_sha256(Bytes{}, prk, Bytes{}, 9000), "invalid_output_length"));
}

TEST(Hkdf, ExpandRejectsShortPrk) {
  EXPECT_TRUE(fails_with(hkdf_sha256_expand(Bytes(31, 1), Bytes{}, 32), "invalid_key_length"));
}

TEST(Hkdf, ReturnsSecretOfRequestedLength) {
  auto key = hkdf_sha256(Bytes{}, Bytes(32, 1), to_bytes("hippocrate test"), 32);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->size(), 32u);
  static_assert(std::is_same_v<std::decay_t<decltype(*key)>, SecretBytes>);
}

}  // namespace
}  // namespace hippocrate::crypto
