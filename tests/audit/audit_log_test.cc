// Appending, same-transaction atomicity, checkpoints and their signatures, search, and the
// verify tool on an intact log.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "audit/audit_test_support.h"
#include "audit/verify_tool.h"
#include "crypto/ed25519.h"

namespace hippocrate::audit::testing {
namespace {

using store::Transaction;

std::int64_t count(store::Store& s, const std::string& table) {
  return s
      .read([&](Transaction& tx) -> Result<std::int64_t> {
        HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COUNT(*) FROM " + table));
        return row->int64(0);
      })
      .value();
}

class AuditLogTest : public AuditFixture {
 protected:
  void SetUp() override {
    AuditFixture::SetUp();
    set_options({.checkpoint_every = 10});
    // Stands for "the action" an audit record describes.
    ASSERT_OK(store().write([](Transaction& tx) {
      return tx.execute("CREATE TABLE test_actions (id TEXT PRIMARY KEY)").ok()
                 ? ok_status()
                 : Error::internal("setup", "create failed");
    }));
  }
  // One action and its record in one write; `fail_after` makes the write fail afterwards.
  Status act(const std::string& id, bool fail_after, AuditRecord r = sample_record(1)) {
    return store().write([&](Transaction& tx) -> Status {
      HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO test_actions (id) VALUES (?)", {id}));
      r.resource = "action:" + id;
      HIPPO_RETURN_IF_ERROR(log().append(tx, r));
      if (fail_after) return Error::conflict("later_step_failed", "a later step failed");
      return ok_status();
    });
  }
};

TEST_F(AuditLogTest, AppendedChainVerifiesWithCheckpoints) {
  append(25);
  const VerifyReport report = verify();
  EXPECT_TRUE(report.intact()) << report.explanation;
  EXPECT_EQ(report.records, 25);
  EXPECT_EQ(report.first_seq, 1);
  EXPECT_EQ(report.last_seq, 25);
  EXPECT_EQ(report.checkpoints, 2);  // at 10 and 20
  EXPECT_EQ(report.last_checkpoint_seq, 20);
  EXPECT_EQ(sqlite3_query("SELECT group_concat(seq) FROM audit_checkpoints"), "10,20");
  EXPECT_EQ(sqlite3_query("SELECT MIN(seq) || '-' || MAX(seq) || '-' || COUNT(*) FROM audit_log"),
            "1-25-25");
}

TEST_F(AuditLogTest, EmptyLogIsIntact) {
  const VerifyReport report = verify();
  EXPECT_TRUE(report.intact());
  EXPECT_EQ(report.records, 0);
}

TEST_F(AuditLogTest, RolledBackActionLeavesNeitherActionNorRecord) {
  append(3);
  EXPECT_ERROR_CODE(act("a1", /*fail_after=*/true), "later_step_failed");
  EXPECT_EQ(count(store(), "test_actions"), 0);
  EXPECT_EQ(count(store(), "audit_log"), 3);
  // The seq the rolled-back record took is reused: the chain stays contiguous.
  ASSERT_OK(act("a2", false));
  EXPECT_EQ(sqlite3_query("SELECT seq FROM audit_log WHERE resource = 'action:a2'"), "4");
  EXPECT_TRUE(verify().intact());
}

TEST_F(AuditLogTest, CommittedActionHasItsRecord) {
  ASSERT_OK(act("a1", false,
                {.account_id = "account-1",
                 .session_id = "session-1",
                 .source_address = "192.0.2.1",
                 .action = "account.role.change",
                 .result = "succeeded",
                 .detail = "role=practitioner"}));
  EXPECT_EQ(count(store(), "test_actions"), 1);
  ASSERT_OK_AND_ASSIGN(auto found, AuditLog::search(store(), {.resource = "action:a1"}));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].seq, 1);
  EXPECT_EQ(found[0].record.action, "account.role.change");
  EXPECT_EQ(found[0].record.device_id, "");
  EXPECT_EQ(found[0].record.at, clock().now());  // stamped by the log's clock
}

