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

// Many turns of the ring: every eviction moves entries back into the slot it frees, in
// clusters that wrap around the table's end. Each id is still found while held, and none is
// once it has gone.
TEST(RecentMessageIds, KeepsExactlyTheLastCapacityIdsOverManyEvictions) {
  RecentMessageIds recent;
  const auto id = [](std::size_t i) { return "message-" + std::to_string(i); };
  constexpr std::size_t kAdded = 3 * RecentMessageIds::kCapacity + 123;
  for (std::size_t i = 0; i < kAdded; ++i) recent.add(id(i));
  std::size_t held = 0, forgotten_still_found = 0;
  for (std::size_t i = 0; i < kAdded; ++i) {
    const bool in = recent.contains(id(i));
    if (i >= kAdded - RecentMessageIds::kCapacity) {
      held += in ? 1 : 0;
    } else {
      forgotten_still_found += in ? 1 : 0;
    }
  }
  EXPECT_EQ(held, RecentMessageIds::kCapacity);
  // A 64-bit hash collision among ~100,000 ids is all but impossible.
  EXPECT_EQ(forgotten_still_found, 0u);
}

}  // namespace
}  // namespace hippocrate::messaging
