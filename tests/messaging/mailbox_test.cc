// Sending, fetching and acknowledging on a real database: the device-set check, idempotent
// retries, ack-then-delete, revoked devices, refusals audited, and live push once the send's
// transaction succeeded.
#include "messaging/wire_frame.h"

#include <future>
#include <map>

#include "base/ids.h"
#include "messaging/policy_epoch.h"
#include "messaging_fixture.h"
#include "store/migrations.h"
#include "support/undo_migrations.h"
#include "support/writer_gate.h"

namespace hippocrate::messaging::testing {
namespace {

class MailboxTest : public MessagingFixture {
 protected:
  void SetUp() override {
    MessagingFixture::SetUp();
    pd1_ = add_device(patient_);
    pd2_ = add_device(patient_);
    dd1_ = add_device(doc_);
  }
  // Closes the store and opens it again, as a server restart does: pending migrations run.
  void reopen_store() {
    service_.reset();
    store_.reset();
    store::StoreOptions o;
    o.url = (dir_.path() / "messaging.db").string();
    o.clock = &clock_;
    auto reopened = store::open_store(o);
    ASSERT_OK(reopened);
    store_ = std::move(*reopened);
    EXPECT_EQ(store_->schema_version(), store::latest_schema_version());
    service_ = std::make_unique<MessagingService>(*store_, clock_, *audit_);
  }
  std::string pd1_, pd2_, dd1_;
};

TEST_F(MailboxTest, TheEnvelopeSetMustMatchTheCurrentDevicesExactly) {
  // Missing the patient's own second device.
  SendRequest r{random_id(), doc_.account_id, pd1_, {{dd1_, to_bytes("c")}}};
  auto sent = service_->mailbox().send(patient_, r);
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  ASSERT_TRUE(sent->mismatch.has_value());
  EXPECT_EQ(sent->mismatch->at(doc_.account_id), std::vector<std::string>{dd1_});
  auto mine = devices_of(patient_);
  EXPECT_EQ(sent->mismatch->at(patient_.account_id), mine);
  // An extra, unknown device is refused too; nothing was stored.
  r.envelopes = {{dd1_, to_bytes("c")}, {pd2_, to_bytes("c")}, {random_id(), to_bytes("c")}};
  EXPECT_TRUE(service_->mailbox().send(patient_, r)->mismatch.has_value());
  EXPECT_TRUE(service_->mailbox().fetch(doc_, dd1_, 10, "http")->messages.empty());
  // A new device of the recipient appears: the old set is refused, naming it.
  auto full = message_to(patient_, pd1_, doc_);
  const std::string dd2 = add_device(doc_);
  auto stale = service_->mailbox().send(patient_, full);
  ASSERT_TRUE(stale.ok());
  ASSERT_TRUE(stale->mismatch.has_value());
  EXPECT_EQ(stale->mismatch->at(doc_.account_id).size(), 2u);
  auto records = audit_records("message.send");
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records[0].record.result, "failed");
  EXPECT_NE(records[0].record.detail.find("reason=device_list_mismatch"), std::string::npos);
  // With every device, it is stored.
  auto ok = service_->mailbox().send(patient_, message_to(patient_, pd1_, doc_));
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->mismatch.has_value());
  for (const auto& d : {dd1_, dd2})
    EXPECT_EQ(service_->mailbox().fetch(doc_, d, 10, "http")->messages.size(), 1u);
  EXPECT_EQ(service_->mailbox().fetch(patient_, pd2_, 10, "http")->messages.size(), 1u);
  EXPECT_TRUE(service_->mailbox().fetch(patient_, pd1_, 10, "http")->messages.empty());
}

TEST_F(MailboxTest, ARetryWithTheSameIdStoresNothingTwice) {
  auto r = message_to(patient_, pd1_, doc_);
  auto first = service_->mailbox().send(patient_, r);
  ASSERT_TRUE(first.ok());
  clock_.advance(std::chrono::seconds(5));
  auto again = service_->mailbox().send(patient_, r);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->stored_at, first->stored_at);
  EXPECT_EQ(service_->mailbox().fetch(doc_, dd1_, 10, "http")->messages.size(), 1u);
  // Another sender cannot reuse the id.
  auto other = message_to(doc_, dd1_, patient_);
  other.message_id = r.message_id;
  EXPECT_ERROR_CODE(service_->mailbox().send(doc_, other), "message_id_taken");
}

TEST_F(MailboxTest, FetchIsOrderedAndAckDeletes) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto r = message_to(patient_, pd1_, doc_, "m" + std::to_string(i));
    ids.push_back(r.message_id);
    ASSERT_OK(service_->mailbox().send(patient_, r));
  }
  auto page = service_->mailbox().fetch(doc_, dd1_, 3, "http");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->messages.size(), 3u);
  EXPECT_TRUE(page->more);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(page->messages[i].message_id, ids[i]);
    EXPECT_EQ(page->messages[i].sender, patient_.account_id);
    EXPECT_EQ(page->messages[i].sender_device, pd1_);
    EXPECT_EQ(page->messages[i].ciphertext, to_bytes("m" + std::to_string(i) + " for " + dd1_));
  }
  // Fetching again without an ack delivers the same (at-least-once).
  EXPECT_EQ(service_->mailbox().fetch(doc_, dd1_, 3, "http")->messages[0].message_id, ids[0]);
  auto deleted = service_->mailbox().ack(doc_, dd1_, {ids[0], ids[1], ids[2], random_id()});
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 3);
  auto rest = service_->mailbox().fetch(doc_, dd1_, 10, "http");
  ASSERT_EQ(rest->messages.size(), 2u);
  EXPECT_FALSE(rest->more);
  EXPECT_EQ(rest->messages[0].message_id, ids[3]);
  // Acking is idempotent, and only for one's own device.
  EXPECT_EQ(*service_->mailbox().ack(doc_, dd1_, {ids[0]}), 0);
  EXPECT_ERROR_CODE(service_->mailbox().ack(patient_, dd1_, {ids[3]}), "device_not_found");
  EXPECT_ERROR_CODE(service_->mailbox().fetch(patient_, dd1_, 10, "http"), "device_not_found");
  auto fetches = audit_records("message.fetch");
  ASSERT_FALSE(fetches.empty());
  EXPECT_EQ(fetches[0].record.detail, "count=2,via=http");
  EXPECT_EQ(fetches[0].record.device_id, dd1_);
}

