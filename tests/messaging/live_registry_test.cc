// The live registry's session expiry: disconnect_expired closes exactly the connections
// whose session has reached its absolute expiry, and the service's sweeper calls it.
#include <chrono>
#include <thread>

#include "messaging_fixture.h"

namespace hippocrate::messaging::testing {
namespace {

TEST(LiveRegistryExpiry, ClosesOnlyConnectionsPastTheirSessionsExpiry) {
  LiveRegistry registry;
  auto expired = std::make_shared<RecordingConnection>();
  auto later = std::make_shared<RecordingConnection>();
  auto unbounded = std::make_shared<RecordingConnection>();
  registry.attach("d1", expired, "a", "s1", 1000);
  registry.attach("d2", later, "a", "s2", 1001);
  registry.attach("d3", unbounded, "b", "s3", 0);
  EXPECT_EQ(registry.disconnect_expired(999), 0u);
  EXPECT_EQ(registry.disconnect_expired(1000), 1u);  // the expiry instant is past
  EXPECT_TRUE(expired->closed());
  EXPECT_FALSE(later->closed());
  EXPECT_FALSE(registry.push("d1", "x"));
  EXPECT_TRUE(registry.push("d2", "x"));
  EXPECT_EQ(registry.disconnect_expired(5'000'000'000), 1u);
  EXPECT_TRUE(later->closed());
  EXPECT_FALSE(unbounded->closed());
  EXPECT_EQ(registry.connected(), 1u);
}

class SweeperTest : public MessagingFixture {
 protected:
  void SetUp() override {
    MessagingFixture::SetUp();
    // A service whose maintenance runs every 10 ms.
    service_ = std::make_unique<MessagingService>(
        *store_, clock_, *audit_, std::chrono::milliseconds(10), std::chrono::milliseconds(10));
  }
};

TEST_F(SweeperTest, TheServicePrunesDeliveredMessagesByItself) {
  const std::string p1 = add_device(patient_);
  const std::string d1 = add_device(doc_);
  auto r = message_to(patient_, p1, doc_);
  ASSERT_OK(service_->mailbox().send(patient_, r));
  ASSERT_OK(service_->mailbox().ack(doc_, d1, {r.message_id}));
  clock_.advance(std::chrono::seconds(Mailbox::kRetryWindowSeconds + 1));
  bool pruned = false;
  for (int i = 0; i < 500 && !pruned; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    pruned = !audit_records("message.prune").empty();
  }
  EXPECT_TRUE(pruned);
}

TEST_F(SweeperTest, TheServiceClosesExpiredSessionsSocketsByItself) {
  const std::int64_t now = unix_seconds(clock_.now());
  auto soon = std::make_shared<RecordingConnection>();
  auto valid = std::make_shared<RecordingConnection>();
  service_->live().attach("d1", soon, "a", "s1", now + 60);
  service_->live().attach("d2", valid, "a", "s2", now + 3600);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(soon->closed());  // not yet expired
  clock_.advance(std::chrono::seconds(61));
  for (int i = 0; i < 500 && !soon->closed(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(soon->closed());
  EXPECT_FALSE(valid->closed());
}

}  // namespace
}  // namespace hippocrate::messaging::testing
