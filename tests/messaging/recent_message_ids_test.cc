// RecentMessageIds remembers the last kCapacity ids, first in first out; adding an id it
// holds changes nothing.
#include "messaging/recent_message_ids.h"

#include <gtest/gtest.h>

#include <string>

namespace hippocrate::messaging {
namespace {

TEST(RecentMessageIds, ForgetsTheOldestPastItsCapacity) {
  RecentMessageIds recent;
  const auto id = [](std::size_t i) { return "m" + std::to_string(i); };
  EXPECT_FALSE(recent.contains(id(0)));
  for (std::size_t i = 0; i < RecentMessageIds::kCapacity; ++i) recent.add(id(i));
  recent.add(id(0));  // already held: not moved, not counted twice
  EXPECT_TRUE(recent.contains(id(0)));
  EXPECT_TRUE(recent.contains(id(RecentMessageIds::kCapacity - 1)));
  recent.add(id(RecentMessageIds::kCapacity));  // one past: the oldest goes
  EXPECT_FALSE(recent.contains(id(0)));
  EXPECT_TRUE(recent.contains(id(1)));
  EXPECT_TRUE(recent.contains(id(RecentMessageIds::kCapacity)));
}

}  // namespace
}  // namespace hippocrate::messaging
