// Devices, signed device lists and prekeys on a real database: strictly increasing list
// versions, the device-set check, revocation, and one-time prekeys handed out exactly once
// — also to concurrent claimers.
#include <thread>

#include "base/ids.h"
#include "messaging_fixture.h"

namespace hippocrate::messaging::testing {
namespace {

class DevicesTest : public MessagingFixture {};

TEST_F(DevicesTest, RegisterListsAndRefusesStaleOrMismatchedLists) {
  const std::string d1 = add_device(patient_);
  auto& devices = service_->devices();
  // The list must name exactly the current devices plus the new one.
  const std::string d2 = random_id();
  auto missing =
      devices.register_device(patient_, d2, to_bytes("id2"), {to_bytes("list"), 5, {d2}});
  ASSERT_TRUE(missing.ok());
  ASSERT_TRUE(missing->mismatch.has_value());
  EXPECT_EQ(missing->mismatch->at(patient_.account_id), std::vector<std::string>{d1});
  // Versions only grow.
  auto stale =
      devices.register_device(patient_, d2, to_bytes("id2"), {to_bytes("list"), 1, {d1, d2}});
  EXPECT_ERROR_CODE(stale, "stale_device_list_version");
  auto ok =
      devices.register_device(patient_, d2, to_bytes("id2"), {to_bytes("list v2"), 2, {d1, d2}});
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_TRUE(ok->changed);
  // The same request again is answered alike and changes nothing.
  auto again =
      devices.register_device(patient_, d2, to_bytes("id2"), {to_bytes("list v2"), 2, {d1, d2}});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed);
  // Someone else's device id, or another identity for it, is refused.
  EXPECT_ERROR_CODE(devices.register_device(doc_, d2, to_bytes("id2"), {to_bytes("l"), 1, {d2}}),
                    "device_id_taken");
  EXPECT_ERROR_CODE(
      devices.register_device(patient_, d2, to_bytes("other"), {to_bytes("l"), 3, {d1, d2}}),
      "device_id_taken");

  auto listing = devices.devices_of(doc_, patient_.account_id);  // active care: allowed
  ASSERT_TRUE(listing.ok());
  EXPECT_EQ(listing->device_list_version, 2);
  EXPECT_EQ(*listing->device_list, to_bytes("list v2"));
  ASSERT_EQ(listing->devices.size(), 2u);
  EXPECT_ERROR_CODE(devices.devices_of(patient2_, patient_.account_id), "contact_not_permitted");
  auto denied = audit_records("device.list");
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0].record.result, "denied");
  EXPECT_EQ(denied[0].record.detail, "reason=patient_to_patient");
}

TEST_F(DevicesTest, RevocationDropsTheMailboxPrekeysAndTheLiveConnection) {
  const std::string pd = add_device(patient_);
  const std::string dd = add_device(doc_);
  ASSERT_OK(service_->prekeys().upload(doc_, dd, {to_bytes("spk"), {{1, to_bytes("k1")}}}));
  ASSERT_OK(service_->mailbox().send(patient_, message_to(patient_, pd, doc_)));
  auto live = std::make_shared<RecordingConnection>();
  service_->live().attach(dd, live);

  ASSERT_OK(service_->devices().revoke(doc_, dd));
  EXPECT_TRUE(live->closed());
  EXPECT_EQ(service_->live().connected(), 0u);
  EXPECT_TRUE(devices_of(doc_).empty());
  auto rows = store_->read([&](store::Transaction& tx) -> Result<std::int64_t> {
    HIPPO_ASSIGN_OR_RETURN(
        auto r,
        tx.query_one(
            "SELECT (SELECT COUNT(*) FROM mailbox WHERE device_id = ?) + (SELECT COUNT(*) FROM "
            "one_time_prekeys WHERE device_id = ?) + (SELECT COUNT(*) FROM signed_prekeys WHERE "
            "device_id = ?)",
            {dd, dd, dd}));
    return r->int64(0);
  });
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 0);
  // It can no longer fetch, and is no longer someone's to revoke or re-register.
  EXPECT_ERROR_CODE(service_->mailbox().fetch(doc_, dd, 10, "http"), "device_not_found");
  EXPECT_ERROR_CODE(service_->devices().revoke(doc_, dd), "device_not_found");
  EXPECT_ERROR_CODE(service_->devices().revoke(patient_, dd), "device_not_found");
  EXPECT_ERROR_CODE(service_->devices().register_device(doc_, dd, to_bytes("identity " + dd),
                                                        {to_bytes("l"), 9, {dd}}),
                    "device_revoked");
  // The owner's listing still shows it, revoked.
  auto own = service_->devices().own_devices(doc_);
  ASSERT_TRUE(own.ok());
  ASSERT_EQ(own->devices.size(), 1u);
  EXPECT_TRUE(own->devices[0].revoked_at.has_value());
}

