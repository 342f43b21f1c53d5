#include "server/connection_limits.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace hippocrate::server {
namespace {

TEST(ConnectionsPerSource, CapsEachSourceAndGivesSlotsBack) {
  ConnectionsPerSource limits(2);
  std::vector<ConnectionsPerSource::Slot> held;
  held.push_back(limits.acquire("192.0.2.1"));
  held.push_back(limits.acquire("192.0.2.1"));
  EXPECT_TRUE(held[0] && held[1]);
  EXPECT_FALSE(limits.acquire("192.0.2.1"));  // the third from one source
  EXPECT_EQ(limits.count("192.0.2.1"), 2u);
  auto other = limits.acquire("192.0.2.2");  // another source is not concerned
  EXPECT_TRUE(other);
  held.pop_back();  // a connection ends: its slot is free again
  EXPECT_EQ(limits.count("192.0.2.1"), 1u);
  auto again = limits.acquire("192.0.2.1");
  EXPECT_TRUE(again);
  {
    auto moved = std::move(again);  // given back once, by the slot it moved to
  }
  EXPECT_EQ(limits.count("192.0.2.1"), 1u);
}

TEST(ConnectionsPerSource, Ipv6SourcesAreTheir64) {
  const unsigned char a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8};
  const unsigned char b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 9, 9, 9, 9, 9, 9, 9, 9};
  const unsigned char c[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(source_key_v6(a), "2001:db8:1:2::/64");
  EXPECT_EQ(source_key_v6(a), source_key_v6(b));
  EXPECT_NE(source_key_v6(a), source_key_v6(c));
  EXPECT_EQ(source_key_v4("192.0.2.1"), "192.0.2.1");
}

}  // namespace
}  // namespace hippocrate::server