TEST_F(MailboxTest, ARevokedDeviceReceivesNothingNew) {
  ASSERT_OK(service_->mailbox().send(doc_, message_to(doc_, dd1_, patient_)));
  ASSERT_OK(service_->devices().revoke(patient_, pd2_));
  // Addressing the revoked device is now a mismatch; without it, the send works.
  SendRequest r{random_id(),
                patient_.account_id,
                dd1_,
                {{pd1_, to_bytes("x")}, {pd2_, to_bytes("x")}}};
  EXPECT_TRUE(service_->mailbox().send(doc_, r)->mismatch.has_value());
  auto ok = service_->mailbox().send(doc_, message_to(doc_, dd1_, patient_));
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->mismatch.has_value());
  EXPECT_EQ(service_->mailbox().fetch(patient_, pd1_, 10, "http")->messages.size(), 2u);
  EXPECT_ERROR_CODE(service_->mailbox().fetch(patient_, pd2_, 10, "http"), "device_not_found");
  auto count = store_->read([&](store::Transaction& tx) -> Result<std::int64_t> {
    HIPPO_ASSIGN_OR_RETURN(
        auto row, tx.query_one("SELECT COUNT(*) FROM mailbox WHERE device_id = ?", {pd2_}));
    return row->int64(0);
  });
  EXPECT_EQ(*count, 0);
  // And it cannot send.
  EXPECT_ERROR_CODE(service_->mailbox().send(patient_, message_to(patient_, pd2_, doc_)),
                    "device_not_found");
}

TEST_F(MailboxTest, RefusedSendsAreAuditedAndStoreNothing) {
  const std::string assistant_device = add_device(assistant_);
  const std::string doc2_device = add_device(doc2_);
  struct Case {
    const Actor* from;
    std::string from_device;
    const Actor* to;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {&patient_, pd1_, &doc2_, "no_active_care_relationship"},
      {&patient_, pd1_, &assistant_, "patient_with_non_practitioner"},
      {&assistant_, assistant_device, &patient_, "patient_with_non_practitioner"},
  };
  for (const auto& c : cases) {
    auto r = message_to(*c.from, c.from_device, *c.to);
    EXPECT_ERROR_CODE(service_->mailbox().send(*c.from, r), "contact_not_permitted");
    auto records = audit_records("message.send");
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(records[0].record.result, "denied");
    EXPECT_EQ(records[0].record.account_id, c.from->account_id);
    EXPECT_EQ(records[0].record.resource, "account:" + c.to->account_id);
    EXPECT_NE(records[0].record.detail.find("reason=" + c.reason), std::string::npos);
  }
  // Ending the relationship stops the conversation at the next send.
  ASSERT_OK(service_->mailbox().send(patient_, message_to(patient_, pd1_, doc_)));
  ASSERT_OK(store_->write([&](store::Transaction& tx) -> Status {
    auto r = tx.execute("UPDATE care_relationships SET status = 'ended' WHERE id = ?",
                        {active_care_id_});
    if (!r) return r.error();
    return ok_status();
  }));
  EXPECT_ERROR_CODE(service_->mailbox().send(patient_, message_to(patient_, pd1_, doc_)),
                    "contact_not_permitted");
  EXPECT_EQ(service_->mailbox().fetch(doc_, dd1_, 10, "http")->messages.size(), 1u);
  EXPECT_TRUE(service_->mailbox().fetch(doc2_, doc2_device, 10, "http")->messages.empty());
  EXPECT_TRUE(
      service_->mailbox().fetch(assistant_, assistant_device, 10, "http")->messages.empty());
}

TEST_F(MailboxTest, CommittedEnvelopesArePushedToConnectedDevices) {
  auto doc_live = std::make_shared<RecordingConnection>();
  auto own_live = std::make_shared<RecordingConnection>();
  auto sender_live = std::make_shared<RecordingConnection>();
  service_->live().attach(dd1_, doc_live);
  service_->live().attach(pd2_, own_live);
  service_->live().attach(pd1_, sender_live);
  auto r = message_to(patient_, pd1_, doc_, "hello");
  auto sent = service_->mailbox().send(patient_, r);
  ASSERT_TRUE(sent.ok());
  for (auto [live, device] : {std::pair{doc_live, dd1_}, std::pair{own_live, pd2_}}) {
    auto frames = live->frames();
    ASSERT_EQ(frames.size(), 1u);
    auto f = wire::decode(frames[0]);
    ASSERT_TRUE(f.ok());
    const auto& d = std::get<wire::Deliver>(*f);
    EXPECT_EQ(d.message_id, r.message_id);
    EXPECT_EQ(d.sender_account, patient_.account_id);
    EXPECT_EQ(d.sender_device, pd1_);
    EXPECT_EQ(d.ciphertext, to_bytes("hello for " + device));
  }
  EXPECT_TRUE(sender_live->frames().empty());  // not to the sending device
  // A retry is not pushed again; a refused send is never pushed.
  ASSERT_OK(service_->mailbox().send(patient_, r));
  EXPECT_EQ(doc_live->frames().size(), 1u);
  // A connection whose queue is full is closed; the envelope waits in the mailbox.
  auto full = std::make_shared<RecordingConnection>(0);
  service_->live().attach(dd1_, full);
  EXPECT_TRUE(doc_live->closed());  // replaced by the newer connection
  ASSERT_OK(service_->mailbox().send(patient_, message_to(patient_, pd1_, doc_)));
  EXPECT_TRUE(full->closed());
  EXPECT_EQ(service_->mailbox().fetch(doc_, dd1_, 10, "http")->messages.size(), 2u);
}

using ::hippocrate::testing::WriterGate;

Status run_sql(store::Transaction& tx, const std::string& sql, const store::Params& params) {
  auto r = tx.execute(sql, params);
  if (!r) return r.error();
  return ok_status();
}

// A send checked on a snapshot (and delivered early) whose write comes after a change to
// what the checks read must be checked again in the write: the policy epoch moves with
// every such change (migration 7's triggers). Each case changes one table the checks read.
enum class Change { kCareEnded, kRecipientDisabled, kSenderDeviceRevoked, kRecipientDeviceAdded };

class MailboxChangeTest : public MailboxTest, public ::testing::WithParamInterface<Change> {
 protected:
  Status apply(store::Transaction& tx) {
    switch (GetParam()) {
      case Change::kCareEnded:
        return run_sql(tx, "UPDATE care_relationships SET status = 'ended' WHERE id = ?",
                       {active_care_id_});
      case Change::kRecipientDisabled:
        return run_sql(tx, "UPDATE accounts SET status = 'disabled' WHERE id = ?",
                       {doc_.account_id});
      case Change::kSenderDeviceRevoked:
        return run_sql(tx, "UPDATE devices SET revoked_at = 1 WHERE id = ?", {pd1_});
      case Change::kRecipientDeviceAdded:
        return run_sql(tx,
                       "INSERT INTO devices (id, account_id, identity, registered_at) "
                       "VALUES (?, ?, x'00', 1)",
                       {random_id(), doc_.account_id});
    }
    return ok_status();
  }
  std::string expected() const {
    switch (GetParam()) {
      case Change::kSenderDeviceRevoked: return "device_not_found";
      case Change::kRecipientDeviceAdded: return "mismatch";
      default: return "contact_not_permitted";
    }
  }
};

