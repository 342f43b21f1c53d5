#include "base/secret_bytes.h"

#include <gtest/gtest.h>

#include <cstring>
#include <type_traits>
#include <vector>

#include "base/secure_arena.h"

#if defined(__SANITIZE_ADDRESS__)
#define SECRET_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SECRET_TEST_ASAN 1
#endif
#endif
#ifdef SECRET_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

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
  EXPECT_TRUE(
      s.constant_time_equals({reinterpret_cast<const std::uint8_t*>(same.data()), same.size()}));
  EXPECT_FALSE(
      s.constant_time_equals({reinterpret_cast<const std::uint8_t*>(other.data()), other.size()}));
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

TEST(SecretBytes, SizeZeroHoldsNothing) {
  SecretBytes s(0);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.data(), nullptr);
  auto t = SecretBytes::from(std::string_view(""));
  EXPECT_TRUE(t.empty());
  EXPECT_TRUE(t.clone().empty());
  EXPECT_TRUE(t.constant_time_equals({}));
  EXPECT_FALSE(t.constant_time_equals({reinterpret_cast<const std::uint8_t*>("a"), 1}));
  t.wipe();
  SecretBytes u = std::move(t);
  EXPECT_TRUE(u.empty());
}

TEST(SecretBytes, LargeSizesStillWork) {
  for (std::size_t size : {secure_arena::kMaxSecretBytes, secure_arena::kMaxSecretBytes + 1,
                           std::size_t{4096}, std::size_t{65536}, std::size_t{1} << 20}) {
    SecretBytes s(size);
    ASSERT_EQ(s.size(), size);
    for (auto byte : s.span()) ASSERT_EQ(byte, 0) << size;
    for (std::size_t i = 0; i < size; ++i) s.data()[i] = static_cast<std::uint8_t>(i * 13);
    SecretBytes copy = s.clone();
    EXPECT_TRUE(copy.constant_time_equals(s.span())) << size;
    copy.data()[size - 1] ^= 1;
    EXPECT_FALSE(copy.constant_time_equals(s.span())) << size;
    SecretBytes moved = std::move(s);
    EXPECT_EQ(moved.data()[size - 1], static_cast<std::uint8_t>((size - 1) * 13));
  }
}

#ifndef __EMSCRIPTEN__
// Reads memory a SecretBytes has released. Only for arena sizes, whose chunks stay mapped
// (a large buffer is unmapped by sodium_free, so its wiping is not checkable from outside).
// Under ASan the released bytes must also be poisoned; they are read with the poison lifted.
bool released_bytes_are_zero(const std::uint8_t* p, std::size_t n) {
#ifdef SECRET_TEST_ASAN
  for (std::size_t i = 0; i < n; ++i) {
    if (!__asan_address_is_poisoned(p + i)) return false;
  }
  ASAN_UNPOISON_MEMORY_REGION(p, n);
#endif
  bool zero = true;
  const volatile std::uint8_t* v = p;
  for (std::size_t i = 0; i < n; ++i) zero = zero && v[i] == 0;
#ifdef SECRET_TEST_ASAN
  ASAN_POISON_MEMORY_REGION(p, n);
#endif
  return zero;
}

TEST(SecretBytes, WipedOnDestructionWipeAndMoveAssignment) {
  const std::uint8_t* destroyed = nullptr;
  {
    auto s = SecretBytes::from(std::string_view("destroyed secret"));
    destroyed = s.data();
  }
  EXPECT_TRUE(released_bytes_are_zero(destroyed, 16));

  auto w = SecretBytes::from(std::string_view("wiped secret"));
  const std::uint8_t* wiped = w.data();
  w.wipe();
  EXPECT_TRUE(released_bytes_are_zero(wiped, 12));

  auto target = SecretBytes::from(std::string_view("replaced secret"));
  const std::uint8_t* replaced = target.data();
  auto source = SecretBytes::from(std::string_view("moved secret"));
  const std::uint8_t* moved = source.data();
  target = std::move(source);
  EXPECT_TRUE(released_bytes_are_zero(replaced, 15));
  EXPECT_EQ(target.data(), moved);    // the buffer moves; no copy stays behind
  EXPECT_EQ(source.data(), nullptr);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(target.view(), "moved secret");
}
#endif

}  // namespace
}  // namespace hippocrate
