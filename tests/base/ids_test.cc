#include "base/ids.h"

#include <gtest/gtest.h>

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

TEST(Ids, ValidationRejectsOtherShapes) {
  EXPECT_FALSE(is_valid_id(""));
  EXPECT_FALSE(is_valid_id("0123456789abcdef0123456789abcde"));    // 31
  EXPECT_FALSE(is_valid_id("0123456789ABCDEF0123456789abcdef"));   // upper case
  EXPECT_FALSE(is_valid_id("0123456789abcdef0123456789abcdeg"));   // not hex
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