TEST_P(MailboxChangeTest, AChangeBetweenTheSnapshotCheckAndTheWriteIsSeenByTheWrite) {
  auto doc_live = std::make_shared<RecordingConnection>();
  service_->live().attach(dd1_, doc_live);
  std::promise<Result<SendResult>> sent;
  {
    WriterGate gate(*store_);
    store_->write_async([this](store::Transaction& tx) { return apply(tx); },
                        [](Status s) { EXPECT_TRUE(s.ok()) << s.error().to_string(); });
    service_->mailbox().send_async(patient_, message_to(patient_, pd1_, doc_),
                                   [&sent](Result<SendResult> r) { sent.set_value(std::move(r)); });
    // The snapshot could not see the change yet: delivered early.
    EXPECT_EQ(doc_live->frames().size(), 1u);
  }
  auto result = sent.get_future().get();
  if (expected() == "mismatch") {
    ASSERT_TRUE(result.ok()) << result.error().to_string();
    EXPECT_TRUE(result->mismatch.has_value());
  } else {
    EXPECT_ERROR_CODE(result, expected());
  }
  // Nothing stored; the refusal is audited (a revoked device's send is refused before
  // anything is recorded, like any request from a device that is not the caller's).
  EXPECT_EQ(mailbox_rows(), 0);
  auto records = audit_records("message.send");
  if (GetParam() != Change::kSenderDeviceRevoked) {
    ASSERT_EQ(records.size(), 1u);
    EXPECT_NE(records[0].record.result, "succeeded");
  } else {
    EXPECT_TRUE(records.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(EachTableTheChecksRead, MailboxChangeTest,
                         ::testing::Values(Change::kCareEnded, Change::kRecipientDisabled,
                                           Change::kSenderDeviceRevoked,
                                           Change::kRecipientDeviceAdded),
                         [](const ::testing::TestParamInfo<Change>& info) -> std::string {
                           switch (info.param) {
                             case Change::kCareEnded: return "CareEnded";
                             case Change::kRecipientDisabled: return "RecipientDisabled";
                             case Change::kSenderDeviceRevoked: return "SenderDeviceRevoked";
                             case Change::kRecipientDeviceAdded: return "RecipientDeviceAdded";
                           }
                           return "Unknown";
                         });

// Delivered messages' routing rows are kept for the retry window, then pruned; rows still
// in a mailbox are kept whatever their age.
TEST_F(MailboxTest, DeliveredMessagesArePrunedAfterTheRetryWindow) {
  auto old_delivered = message_to(patient_, pd1_, doc_);
  auto old_pending = message_to(patient_, pd1_, doc_);
  ASSERT_OK(service_->mailbox().send(patient_, old_delivered));
  ASSERT_OK(service_->mailbox().send(patient_, old_pending));
  for (const auto& [who, device] : {std::pair{&doc_, dd1_}, std::pair{&patient_, pd2_}}) {
    ASSERT_OK(service_->mailbox().ack(*who, device, {old_delivered.message_id}));
  }
  ASSERT_OK(service_->mailbox().ack(patient_, pd2_, {old_pending.message_id}));  // doc hasn't
  clock_.advance(std::chrono::seconds(Mailbox::kRetryWindowSeconds));
  auto recent = message_to(patient_, pd1_, doc_);
  ASSERT_OK(service_->mailbox().send(patient_, recent));
  ASSERT_OK(service_->mailbox().ack(doc_, dd1_, {recent.message_id}));
  ASSERT_OK(service_->mailbox().ack(patient_, pd2_, {recent.message_id}));
  const std::int64_t now = unix_seconds(clock_.now());
  // Exactly at the window's end: not yet.
  EXPECT_EQ(*service_->mailbox().prune_delivered(now), 0);
  EXPECT_TRUE(audit_records("message.prune").empty());
  EXPECT_EQ(*service_->mailbox().prune_delivered(now + 1), 1);
  auto pruned = audit_records("message.prune");
  ASSERT_EQ(pruned.size(), 1u);
  EXPECT_EQ(pruned[0].record.detail, "count=1");
  auto remaining = store_->read([&](store::Transaction& tx) -> Result<std::vector<std::string>> {
    HIPPO_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT message_id FROM messages ORDER BY rowid"));
    std::vector<std::string> ids;
    for (const auto& r : rows) ids.push_back(*r.text(0));
    return ids;
  });
  ASSERT_TRUE(remaining.ok());
  EXPECT_EQ(*remaining, (std::vector<std::string>{old_pending.message_id, recent.message_id}));
  // The pending one is still fetchable; nothing else changes at the next sweep.
  EXPECT_EQ(service_->mailbox().fetch(doc_, dd1_, 10, "http")->messages.size(), 1u);
  EXPECT_EQ(*service_->mailbox().prune_delivered(now + 1), 0);
}

// Envelopes never acknowledged are deleted after the retention period, oldest first; the
// device is told how many at its next reporting fetch, once; an acknowledged or younger
// envelope is untouched, and so is every other device's.
TEST_F(MailboxTest, UndeliveredEnvelopesExpireAndTheirDeviceIsToldOnce) {
  constexpr std::int64_t kMaxAge = 90 * 24 * 3600;
  auto old_a = message_to(patient_, pd1_, doc_, "old a");
  auto old_b = message_to(patient_, pd1_, doc_, "old b");
  ASSERT_OK(service_->mailbox().send(patient_, old_a));
  ASSERT_OK(service_->mailbox().send(patient_, old_b));
  ASSERT_OK(service_->mailbox().ack(patient_, pd2_, {old_a.message_id}));  // pd2_ received a
  clock_.advance(std::chrono::seconds(kMaxAge));
  auto young = message_to(patient_, pd1_, doc_, "young");
  ASSERT_OK(service_->mailbox().send(patient_, young));
  const std::int64_t now = unix_seconds(clock_.now());

  // Exactly at the limit: kept.
  EXPECT_EQ(*service_->mailbox().expire_undelivered(now, kMaxAge), 0);
  EXPECT_TRUE(audit_records("message.expire").empty());
  // One second later: dd1_'s two old envelopes and pd2_'s old b go (in batches: the limit
  // holds), the young one stays. Which devices a batch covers follows the envelopes' order.
  EXPECT_EQ(*service_->mailbox().expire_undelivered(now + 1, kMaxAge, /*limit=*/2), 2);
  EXPECT_EQ(*service_->mailbox().expire_undelivered(now + 1, kMaxAge), 1);
  EXPECT_EQ(*service_->mailbox().expire_undelivered(now + 1, kMaxAge), 0);
  auto records = audit_records("message.expire");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_TRUE(records[1].record.detail.starts_with("count=2,devices=")) << records[1].record.detail;
  // senders_told: 2 when the batch held a doc's envelope (both patient devices are told),
  // 0 for pd2_'s own copy (a sender's other device): which one the last batch holds follows
  // the envelopes' order (SendersAreToldOfMessagesTheirRecipientNeverReceived checks the
  // notices).
  EXPECT_TRUE(records[0].record.detail.starts_with("count=1,devices=1,senders_told="))
      << records[0].record.detail;
  EXPECT_TRUE(records[0].record.detail.ends_with(",older_than_days=90"));
  EXPECT_TRUE(records[1].record.detail.ends_with(",older_than_days=90"));

  // The socket's fetch reports without resetting; the HTTP one reports and resets.
  auto socket_view = service_->mailbox().fetch(doc_, dd1_, 10, "socket");
  ASSERT_OK(socket_view);
  EXPECT_EQ(socket_view->expired, 2);
  ASSERT_EQ(socket_view->messages.size(), 1u);
  EXPECT_EQ(socket_view->messages[0].message_id, young.message_id);
  auto told = service_->mailbox().fetch(doc_, dd1_, 10, "http", 0, /*report_expired=*/true);
  ASSERT_OK(told);
  EXPECT_EQ(told->expired, 2);
  EXPECT_EQ(audit_records("message.fetch")[0].record.detail, "count=1,via=http,expired_reported=2");
  EXPECT_EQ(service_->mailbox().fetch(doc_, dd1_, 10, "http", 0, true)->expired, 0);
  auto other = service_->mailbox().fetch(patient_, pd2_, 10, "http", 0, true);
  ASSERT_OK(other);
  EXPECT_EQ(other->expired, 1);
  ASSERT_EQ(other->messages.size(), 1u);
  EXPECT_EQ(other->messages[0].message_id, young.message_id);
}

// A sender is told of each message that some of its recipient's devices never received
// before it expired: one notice per message on every current device of the sender, with
// how many recipient devices missed it (the sender's own other devices do not count),
// pushed at once to a connected device, listed (audited) until that device acknowledges
// it; revoking a device drops its notices; unacknowledged, they expire in turn.
TEST_F(MailboxTest, SendersAreToldOfMessagesTheirRecipientNeverReceived) {
  constexpr std::int64_t kMaxAge = 90 * 24 * 3600;
  const std::int64_t sent_at = unix_seconds(clock_.now());
  auto half_read = message_to(doc_, dd1_, patient_, "read on one device");
  auto unread = message_to(doc_, dd1_, patient_, "never read");
  auto own_copy = message_to(patient_, pd1_, doc_, "doc reads it, pd2 never");
  auto from_pd2 = message_to(patient_, pd2_, doc_, "from the device revoked later");
  for (const auto* r : {&half_read, &unread}) ASSERT_OK(service_->mailbox().send(doc_, *r));
  for (const auto* r : {&own_copy, &from_pd2}) ASSERT_OK(service_->mailbox().send(patient_, *r));
  ASSERT_OK(service_->mailbox().ack(patient_, pd2_, {half_read.message_id}));
  ASSERT_OK(service_->mailbox().ack(doc_, dd1_, {own_copy.message_id}));
  auto doc_live = std::make_shared<RecordingConnection>();
  service_->live().attach(dd1_, doc_live);
  EXPECT_EQ(service_->mailbox().fetch(doc_, dd1_, 10, "socket")->undelivered, 0);

  const std::int64_t now = sent_at + kMaxAge + 1;
  ASSERT_OK(service_->mailbox().expire_undelivered(now, kMaxAge));
  // dd1_ is told of doc's two messages; both patient devices of from_pd2 (sent from pd2_);
  // nobody of own_copy (it reached doc; pd2_'s copy is the sender's own).
  EXPECT_TRUE(audit_records("message.expire")[0].record.detail.find(",senders_told=3,") !=
              std::string::npos)
      << audit_records("message.expire")[0].record.detail;
  auto frames = doc_live->frames();
  ASSERT_EQ(frames.size(), 1u);
  auto pushed = wire::decode(frames[0]);
  ASSERT_TRUE(pushed.ok());
  EXPECT_EQ(std::get<wire::ErrorFrame>(*pushed).code, "messages_undelivered");
  EXPECT_EQ(service_->mailbox().fetch(doc_, dd1_, 10, "socket")->undelivered, 2);
  EXPECT_EQ(service_->mailbox().fetch(patient_, pd1_, 10, "socket")->undelivered, 1);
  auto on_pd1 = service_->undelivered().list(patient_, pd1_, 10);
  ASSERT_OK(on_pd1);
  ASSERT_EQ(on_pd1->notices.size(), 1u);
  EXPECT_EQ(on_pd1->notices[0].message_id, from_pd2.message_id);
  EXPECT_EQ(on_pd1->notices[0].recipient, doc_.account_id);
  EXPECT_EQ(on_pd1->notices[0].devices, 1);

  auto list = service_->undelivered().list(doc_, dd1_, 10);
  ASSERT_OK(list);
  EXPECT_FALSE(list->more);
  ASSERT_EQ(list->notices.size(), 2u);
  std::map<std::string, std::int64_t> missed;
  for (const auto& n : list->notices) {
    EXPECT_EQ(n.recipient, patient_.account_id);
    EXPECT_EQ(n.sent_at, sent_at);
    EXPECT_EQ(n.expired_at, now);
    missed[n.message_id] = n.devices;
  }
  EXPECT_EQ(missed, (std::map<std::string, std::int64_t>{{half_read.message_id, 1},
                                                         {unread.message_id, 2}}));
  EXPECT_EQ(audit_records("message.undelivered")[0].record.detail, "count=2");
  EXPECT_EQ(service_->undelivered().list(doc_, dd1_, 1)->more, true);
  // Only the device's own notices, and only by its owner.
  EXPECT_ERROR_CODE(service_->undelivered().list(patient_, dd1_, 10), "device_not_found");
  EXPECT_ERROR_CODE(service_->undelivered().ack(patient_, dd1_, {unread.message_id}),
                    "device_not_found");
  EXPECT_ERROR_CODE(service_->undelivered().list(doc_, dd1_, 0), "invalid_field");
  EXPECT_ERROR_CODE(service_->undelivered().ack(doc_, dd1_, {"not-an-id"}), "invalid_field");

  // Acknowledged notices are deleted; an unknown id deletes nothing.
  EXPECT_EQ(*service_->undelivered().ack(doc_, dd1_, {half_read.message_id, random_id()}), 1);
  EXPECT_EQ(audit_records("message.undelivered_ack")[0].record.detail, "count=1");
  auto rest = service_->undelivered().list(doc_, dd1_, 10);
  ASSERT_OK(rest);
  ASSERT_EQ(rest->notices.size(), 1u);
  EXPECT_EQ(rest->notices[0].message_id, unread.message_id);

  auto notices_of = [&](const std::string& device) {
    return *store_->read([&](store::Transaction& tx) -> Result<std::int64_t> {
      HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COUNT(*) FROM undelivered_notices "
                                                    "WHERE device_id = ?",
                                                    {device}));
      return row->int64(0);
    });
  };
  // Each device acknowledges its own; pd2_'s notice goes with the device.
  EXPECT_EQ(notices_of(pd2_), 1);
  EXPECT_EQ(*service_->undelivered().ack(patient_, pd1_, {from_pd2.message_id}), 1);
  EXPECT_EQ(notices_of(pd2_), 1);
  ASSERT_OK(service_->devices().revoke(patient_, pd2_));
  EXPECT_EQ(notices_of(pd2_), 0);
  EXPECT_EQ(notices_of(dd1_), 1);

  // A notice never acknowledged is itself deleted after the retention period (a sending
  // device that does not come back): kept at the limit, gone a second later, audited.
  EXPECT_EQ(*service_->undelivered().expire(now + kMaxAge, kMaxAge), 0);
  EXPECT_EQ(notices_of(dd1_), 1);
  EXPECT_EQ(*service_->undelivered().expire(now + kMaxAge + 1, kMaxAge), 1);
  EXPECT_EQ(notices_of(dd1_), 0);
  EXPECT_EQ(audit_records("message.undelivered_expire")[0].record.detail,
            "count=1,older_than_days=90");
}

// A recipient device refuses the envelopes it can never read: they are deleted for that
// device only, and every current device of the sender gets a notice saying why (pushed at
// once where connected), one per message and reason, counted over the recipient's devices.
// The sender's own other devices refusing their copy tell nobody; only the device's owner
// may refuse, and only for the two refusal reasons.
TEST_F(MailboxTest, ARecipientDeviceRefusesWhatItCannotReadAndTheSenderIsToldWhy) {
  const std::string dd2 = add_device(doc_);
  const auto altered = message_to(patient_, pd1_, doc_, "altered on the way");
  ASSERT_OK(service_->mailbox().send(patient_, altered));
  auto patient_live = std::make_shared<RecordingConnection>();
  service_->live().attach(pd1_, patient_live);
  const std::int64_t now = unix_seconds(clock_.now());

  // An unknown id refuses nothing, as in an ack.
  EXPECT_EQ(*service_->mailbox().refuse(doc_, dd1_, {altered.message_id, random_id()},
                                        UndeliveredReason::kUndecryptable),
            1);
  EXPECT_EQ(audit_records("message.refuse")[0].record.detail,
            "count=1,reason=undecryptable,senders_told=2");
  auto frames = patient_live->frames();
  ASSERT_EQ(frames.size(), 1u);
  auto pushed = wire::decode(frames[0]);
  ASSERT_TRUE(pushed.ok());
  EXPECT_EQ(std::get<wire::ErrorFrame>(*pushed).code, "messages_undelivered");
  EXPECT_TRUE(service_->mailbox().fetch(doc_, dd1_, 10, "http")->messages.empty());
  EXPECT_EQ(service_->mailbox().fetch(doc_, dd2, 10, "http")->messages.size(), 1u);
  auto list = service_->undelivered().list(patient_, pd2_, 10);
  ASSERT_OK(list);
  ASSERT_EQ(list->notices.size(), 1u);
  EXPECT_EQ(list->notices[0].message_id, altered.message_id);
  EXPECT_EQ(list->notices[0].recipient, doc_.account_id);
  EXPECT_EQ(list->notices[0].reason, UndeliveredReason::kUndecryptable);
  EXPECT_EQ(list->notices[0].devices, 1);
  EXPECT_EQ(list->notices[0].expired_at, now);
  // Refused twice: the envelope is gone, nothing is counted again.
  EXPECT_EQ(*service_->mailbox().refuse(doc_, dd1_, {altered.message_id},
                                        UndeliveredReason::kUndecryptable),
            0);
  EXPECT_EQ(service_->undelivered().list(patient_, pd1_, 10)->notices.at(0).devices, 1);

  // The other device of the recipient, for another reason: a second notice.
  EXPECT_EQ(*service_->mailbox().refuse(doc_, dd2, {altered.message_id},
                                        UndeliveredReason::kSenderUnverified),
            1);
  auto both = service_->undelivered().list(patient_, pd1_, 10);
  ASSERT_OK(both);
  ASSERT_EQ(both->notices.size(), 2u);
  std::map<std::string, std::int64_t> by_reason;
  for (const auto& n : both->notices) by_reason[std::string(reason_name(n.reason))] = n.devices;
  EXPECT_EQ(by_reason,
            (std::map<std::string, std::int64_t>{{"sender_unverified", 1}, {"undecryptable", 1}}));
  // A page never splits a message (its acknowledgement deletes every reason at once): one
  // message per page here, with both of its notices.
  const auto newer = message_to(patient_, pd1_, doc_, "refused later");
  clock_.advance(std::chrono::seconds(1));
  ASSERT_OK(service_->mailbox().send(patient_, newer));
  ASSERT_OK(service_->mailbox().refuse(doc_, dd1_, {newer.message_id},
                                       UndeliveredReason::kUndecryptable));
  auto first_page = service_->undelivered().list(patient_, pd1_, 1);
  ASSERT_OK(first_page);
  ASSERT_EQ(first_page->notices.size(), 2u);
  EXPECT_EQ(first_page->notices[0].message_id, altered.message_id);
  EXPECT_EQ(first_page->notices[1].message_id, altered.message_id);
  EXPECT_TRUE(first_page->more);
  EXPECT_EQ(*service_->undelivered().ack(patient_, pd1_, {newer.message_id}), 1);
  EXPECT_FALSE(service_->undelivered().list(patient_, pd1_, 1)->more);

  // The sender's own other device refusing its copy: deleted, nobody told.
  EXPECT_EQ(*service_->mailbox().refuse(patient_, pd2_, {altered.message_id},
                                        UndeliveredReason::kUndecryptable),
            1);
  EXPECT_EQ(audit_records("message.refuse")[0].record.detail,
            "count=1,reason=undecryptable,senders_told=0");
  EXPECT_EQ(service_->undelivered().list(patient_, pd1_, 10)->notices.size(), 2u);

  // Only the owner, only a refusal's reasons, only well-formed ids.
  const auto other = message_to(patient_, pd1_, doc_, "another");
  ASSERT_OK(service_->mailbox().send(patient_, other));
  EXPECT_ERROR_CODE(service_->mailbox().refuse(patient_, dd1_, {other.message_id},
                                               UndeliveredReason::kUndecryptable),
                    "device_not_found");
  EXPECT_ERROR_CODE(
      service_->mailbox().refuse(doc_, dd1_, {other.message_id}, UndeliveredReason::kExpired),
      "invalid_field");
  EXPECT_ERROR_CODE(
      service_->mailbox().refuse(doc_, dd1_, {"not-an-id"}, UndeliveredReason::kUndecryptable),
      "invalid_field");
  EXPECT_ERROR_CODE(service_->mailbox().refuse(doc_, dd1_, {}, UndeliveredReason::kUndecryptable),
                    "invalid_field");
  EXPECT_EQ(service_->mailbox().fetch(doc_, dd1_, 10, "http")->messages.size(), 1u);

  // The sender acknowledges the message's notices, every reason at once.
  EXPECT_EQ(*service_->undelivered().ack(patient_, pd1_, {altered.message_id}), 2);
  EXPECT_TRUE(service_->undelivered().list(patient_, pd1_, 10)->notices.empty());
}

// Migration 16 keeps the notices recorded before it, as expired (the only reason then).
TEST_F(MailboxTest, Migration16KeepsEarlierNoticesAsExpired) {
  const auto lost = message_to(doc_, dd1_, patient_, "never read");
  ASSERT_OK(service_->mailbox().send(doc_, lost));
  constexpr std::int64_t kMaxAge = 90 * 24 * 3600;
  const std::int64_t now = unix_seconds(clock_.now()) + kMaxAge + 1;
  ASSERT_OK(service_->mailbox().expire_undelivered(now, kMaxAge));
  ASSERT_OK(store_->write([](store::Transaction& tx) -> Status {
    for (const auto& sql : hippocrate::testing::statements_undoing_migrations_after(15)) {
      HIPPO_RETURN_IF_ERROR(tx.execute(sql));
    }
    return ok_status();
  }));
  const auto columns = [this] {
    return *store_->read([](store::Transaction& tx) -> Result<std::int64_t> {
      HIPPO_ASSIGN_OR_RETURN(
          auto row, tx.query_one("SELECT COUNT(*) FROM pragma_table_info('undelivered_notices') "
                                 "WHERE name = 'reason'"));
      return row->int64(0);
    });
  };
  EXPECT_EQ(columns(), 0);
  ASSERT_NO_FATAL_FAILURE(reopen_store());
  EXPECT_EQ(columns(), 1);
  auto list = service_->undelivered().list(doc_, dd1_, 10);
  ASSERT_OK(list);
  ASSERT_EQ(list->notices.size(), 1u);
  EXPECT_EQ(list->notices[0].message_id, lost.message_id);
  EXPECT_EQ(list->notices[0].reason, UndeliveredReason::kExpired);
  EXPECT_EQ(list->notices[0].devices, 2);
  EXPECT_EQ(list->notices[0].expired_at, now);
}

// The committed policy epoch follows every commit of the store, and becomes unknown (so
// early delivery reads a snapshot) as soon as a commit's epoch cannot be read.
TEST_F(MailboxTest, TheCommittedEpochFollowsCommitsAndIsUnknownWhenUnreadable) {
  CommittedPolicyEpoch committed(*store_);
  EXPECT_FALSE(committed.value().has_value());  // nothing committed since it was made
  auto read = [&] {
    return *store_->read([](store::Transaction& tx) { return read_policy_epoch(tx); });
  };
  ASSERT_OK(service_->mailbox().send(patient_, message_to(patient_, pd1_, doc_)));
  EXPECT_EQ(committed.value(), read());
  ASSERT_OK(service_->devices().revoke(patient_, pd2_));  // moves the epoch
  EXPECT_EQ(committed.value(), read());
  ASSERT_OK(store_->write([](store::Transaction& tx) {
    return run_sql(tx, "DELETE FROM policy_epoch WHERE id = 1", {});
  }));
  EXPECT_FALSE(committed.value().has_value());
}

// Once a send's facts passed at the policy epoch committed last, the next send with the
// same facts is delivered early without reading a snapshot; a committed change moves the
// epoch (published by the store's commit watch), so the next send is checked on a
// snapshot again, refused and not delivered.
TEST_F(MailboxTest, EarlyDeliveryReadsNothingUntilAPolicyChangeIsCommitted) {
  auto doc_live = std::make_shared<RecordingConnection>();
  service_->live().attach(dd1_, doc_live);
  auto& mailbox = service_->mailbox();
  ASSERT_OK(mailbox.send(patient_, message_to(patient_, pd1_, doc_)));
  EXPECT_EQ(mailbox.early_deliveries_without_read(), 0u);  // first time: on a snapshot
  ASSERT_OK(mailbox.send(patient_, message_to(patient_, pd1_, doc_)));
  ASSERT_OK(mailbox.send(patient_, message_to(patient_, pd1_, doc_)));
  EXPECT_EQ(mailbox.early_deliveries_without_read(), 2u);
  EXPECT_EQ(doc_live->frames().size(), 3u);
  // A retry of a message stored recently is recognised without a read: not pushed again
  // (it goes to the snapshot check, which finds it), stored once.
  auto retried = message_to(patient_, pd1_, doc_);
  ASSERT_OK(mailbox.send(patient_, retried));
  EXPECT_EQ(doc_live->frames().size(), 4u);
  auto again = mailbox.send(patient_, retried);
  ASSERT_OK(again);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(doc_live->frames().size(), 4u);
  EXPECT_EQ(mailbox.early_deliveries_without_read(), 3u);
  EXPECT_EQ(mailbox.fetch(doc_, dd1_, 100, "http")->messages.size(), 4u);

  ASSERT_OK(store_->write([&](store::Transaction& tx) {
    return run_sql(tx, "UPDATE care_relationships SET status = 'ended' WHERE id = ?",
                   {active_care_id_});
  }));
  const auto frames_before = doc_live->frames().size();
  const auto fast_before = mailbox.early_deliveries_without_read();
  EXPECT_ERROR_CODE(mailbox.send(patient_, message_to(patient_, pd1_, doc_)),
                    "contact_not_permitted");
  EXPECT_EQ(mailbox.early_deliveries_without_read(), fast_before);
  EXPECT_EQ(doc_live->frames().size(), frames_before);  // not pushed
}

// Early delivery remembers which sends passed at which policy epoch; after a change it
// checks again: a send after the relationship ended is not delivered early, nor stored.
TEST_F(MailboxTest, EarlyDeliveryChecksAgainAfterAChange) {
  auto doc_live = std::make_shared<RecordingConnection>();
  service_->live().attach(dd1_, doc_live);
  for (int i = 0; i < 2; ++i) {  // the second send uses what the first one's checks found
    ASSERT_OK(service_->mailbox().send(patient_, message_to(patient_, pd1_, doc_)));
  }
  EXPECT_EQ(doc_live->frames().size(), 2u);
  ASSERT_OK(store_->write([&](store::Transaction& tx) {
    return run_sql(tx, "UPDATE care_relationships SET status = 'ended' WHERE id = ?",
                   {active_care_id_});
  }));
  EXPECT_ERROR_CODE(service_->mailbox().send(patient_, message_to(patient_, pd1_, doc_)),
                    "contact_not_permitted");
  EXPECT_EQ(doc_live->frames().size(), 2u);  // not pushed
  // Another device set (a device added) is another key: checked, and refused as a mismatch
  // until the sender includes it.
  const std::string dd2 = add_device(doc_);
  ASSERT_OK(store_->write([&](store::Transaction& tx) {
    return run_sql(tx, "UPDATE care_relationships SET status = 'active' WHERE id = ?",
                   {active_care_id_});
  }));
  SendRequest stale{random_id(),
                    doc_.account_id,
                    pd1_,
                    {{dd1_, to_bytes("c")}, {pd2_, to_bytes("c")}}};
  auto refused = service_->mailbox().send(patient_, stale);
  ASSERT_TRUE(refused.ok());
  EXPECT_TRUE(refused->mismatch.has_value());
  EXPECT_EQ(doc_live->frames().size(), 2u);
  ASSERT_OK(service_->mailbox().send(patient_, message_to(patient_, pd1_, doc_)));
  EXPECT_EQ(doc_live->frames().size(), 3u);
}

// Two sends of one id checked on the same snapshot and written in one group commit: the
// second is the duplicate of the first (the idempotency check is never skipped).
TEST_F(MailboxTest, TheSameIdTwiceInOneCommitIsStoredOnce) {
  auto r = message_to(patient_, pd1_, doc_);
  std::promise<Result<SendResult>> first, second;
  {
    WriterGate gate(*store_);
    service_->mailbox().send_async(
        patient_, r, [&first](Result<SendResult> x) { first.set_value(std::move(x)); });
    service_->mailbox().send_async(
        patient_, r, [&second](Result<SendResult> x) { second.set_value(std::move(x)); });
  }
  auto a = first.get_future().get();
  auto b = second.get_future().get();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->duplicate);
  EXPECT_TRUE(b->duplicate);
  EXPECT_EQ(service_->mailbox().fetch(doc_, dd1_, 10, "http")->messages.size(), 1u);
}

