#include "base/ids.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>

namespace hippocrate {
namespace {

TEST(Ids, AreWellFormedAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = random_id();
    EXPECT_TRUE(is_valid_id(id)) << id;
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(Ids, MessageIdsFollowTheUuidVersion7Layout) {
  // RFC 9562 section 5.7: 48-bit big-endian Unix milliseconds, version 7, variant 10.
  const std::array<std::uint8_t, 10> ones = {0xff, 0xff, 0xff, 0xff, 0xff,
                                             0xff, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(message_id_at(0x0123456789ab, ones), "0123456789ab7fffbfffffffffffffff");
  const std::array<std::uint8_t, 10> zeros{};
  EXPECT_EQ(message_id_at(0x0123456789ab, zeros), "0123456789ab70008000000000000000");
  // Only the low 48 bits of the time are kept (the year 10889 wraps).
  EXPECT_EQ(message_id_at(0xff0123456789abULL, zeros).substr(0, 12), "0123456789ab");
  // The random bytes all land somewhere: 74 bits, none lost to another.
  const std::array<std::uint8_t, 10> counted = {0x01, 0x23, 0x45, 0x67, 0x89,
                                                0xab, 0xcd, 0xef, 0x10, 0x32};
  EXPECT_EQ(message_id_at(0, counted),
            "00000000000071238567"
            "89abcdef1032");
}

TEST(Ids, NewMessageIdsCarryTheTimeAndSortByIt) {
  std::set<std::string> seen;
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string previous_prefix;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = new_message_id();
    EXPECT_TRUE(is_valid_id(id)) << id;
    EXPECT_TRUE(seen.insert(id).second);
    EXPECT_EQ(id[12], '7') << id;
    EXPECT_NE(std::string_view("89ab").find(id[16]), std::string_view::npos) << id;
    const std::string prefix = id.substr(0, 12);
    EXPECT_GE(prefix, previous_prefix);  // later ids never sort before earlier ones' time
    previous_prefix = prefix;
  }
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  const auto ms = std::stoll(previous_prefix, nullptr, 16);
  EXPECT_GE(ms, before);
  EXPECT_LE(ms, after);
}

TEST(Ids, ValidationRejectsOtherShapes) {
  EXPECT_FALSE(is_valid_id(""));
  EXPECT_FALSE(is_valid_id("0123456789abcdef0123456789abcde"));   // 31
  EXPECT_FALSE(is_valid_id("0123456789ABCDEF0123456789abcdef"));  // upper case
  EXPECT_FALSE(is_valid_id("0123456789abcdef0123456789abcdeg"));  // not hex
  EXPECT_TRUE(is_valid_id("0123456789abcdef0123456789abcdef"));
  // Each character just outside the two ranges, at the first and the last position.
  for (char bad : {'/', ':', '`', 'g', '\0', '\xff', ' '}) {
    std::string id(32, 'a');
    id.front() = bad;
    EXPECT_FALSE(is_valid_id(id)) << static_cast<int>(bad);
    id.front() = 'a';
    id.back() = bad;
    EXPECT_FALSE(is_valid_id(id)) << static_cast<int>(bad);
  }
}

}  // namespace
}  // namespace hippocrate
