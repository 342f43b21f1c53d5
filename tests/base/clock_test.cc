#include "base/clock.h"

#include <gtest/gtest.h>

namespace hippocrate {
namespace {

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(TimePoint(std::chrono::seconds(1'700'000'000)));
  EXPECT_EQ(unix_seconds(clock.now()), 1'700'000'000);
  clock.advance(std::chrono::minutes(2));
  EXPECT_EQ(unix_seconds(clock.now()), 1'700'000'120);
}

TEST(Clock, FormatsRfc3339Utc) {
  TimePoint t(std::chrono::milliseconds(1'700'000'000'123));
  EXPECT_EQ(format_rfc3339_utc(t), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(format_rfc3339_utc(TimePoint{}), "1970-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace hippocrate