// Sends of one sender queued while the writer is busy share one write job: each is checked
// and answered on its own (stored, duplicate, mismatch, refused), the stored ones in order
// and under one audit record.
TEST_F(MailboxTest, ASendersQueuedSendsShareOneJobEachAnsweredOnItsOwn) {
  const auto a = message_to(patient_, pd1_, doc_);
  const auto b = message_to(patient_, pd1_, doc_);
  auto mismatch = message_to(patient_, pd1_, doc_);
  mismatch.envelopes.pop_back();                           // one device short
  const auto refused = message_to(patient_, pd1_, doc2_);  // no care relationship
  std::vector<std::promise<Result<SendResult>>> answers(5);
  {
    WriterGate gate(*store_);
    std::size_t i = 0;
    for (const auto& r : {a, b, mismatch, a, refused}) {
      service_->mailbox().send_async(
          patient_, r, [&answers, i](Result<SendResult> x) { answers[i].set_value(std::move(x)); });
      ++i;
    }
  }
  std::vector<Result<SendResult>> got;
  for (auto& p : answers) got.push_back(p.get_future().get());
  ASSERT_OK(got[0]);
  ASSERT_OK(got[1]);
  EXPECT_FALSE(got[0]->duplicate || got[0]->mismatch || got[1]->duplicate || got[1]->mismatch);
  ASSERT_OK(got[2]);
  EXPECT_TRUE(got[2]->mismatch.has_value());
  ASSERT_OK(got[3]);
  EXPECT_TRUE(got[3]->duplicate);
  EXPECT_ERROR_CODE(got[4], "contact_not_permitted");

  // Stored once each, in order, on every device.
  for (const auto& [who, device] : {std::pair{doc_, dd1_}, std::pair{patient_, pd2_}}) {
    auto fetched = service_->mailbox().fetch(who, device, 10, "http");
    ASSERT_OK(fetched);
    ASSERT_EQ(fetched->messages.size(), 2u);
    EXPECT_EQ(fetched->messages[0].message_id, a.message_id);
    EXPECT_EQ(fetched->messages[1].message_id, b.message_id);
    EXPECT_LT(fetched->messages[0].seq, fetched->messages[1].seq);
  }
  // One record for the two stored sends; the mismatch and the refusal have their own.
  auto records = audit_records("message.send");
  std::map<std::string, std::vector<std::string>> details;
  for (const auto& r : records) details[r.record.result].push_back(r.record.detail);
  EXPECT_EQ(details["succeeded"], std::vector<std::string>{"messages=" + a.message_id + ";" +
                                                           b.message_id + ",envelopes=4"});
  ASSERT_EQ(details["failed"].size(), 1u);
  EXPECT_EQ(details["failed"][0],
            "reason=device_list_mismatch,message=" + mismatch.message_id + ",envelopes=1");
  ASSERT_EQ(details["denied"].size(), 1u);
  EXPECT_NE(details["denied"][0].find("message=" + refused.message_id), std::string::npos);
  EXPECT_EQ(records.size(), 3u);
  for (const auto& r : records) EXPECT_EQ(r.record.session_id, patient_.session_id);
}