// Ending a care relationship must not make the messages it let through unreadable: their
// recipient still reads the sender's signed device list (to authenticate the sending
// device) while such a message waits in its mailbox, audited as an exception; nothing
// else of the policy is relaxed (issue 22.7).
TEST_F(DevicesTest, ARecipientReadsTheSendersListWhileMessagesAcceptedBeforeTheEndWait) {
  const std::string pd = add_device(patient_);
  const std::string dd = add_device(doc_);
  const SendRequest sent = message_to(doc_, dd, patient_);
  ASSERT_OK(service_->mailbox().send(doc_, sent));
  ASSERT_OK(store_->write([&](store::Transaction& tx) -> Status {
    auto r = tx.execute("UPDATE care_relationships SET status = 'ended' WHERE id = ?",
                        {active_care_id_});
    if (!r) return r.error();
    return ok_status();
  }));
  auto& devices = service_->devices();
  auto listing = devices.devices_of(patient_, doc_.account_id);
  ASSERT_TRUE(listing.ok()) << listing.error().to_string();
  ASSERT_EQ(listing->devices.size(), 1u);
  EXPECT_EQ(listing->devices[0].device_id, dd);
  EXPECT_EQ(*listing->device_list, to_bytes("signed list of " + doc_.account_id));
  auto records = audit_records("device.list");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].record.result, "allowed");
  EXPECT_EQ(records[0].record.detail, "reason=pending_messages,policy=no_active_care_relationship");
  // Only the recipient of the waiting message, only the list: the sender does not read the
  // patient's list, nobody else reads the practitioner's, and prekeys are not handed out.
  EXPECT_ERROR_CODE(devices.devices_of(doc_, patient_.account_id), "contact_not_permitted");
  EXPECT_ERROR_CODE(devices.devices_of(patient2_, doc_.account_id), "contact_not_permitted");
  EXPECT_ERROR_CODE(service_->prekeys().claim(patient_, doc_.account_id, {}),
                    "contact_not_permitted");
  EXPECT_ERROR_CODE(service_->mailbox().send(patient_, message_to(patient_, pd, doc_)),
                    "contact_not_permitted");
  // Once acknowledged, the exception is gone.
  ASSERT_OK(service_->mailbox().ack(patient_, pd, {sent.message_id}));
  EXPECT_ERROR_CODE(devices.devices_of(patient_, doc_.account_id), "contact_not_permitted");
  records = audit_records("device.list");
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records[0].record.result, "denied");
  EXPECT_EQ(records[0].record.detail, "reason=no_active_care_relationship");
}

class PrekeysTest : public MessagingFixture {};

TEST_F(PrekeysTest, EachOneTimePrekeyIsHandedOutOnce) {
  const std::string d = add_device(doc_);
  std::vector<OneTimePrekey> keys;
  for (std::uint32_t i = 1; i <= 3; ++i) keys.push_back({i, to_bytes("key" + std::to_string(i))});
  auto stored = service_->prekeys().upload(doc_, d, {to_bytes("spk"), keys});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, 3);
  EXPECT_ERROR_CODE(service_->prekeys().upload(doc_, d, {std::nullopt, {{2, to_bytes("again")}}}),
                    "duplicate_prekey_id");
  EXPECT_ERROR_CODE(service_->prekeys().upload(patient_, d, {to_bytes("spk"), {}}),
                    "device_not_found");

  std::vector<std::uint32_t> handed;
  for (int i = 0; i < 4; ++i) {
    auto set = service_->prekeys().claim(patient_, doc_.account_id, std::nullopt);
    ASSERT_TRUE(set.ok()) << set.error().to_string();
    ASSERT_EQ(set->bundles.size(), 1u);
    EXPECT_EQ(set->bundles[0].device_id, d);
    EXPECT_EQ(*set->bundles[0].signed_prekey, to_bytes("spk"));
    if (i < 3) {
      ASSERT_TRUE(set->bundles[0].one_time_prekey.has_value());
      handed.push_back(set->bundles[0].one_time_prekey->id);
    } else {
      EXPECT_FALSE(set->bundles[0].one_time_prekey.has_value());  // the pool is empty
    }
  }
  EXPECT_EQ(handed, (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_EQ(service_->prekeys().count(doc_, d)->one_time, 0);
  // A claim outside the contact policy is refused and audited.
  EXPECT_ERROR_CODE(service_->prekeys().claim(assistant_, patient_.account_id, std::nullopt),
                    "contact_not_permitted");
  auto records = audit_records("prekeys.claim");
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[0].record.result, "denied");
  EXPECT_EQ(records[1].record.detail, "devices=1,one_time=0");
}

TEST_F(PrekeysTest, ConcurrentClaimersNeverGetTheSameKey) {
  const std::string d = add_device(doc_);
  constexpr std::uint32_t kKeys = 150;
  std::vector<OneTimePrekey> keys;
  for (std::uint32_t i = 0; i < kKeys; ++i) keys.push_back({i, to_bytes("k" + std::to_string(i))});
  ASSERT_OK(service_->prekeys().upload(doc_, d, {to_bytes("spk"), keys}));

  constexpr int kClaimers = 4;
  std::vector<std::vector<std::uint32_t>> got(kClaimers);
  std::vector<std::thread> threads;
  for (int t = 0; t < kClaimers; ++t) {
    threads.emplace_back([&, t] {
      const Actor& who = t % 2 == 0 ? patient_ : doc2_;  // both may contact doc_
      for (std::uint32_t i = 0; i < kKeys; ++i) {        // more attempts than keys in total
        auto set = service_->prekeys().claim(who, doc_.account_id, std::nullopt);
        if (!set.ok() || set->bundles.empty() || !set->bundles[0].one_time_prekey) break;
        got[t].push_back(set->bundles[0].one_time_prekey->id);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::uint32_t> all;
  std::size_t total = 0;
  for (const auto& g : got) {
    total += g.size();
    all.insert(g.begin(), g.end());
  }
  EXPECT_EQ(total, kKeys);                            // every key was handed out...
  EXPECT_EQ(all.size(), total);                       // ...and none twice
  for (const auto& g : got) EXPECT_FALSE(g.empty());  // the claimers really overlapped
}

}  // namespace
}  // namespace hippocrate::messaging::testing
