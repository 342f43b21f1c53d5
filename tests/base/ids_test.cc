#include "base/ids.h"

#include <gtest/gtest.h>

#include <set>

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
}

}  // namespace
}  // namespace hippocrate