// Migration 10 rebuilds the mailbox as one B-tree (WITHOUT ROWID): a database that has
// pending envelopes in the previous shape keeps them, in order, and they are acknowledged
// and expired as before.
TEST_F(MailboxTest, Migration10KeepsPendingEnvelopes) {
  const auto first = message_to(patient_, pd1_, doc_, "first");
  const auto second = message_to(patient_, pd1_, doc_, "second");
  ASSERT_OK(service_->mailbox().send(patient_, first));
  ASSERT_OK(service_->mailbox().send(patient_, second));
  const auto table_sql = [this]() -> std::string {
    auto sql = store_->read([](store::Transaction& tx) -> Result<std::string> {
      HIPPO_ASSIGN_OR_RETURN(auto row,
                             tx.query_one("SELECT sql FROM sqlite_master WHERE name = 'mailbox'"));
      return row->text(0);
    });
    return sql.ok() ? *sql : std::string("unreadable");
  };
  EXPECT_NE(table_sql().find("WITHOUT ROWID"), std::string::npos);
  // Back to the shape of migration 6, as a database made before migration 10 has it.
  ASSERT_OK(store_->write([](store::Transaction& tx) -> Status {
    // The migrations after 11 first (they run again after 10 and 11).
    for (const auto& sql : hippocrate::testing::statements_undoing_migrations_after(11)) {
      HIPPO_RETURN_IF_ERROR(tx.execute(sql));
    }
    for (const char* sql :
         {"CREATE TABLE mailbox_v9 (device_id TEXT NOT NULL REFERENCES devices(id), "
          "message_id TEXT NOT NULL REFERENCES messages(message_id), seq BIGINT NOT NULL, "
          "ciphertext BLOB NOT NULL, stored_at BIGINT NOT NULL, PRIMARY KEY (device_id, seq))",
          "INSERT INTO mailbox_v9 SELECT device_id, message_id, seq, ciphertext, stored_at "
          "FROM mailbox",
          "DROP TABLE mailbox", "ALTER TABLE mailbox_v9 RENAME TO mailbox",
          // Migration 11 undone too, so the database is at 9 and both run again.
          "DROP TABLE audit_by_account", "DROP TABLE audit_by_resource",
          "DROP TABLE audit_index_state",
          "CREATE INDEX audit_log_by_account ON audit_log (account_id, seq)",
          "CREATE INDEX audit_log_by_resource ON audit_log (resource, seq)",
          "DELETE FROM schema_migrations WHERE version >= 10"}) {
      HIPPO_RETURN_IF_ERROR(tx.execute(sql));
    }
    return ok_status();
  }));
  EXPECT_EQ(table_sql().find("WITHOUT ROWID"), std::string::npos);
  // Reopened: migrations 10 and 11 run again on it.
  ASSERT_NO_FATAL_FAILURE(reopen_store());
  EXPECT_NE(table_sql().find("WITHOUT ROWID"), std::string::npos);
  for (const auto& [who, device] : {std::pair{doc_, dd1_}, std::pair{patient_, pd2_}}) {
    auto fetched = service_->mailbox().fetch(who, device, 10, "http");
    ASSERT_OK(fetched);
    ASSERT_EQ(fetched->messages.size(), 2u);
    EXPECT_EQ(fetched->messages[0].message_id, first.message_id);
    for (const auto& e : first.envelopes) {
      if (e.device_id == device) {
        EXPECT_EQ(fetched->messages[0].ciphertext, e.ciphertext);
      }
    }
    EXPECT_EQ(fetched->messages[1].message_id, second.message_id);
    EXPECT_LT(fetched->messages[0].seq, fetched->messages[1].seq);
  }
  // Acknowledged by id (found by scanning the device's envelopes), then the rest expires.
  auto acked = service_->mailbox().ack(doc_, dd1_, {first.message_id});
  ASSERT_OK(acked);
  EXPECT_EQ(*acked, 1);
  auto left = service_->mailbox().fetch(doc_, dd1_, 10, "http");
  ASSERT_OK(left);
  ASSERT_EQ(left->messages.size(), 1u);
  EXPECT_EQ(left->messages[0].message_id, second.message_id);
  clock_.advance(std::chrono::hours(24 * 91));
  auto expired = service_->mailbox().expire_undelivered(unix_seconds(clock_.now()), 90 * 86'400);
  ASSERT_OK(expired);
  EXPECT_EQ(*expired, 3);  // second for dd1_, first and second for pd2_
}

// Two senders pick the same id and both pass their checks on a snapshot before either is
// stored: in the write, the insert's conflict decides — the first is stored, the second is
// refused with message_id_taken and stores nothing (no envelope, no audit record).
TEST_F(MailboxTest, AnIdTakenBetweenTheSnapshotAndTheWriteIsRefused) {
  auto mine = message_to(patient_, pd1_, doc_, "mine");
  auto theirs = message_to(doc_, dd1_, patient_, "theirs");
  theirs.message_id = mine.message_id;
  std::promise<Result<SendResult>> first, second;
  {
    WriterGate gate(*store_);
    service_->mailbox().send_async(
        patient_, mine, [&first](Result<SendResult> r) { first.set_value(std::move(r)); });
    service_->mailbox().send_async(
        doc_, theirs, [&second](Result<SendResult> r) { second.set_value(std::move(r)); });
  }
  auto a = first.get_future().get();
  ASSERT_OK(a);
  EXPECT_FALSE(a->duplicate);
  EXPECT_ERROR_CODE(second.get_future().get(), "message_id_taken");
  // Only the patient's envelopes are stored (one for the doctor's device, one for pd2_).
  EXPECT_EQ(mailbox_rows(), 2);
  auto fetched = service_->mailbox().fetch(doc_, dd1_, 10, "http");
  ASSERT_OK(fetched);
  ASSERT_EQ(fetched->messages.size(), 1u);
  EXPECT_EQ(fetched->messages[0].sender, patient_.account_id);
  auto records = audit_records("message.send");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].record.account_id, patient_.account_id);
}