TEST_F(AuditLogTest, FailedAppendFailsTheAction) {
  AuditRecord bad = sample_record(1);
  bad.action.clear();
  EXPECT_ERROR_CODE(act("a1", false, bad), "audit_record_invalid");
  EXPECT_EQ(count(store(), "test_actions"), 0);
  bad = sample_record(1);
  bad.detail.assign(kMaxDetailBytes + 1, 'x');
  EXPECT_ERROR_CODE(act("a2", false, bad), "audit_record_invalid");
  EXPECT_EQ(count(store(), "test_actions"), 0);
  EXPECT_EQ(count(store(), "audit_log"), 0);
}

TEST_F(AuditLogTest, AppendRefusesAReadTransaction) {
  EXPECT_ERROR_CODE(
      store().read([&](Transaction& tx) { return log().append(tx, sample_record(1)); }),
      "audit_read_only_transaction");
}

TEST_F(AuditLogTest, ConcurrentWritersWithFailuresKeepSeqContiguous) {
  // Group commit runs several jobs in one transaction, each under a savepoint; failing
  // jobs roll back alone and must not leave holes or forks in the chain.
  std::atomic<int> committed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        const bool fail = (i % 3) == 0;
        if (act("t" + std::to_string(t) + "-" + std::to_string(i), fail).ok()) ++committed;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(count(store(), "test_actions"), committed.load());
  EXPECT_EQ(count(store(), "audit_log"), committed.load());
  const VerifyReport report = verify();
  EXPECT_TRUE(report.intact()) << report.explanation;
  EXPECT_EQ(report.last_seq, committed.load());
}

TEST_F(AuditLogTest, ForcedCheckpointCoversTheTail) {
  ASSERT_OK(store().write([&](Transaction& tx) { return log().checkpoint(tx); }));  // empty: no-op
  append(4);
  ASSERT_OK(store().write([&](Transaction& tx) { return log().checkpoint(tx); }));
  ASSERT_OK(store().write([&](Transaction& tx) { return log().checkpoint(tx); }));  // covered
  EXPECT_EQ(sqlite3_query("SELECT group_concat(seq) FROM audit_checkpoints"), "4");
  const VerifyReport report = verify();
  EXPECT_TRUE(report.intact());
  EXPECT_EQ(report.last_checkpoint_seq, 4);
}

TEST_F(AuditLogTest, CheckpointIsDueAfterTheInterval) {
  set_options({.checkpoint_every = 1000, .checkpoint_interval = std::chrono::seconds(60)});
  append(2);
  clock().advance(std::chrono::seconds(61));
  append(1, 3);
  EXPECT_EQ(sqlite3_query("SELECT group_concat(seq) FROM audit_checkpoints"), "3");
  reopen();
  append(1, 4);
  clock().advance(std::chrono::seconds(61));
  append(1, 5);
  EXPECT_EQ(sqlite3_query("SELECT group_concat(seq) FROM audit_checkpoints"), "3,5");
}

TEST_F(AuditLogTest, CheckpointsVerifyOnlyUnderTheAuditKey) {
  append(12);
  const crypto::Ed25519KeyPair other = crypto::ed25519_generate();
  reopen();
  ASSERT_OK_AND_ASSIGN(VerifyReport report, AuditLog::verify(store(), other.public_key));
  EXPECT_EQ(report.kind, TamperKind::kCheckpointInvalid);
  EXPECT_EQ(report.seq, 10);
}

