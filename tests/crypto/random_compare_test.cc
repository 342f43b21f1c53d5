#include <gtest/gtest.h>

#include <set>

#include "crypto/compare.h"
#include "crypto/random.h"
#include "test_util.h"

namespace hippocrate::crypto {
namespace {

TEST(Random, BytesHaveTheRequestedSizeAndDiffer) {
  EXPECT_TRUE(random_bytes(0).empty());
  const Bytes a = random_bytes(32);
  const Bytes b = random_bytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);  // 2^-256 chance of a false failure
}

TEST(Random, SecretHasTheRequestedSize) {
  SecretBytes s = random_secret(32);
  EXPECT_EQ(s.size(), 32u);
  EXPECT_FALSE(is_all_zero(s.span()));
  EXPECT_TRUE(random_secret(0).empty());
}

TEST(Random, UniformStaysBelowItsBoundAndCoversIt) {
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::uint32_t v = uniform(10);
    ASSERT_LT(v, 10u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(uniform(1), 0u);
  EXPECT_EQ(uniform(0), 0u);
}

TEST(Compare, ConstantTimeEquals) {
  const Bytes a = {1, 2, 3, 4};
  const Bytes b = {1, 2, 3, 4};
  const Bytes c = {1, 2, 3, 5};
  const Bytes shorter = {1, 2, 3};
  EXPECT_TRUE(constant_time_equals(a, b));
  EXPECT_FALSE(constant_time_equals(a, c));
  EXPECT_FALSE(constant_time_equals(a, shorter));
  EXPECT_TRUE(constant_time_equals(Bytes{}, Bytes{}));
  EXPECT_FALSE(constant_time_equals(Bytes{}, a));
}

TEST(Compare, IsAllZero) {
  EXPECT_TRUE(is_all_zero(Bytes(32, 0)));
  Bytes almost(32, 0);
  almost[31] = 1;
  EXPECT_FALSE(is_all_zero(almost));
  EXPECT_TRUE(is_all_zero(Bytes{}));
}

}  // namespace
}  // namespace hippocrate::crypto