// An envelope delivered early and acknowledged by its device while its send job still
// waits for the writer is never written: the job stores the send's other envelopes and
// its message row, and the device's ack write audits it. Once the write began, or for a
// send not delivered early, an acknowledgement goes through the mailbox as before.
TEST_F(MailboxTest, AnEnvelopeAcknowledgedBeforeItsWriteIsNotStored) {
  const std::string dd2 = add_device(doc2_);
  const auto m = message_to(patient_, pd1_, doc_);
  const auto refused = message_to(patient_, pd1_, doc2_);  // no care relationship
  std::promise<Result<SendResult>> sent, refused_sent;
  {
    WriterGate gate(*store_);
    service_->mailbox().send_async(patient_, m,
                                   [&sent](Result<SendResult> r) { sent.set_value(std::move(r)); });
    service_->mailbox().send_async(patient_, refused, [&refused_sent](Result<SendResult> r) {
      refused_sent.set_value(std::move(r));
    });
    // A malformed acknowledgement takes nothing (the ack write then refuses all of it).
    std::vector<std::string> malformed{m.message_id, "not-an-id"};
    EXPECT_EQ(service_->mailbox().acknowledge_before_write(dd1_, malformed), 0);
    EXPECT_EQ(malformed, (std::vector<std::string>{m.message_id, "not-an-id"}));
    const std::string unknown = random_id();
    std::vector<std::string> ids{unknown, m.message_id};
    EXPECT_EQ(service_->mailbox().acknowledge_before_write(dd1_, ids), 1);
    EXPECT_EQ(ids, std::vector<std::string>{unknown});  // left for the mailbox
    // Once only, and only the acknowledging device's own envelope of that message.
    ids = {m.message_id};
    EXPECT_EQ(service_->mailbox().acknowledge_before_write(dd1_, ids), 0);
    EXPECT_EQ(service_->mailbox().acknowledge_before_write(dd2, ids), 0);
    // A send refused by its checks was not delivered early: nothing to take.
    ids = {refused.message_id};
    EXPECT_EQ(service_->mailbox().acknowledge_before_write(dd2, ids), 0);
  }
  auto stored = sent.get_future().get();
  ASSERT_OK(stored);
  EXPECT_FALSE(stored->duplicate || stored->mismatch);
  EXPECT_ERROR_CODE(refused_sent.get_future().get(), "contact_not_permitted");
  // The doctor's device has nothing waiting; the patient's other device has its envelope.
  EXPECT_EQ(mailbox_rows(), 1);
  EXPECT_TRUE(service_->mailbox().fetch(doc_, dd1_, 10, "http")->messages.empty());
  auto other = service_->mailbox().fetch(patient_, pd2_, 10, "http");
  ASSERT_OK(other);
  ASSERT_EQ(other->messages.size(), 1u);
  EXPECT_EQ(other->messages[0].message_id, m.message_id);
  // The message row is written: a retry is answered as the original.
  auto retry = service_->mailbox().send(patient_, m);
  ASSERT_OK(retry);
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(mailbox_rows(), 1);
  // The device's ack write counts and audits it, with the ids it deletes.
  std::promise<Result<std::int64_t>> acked;
  service_->mailbox().ack_async(
      doc_, dd1_, {}, 1, [&acked](Result<std::int64_t> r) { acked.set_value(std::move(r)); });
  auto count = acked.get_future().get();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 1);
  auto acks = audit_records("message.ack");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].record.detail, "count=1,before_write=1");
  EXPECT_EQ(acks[0].record.account_id, doc_.account_id);
  EXPECT_EQ(acks[0].record.device_id, dd1_);
  // Still refused for a device that is not the actor's own.
  std::promise<Result<std::int64_t>> foreign;
  service_->mailbox().ack_async(patient_, dd1_, {}, 1, [&foreign](Result<std::int64_t> r) {
    foreign.set_value(std::move(r));
  });
  EXPECT_ERROR_CODE(foreign.get_future().get(), "device_not_found");
  // Once the write is done, an acknowledgement leaves the envelope to the mailbox's ack.
  const auto later = message_to(patient_, pd1_, doc_);
  ASSERT_OK(service_->mailbox().send(patient_, later));
  std::vector<std::string> ids{later.message_id};
  EXPECT_EQ(service_->mailbox().acknowledge_before_write(dd1_, ids), 0);
  EXPECT_EQ(ids, std::vector<std::string>{later.message_id});
  EXPECT_EQ(service_->mailbox().fetch(doc_, dd1_, 10, "http")->messages.size(), 1u);
}

}  // namespace
}  // namespace hippocrate::messaging::testing
