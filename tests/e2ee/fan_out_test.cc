// Multi-device fan-out (docs/protocol.md §6): every listed device but the sender gets its
// own envelope; a device removed from the signed list gets nothing new.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "e2ee/fan_out.h"
#include "e2ee_test_util.h"
#include "support/result_matchers.h"

namespace hippocrate::e2ee::testing {
namespace {

class FanOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice = make_account(2);
    bob = make_account(2);
  }

  // Sends from alice.devices[0], claiming bundles as the server would.
  FanOut send(const std::string& text) {
    TestDevice& me = alice.devices[0];
    const std::vector<DeviceList> lists{alice.list, bob.list};
    BundleMap bundles;
    for (const auto& address : devices_needing_bundles(me.identity, lists, me.sessions)) {
      bundles.emplace(address, bundle_of(find(address)));
    }
    auto out = fan_out(me.identity, lists, me.sessions, bundles, text_from(me, text), kNow);
    EXPECT_TRUE(out.ok()) << out.error().to_string();
    me.sessions = out->sessions;
    return std::move(*out);
  }

  TestDevice& find(const DeviceAddress& a) {
    for (auto* account : {&alice, &bob}) {
      for (auto& d : account->devices) {
        if (d.address() == a) return d;
      }
    }
    throw std::runtime_error("unknown device");
  }

  // The recipient device decrypts its copy.
  std::string receive(const FanOutEnvelope& e) {
    TestDevice& to = find(e.to);
    const TestDevice& from = alice.devices[0];
    auto it = to.sessions.find(from.address());
    auto r = decrypt_message(to.identity, to.prekeys, from.pub(),
                             it == to.sessions.end() ? nullptr : &it->second, e.envelope, kNow);
    if (!r.ok()) return "error: " + r.error().code();
    to.sessions.insert_or_assign(from.address(), r->session);
    if (r->used_one_time_prekey) {
      to.prekeys = without_one_time_prekey(to.prekeys, *r->used_one_time_prekey);
    }
    return body_text(r->content);
  }

  TestAccount alice;
  TestAccount bob;
};

TEST_F(FanOutTest, EveryOtherDeviceGetsItsOwnCopy) {
  FanOut out = send("hello all");
  ASSERT_EQ(out.envelopes.size(), 3u);  // alice's second device + bob's two
  std::set<DeviceAddress> targets;
  for (const auto& e : out.envelopes) {
    targets.insert(e.to);
    EXPECT_TRUE(e.prekey_message);
    EXPECT_EQ(receive(e), "hello all");
  }
  EXPECT_EQ(targets.count(alice.devices[0].address()), 0u);
  EXPECT_EQ(targets.count(alice.devices[1].address()), 1u);
  EXPECT_EQ(out.sessions.size(), 3u);
  // The second message reuses the sessions: no bundle needed.
  EXPECT_TRUE(devices_needing_bundles(alice.devices[0].identity, {alice.list, bob.list},
                                      alice.devices[0].sessions)
                  .empty());
  for (const auto& e : send("again").envelopes) EXPECT_EQ(receive(e), "again");
}

TEST_F(FanOutTest, ACopyForOneDeviceDoesNotOpenOnAnother) {
  FanOut out = send("private");
  const FanOutEnvelope* to_bob0 = nullptr;
  for (const auto& e : out.envelopes) {
    if (e.to == bob.devices[0].address()) to_bob0 = &e;
  }
  ASSERT_NE(to_bob0, nullptr);
  FanOutEnvelope misrouted = *to_bob0;
  misrouted.to = bob.devices[1].address();
  EXPECT_EQ(receive(misrouted).rfind("error: ", 0), 0u);
}

TEST_F(FanOutTest, RemovedDeviceReceivesNothingNew) {
  for (const auto& e : send("before").envelopes) EXPECT_EQ(receive(e), "before");
  const DeviceAddress removed = bob.devices[1].address();
  TestDevice removed_device = bob.devices[1];
  bob.devices.pop_back();
  bob.publish();
  FanOut out = send("after");
  EXPECT_EQ(out.envelopes.size(), 2u);
  for (const auto& e : out.envelopes) EXPECT_NE(e.to, removed);
}

TEST_F(FanOutTest, NewDeviceNeedsABundleAndChangedKeysMakeANewSession) {
  for (const auto& e : send("first").envelopes) EXPECT_EQ(receive(e), "first");
  // Bob's second device is reinstalled: same id, new keys, new signed list.
  const std::string same_id = bob.devices[1].pub().device_id;
  bob.devices[1].identity = *generate_device_identity(bob.account_id, same_id);
  bob.publish();
  auto needed = devices_needing_bundles(alice.devices[0].identity, {alice.list, bob.list},
                                        alice.devices[0].sessions);
  ASSERT_EQ(needed.size(), 1u);
  EXPECT_EQ(needed[0], bob.devices[1].address());
  // Without that bundle the send is refused rather than silently skipping the device.
  TestDevice& me = alice.devices[0];
  EXPECT_ERROR_CODE(
      fan_out(me.identity, {alice.list, bob.list}, me.sessions, {}, text_from(me, "x"), kNow),
      "e2ee_missing_bundle");
}

TEST_F(FanOutTest, SenderMustBeInItsOwnList) {
  TestDevice& me = alice.devices[0];
  TestDevice revoked = me;
  alice.devices.erase(alice.devices.begin());
  alice.publish();
  EXPECT_ERROR_CODE(fan_out(revoked.identity, {alice.list, bob.list}, revoked.sessions, {},
                            text_from(revoked, "x"), kNow),
                    "e2ee_device_not_listed");
}

}  // namespace
}  // namespace hippocrate::e2ee::testing
