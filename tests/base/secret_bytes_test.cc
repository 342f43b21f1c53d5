#include "base/secret_bytes.h"

#include <gtest/gtest.h>

#include <cstring>
#include <type_traits>

namespace hippocrate {
namespace {

static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);

TEST(SecretBytes, HoldsAndComparesInConstantTime) {
  auto s = SecretBytes::from(std::string_view("correct horse"));
  EXPECT_EQ(s.size(), 13u);
  EXPECT_EQ(s.view(), "correct horse");
  const std::string same = "correct horse";
  const std::string other = "correct horsE";
  EXPECT_TRUE(s.constant_time_equals(
      {reinterpret_cast<const std::uint8_t*>(same.data()), same.size()}));
  EXPECT_FALSE(s.constant_time_equals(
      {reinterpret_cast<const std::uint8_t*>(other.data()), other.size()}));
  EXPECT_FALSE(s.constant_time_equals({reinterpret_cast<const std::uint8_t*>("c"), 1}));
}

TEST(SecretBytes, MoveLeavesSourceEmpty) {
  auto a = SecretBytes::from(std::string_view("key"));
  SecretBytes b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the contract under test
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(b.view(), "key");
  SecretBytes c(4);
  c = std::move(b);
  EXPECT_EQ(c.view(), "key");
}

TEST(SecretBytes, CloneIsIndependent) {
  auto a = SecretBytes::from(std::string_view("abc"));
  auto b = a.clone();
  b.data()[0] = 'x';
  EXPECT_EQ(a.view(), "abc");
  EXPECT_EQ(b.view(), "xbc");
}

TEST(SecretBytes, NewBufferIsZeroAndWipeEmpties) {
  SecretBytes s(32);
  for (auto byte : s.span()) EXPECT_EQ(byte, 0);
  std::memset(s.data(), 0xAB, s.size());
  s.wipe();
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.data(), nullptr);
}

}  // namespace
}  // namespace hippocrate