TEST_F(AuditLogTest, CheckpointSignedByAnotherKeyIsRejected) {
  append(12);
  // A correct checkpoint message, but signed with a key that is not the audit key.
  const crypto::Ed25519KeyPair other = crypto::ed25519_generate();
  const std::string hash_hex = sqlite3_query("SELECT hex(hash) FROM audit_log WHERE seq = 10");
  const std::string at = sqlite3_query("SELECT signed_at_ms FROM audit_checkpoints WHERE seq = 10");
  const Bytes msg = checkpoint_message(10, 0, hex_decode(hash_hex).value(), std::stoll(at));
  const auto sig = crypto::ed25519_sign(other.secret_key, msg).value();
  ASSERT_EQ(sqlite3_tool("UPDATE audit_checkpoints SET signature = X'" + hex_encode(sig) +
                         "' WHERE seq = 10;"),
            0);
  const VerifyReport report = verify();
  EXPECT_EQ(report.kind, TamperKind::kCheckpointInvalid);
  EXPECT_EQ(report.seq, 10);
}

TEST_F(AuditLogTest, SearchFiltersNewestFirst) {
  append(30);
  ASSERT_OK_AND_ASSIGN(auto by_account, AuditLog::search(store(), {.account_id = "account-1"}));
  ASSERT_EQ(by_account.size(), 10u);
  EXPECT_EQ(by_account.front().seq, 28);
  EXPECT_EQ(by_account.back().seq, 1);
  for (const auto& r : by_account) EXPECT_EQ(r.record.account_id, "account-1");

  ASSERT_OK_AND_ASSIGN(auto logins,
                       AuditLog::search(store(), {.action = "auth.login", .limit = 3}));
  ASSERT_EQ(logins.size(), 3u);
  EXPECT_EQ(logins[0].seq, 28);
  EXPECT_EQ(logins[0].record, [] {
    AuditRecord r = sample_record(28);
    r.at = test_epoch() + std::chrono::milliseconds(280);
    return r;
  }());

  // Records i are stamped at epoch + 10 ms * i.
  ASSERT_OK_AND_ASSIGN(
      auto window, AuditLog::search(store(), {.from = test_epoch() + std::chrono::milliseconds(50),
                                              .to = test_epoch() + std::chrono::milliseconds(80)}));
  ASSERT_EQ(window.size(), 3u);  // 5, 6, 7
  EXPECT_EQ(window[0].seq, 7);
  EXPECT_EQ(window[2].seq, 5);

  ASSERT_OK_AND_ASSIGN(auto patient, AuditLog::search(store(), {.account_id = "account-2",
                                                                .resource = "patient:3"}));
  for (const auto& r : patient) EXPECT_EQ(r.record.resource, "patient:3");
  EXPECT_ERROR_CODE(AuditLog::search(store(), {.limit = 0}), "audit_filter_invalid");
}

TEST_F(AuditLogTest, VerifyToolReportsAnIntactLog) {
  append(12);
  std::string output;
  EXPECT_EQ(run_tool(&output), 0);
  EXPECT_NE(output.find("audit log intact: 12 records, 1 checkpoints, last seq 12"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("last checkpoint: seq 10, hash "), std::string::npos) << output;
}

TEST_F(AuditLogTest, VerifyToolCannotOpen) {
  ::hippocrate::testing::TempDir empty;
  std::FILE* out = std::tmpfile();
  EXPECT_EQ(run_audit_verify(empty.path(), out), 2);  // no database
  append(1);
  close();
  std::filesystem::remove(audit_public_key_path(data_dir()));
  EXPECT_EQ(run_audit_verify(data_dir(), out), 2);  // no public key
  std::fclose(out);
  EXPECT_FALSE(std::filesystem::exists(empty.path() / "hippocrate.db"));
}

TEST_F(AuditLogTest, VerifyToolWithAPinnedKeyOfAnotherServerFails) {
  append(12);
  close();
  std::FILE* out = std::tmpfile();
  EXPECT_EQ(run_audit_verify(data_dir(), out, crypto::ed25519_generate().public_key), 1);
  EXPECT_EQ(run_audit_verify(data_dir(), out, log().public_key()), 0);
  std::fclose(out);
}

}  // namespace
}  // namespace hippocrate::audit::testing
