// Retention: prune() removes only whole segments older than the retention, leaves a signed
// anchor, records itself, and the log still verifies.
#include <gtest/gtest.h>

#include <vector>

#include "audit/audit_test_support.h"

namespace hippocrate::audit::testing {
namespace {

using std::chrono::hours;

constexpr auto kDay = hours(24);

class RetentionTest : public AuditFixture {
 protected:
  void SetUp() override {
    AuditFixture::SetUp();
    set_options({.checkpoint_every = 10, .retention = 30 * kDay});
    append(25);  // seq 1..25 at day 0; checkpoints at 10 and 20
    clock().advance(31 * kDay);
    // seq 26..35 at day 31; checkpoints at 26 (the 5-minute interval has passed) and 36
    // (ten records later: the prune record, when a test prunes).
    append(10, 26);
  }
};

TEST_F(RetentionTest, PrunesOnlyWholeSegmentsOlderThanTheRetention) {
  ASSERT_OK_AND_ASSIGN(PruneReport report, log().prune(store()));
  // 21..25 are old too, but their segment (21..26) also holds a young record: kept.
  EXPECT_EQ(report.records_removed, 20);
  EXPECT_EQ(report.checkpoints_removed, 2);
  EXPECT_EQ(report.first_seq, 21);
  EXPECT_EQ(sqlite3_query("SELECT MIN(seq) || '-' || MAX(seq) FROM audit_log"), "21-36");
  EXPECT_EQ(sqlite3_query("SELECT action || ' ' || result || ' ' || detail FROM audit_log "
                          "WHERE seq = 36"),
            "audit.prune succeeded removed seq 1..20");
  EXPECT_EQ(sqlite3_query("SELECT first_seq FROM audit_anchor"), "21");

  const VerifyReport v = verify();
  EXPECT_TRUE(v.intact()) << v.explanation;
  EXPECT_EQ(v.first_seq, 21);
  EXPECT_EQ(v.records, 16);
  std::string output;
  EXPECT_EQ(run_tool(&output), 0) << output;
}

// The search index's entries of pruned records go with them (verify would report an entry
// naming a record that is not there), and searches find the records kept.
TEST_F(RetentionTest, PruningRemovesTheSearchIndexEntriesOfThePrunedRecords) {
  set_options({.checkpoint_every = 10, .retention = 30 * kDay, .search_index_batch = 4});
  append(1, 36);  // seq 36 completes a batch: 1..36 are indexed
  EXPECT_EQ(sqlite3_query("SELECT COUNT(*) FROM audit_by_account"), "36");
  reopen();
  ASSERT_OK_AND_ASSIGN(PruneReport report, log().prune(store()));
  EXPECT_EQ(report.records_removed, 20);
  EXPECT_EQ(sqlite3_query("SELECT COUNT(*) || ' ' || MIN(seq) FROM audit_by_account"), "16 21");
  EXPECT_EQ(sqlite3_query("SELECT COUNT(*) || ' ' || MIN(seq) FROM audit_by_resource"), "16 21");
  const VerifyReport v = verify();
  EXPECT_TRUE(v.intact()) << v.explanation;
  reopen();
  ASSERT_OK_AND_ASSIGN(auto found, AuditLog::search(store(), {.account_id = "account-1"}));
  std::vector<std::int64_t> seqs;
  for (const auto& r : found) seqs.push_back(r.seq);
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{34, 31, 28, 25, 22}));
}

TEST_F(RetentionTest, NothingToPruneWhileEverySegmentHoldsYoungRecords) {
  clock().set(test_epoch() + 10 * kDay);  // before the retention ends
  ASSERT_OK_AND_ASSIGN(PruneReport report, log().prune(store()));
  EXPECT_EQ(report.records_removed, 0);
  EXPECT_EQ(report.first_seq, 1);
  EXPECT_EQ(sqlite3_query("SELECT COUNT(*) FROM audit_log"), "35");
  EXPECT_EQ(sqlite3_query("SELECT COUNT(*) FROM audit_anchor"), "0");
}

TEST_F(RetentionTest, AppendingAndPruningAgainKeepsTheChainVerifiable) {
  ASSERT_OK(log().prune(store()));
  reopen();
  append(10, 37);  // 37..46 at day 31; checkpoint at 46
  clock().advance(31 * kDay);
  append(5, 47);  // 47..51 at day 62; checkpoint at 47 (interval)
  EXPECT_EQ(sqlite3_query("SELECT group_concat(seq) FROM audit_checkpoints"), "26,36,46,47");
  reopen();
  ASSERT_OK_AND_ASSIGN(PruneReport second, log().prune(store()));
  EXPECT_EQ(second.first_seq, 47);
  EXPECT_EQ(second.records_removed, 26);  // 21..46
  EXPECT_EQ(second.checkpoints_removed, 3);
  const VerifyReport v = verify();
  EXPECT_TRUE(v.intact()) << v.explanation;
  EXPECT_EQ(v.first_seq, 47);
  EXPECT_EQ(v.last_seq, 52);  // 52: the second prune's own record
}

TEST_F(RetentionTest, PrunesInBoundedSteps) {
  ASSERT_OK_AND_ASSIGN(PruneReport step, log().prune(store(), /*max_records=*/15));
  EXPECT_EQ(step.records_removed, 10);  // 1..10: the segment ending at 20 would exceed 15
  EXPECT_EQ(step.first_seq, 11);
  reopen();
  ASSERT_OK_AND_ASSIGN(step, log().prune(store(), 15));
  EXPECT_EQ(step.records_removed, 10);  // 11..20
  reopen();
  ASSERT_OK_AND_ASSIGN(step, log().prune(store(), 15));
  EXPECT_EQ(step.records_removed, 0);
  const VerifyReport v = verify();
  EXPECT_TRUE(v.intact()) << v.explanation;
  EXPECT_EQ(v.first_seq, 21);
}

TEST_F(RetentionTest, DeletingTheOldestKeptRecordIsStillDetected) {
  ASSERT_OK(log().prune(store()));
  ASSERT_EQ(sqlite3_tool("DELETE FROM audit_log WHERE seq = 21;"), 0);
  const VerifyReport v = verify();
  EXPECT_EQ(v.kind, TamperKind::kDeleted);
  EXPECT_EQ(v.seq, 21);
}

TEST_F(RetentionTest, FakingAPruneWithoutTheKeyIsDetected) {
  // Delete old records (as a prune would) without a signed anchor: the gap shows at 1.
  ASSERT_EQ(sqlite3_tool("DELETE FROM audit_log WHERE seq <= 20;"
                         "DELETE FROM audit_checkpoints WHERE seq <= 20;"),
            0);
  VerifyReport v = verify();
  EXPECT_EQ(v.kind, TamperKind::kDeleted);
  EXPECT_EQ(v.seq, 1);
}

TEST_F(RetentionTest, TamperedAnchorIsCheckpointInvalid) {
  ASSERT_OK(log().prune(store()));
  // Move the anchor forward to hide more records: its signature no longer matches.
  ASSERT_EQ(sqlite3_tool("UPDATE audit_anchor SET first_seq = 26;"
                         "DELETE FROM audit_log WHERE seq < 26;"),
            0);
  const VerifyReport v = verify();
  EXPECT_EQ(v.kind, TamperKind::kCheckpointInvalid);
  EXPECT_EQ(v.seq, 26);
  std::string output;
  EXPECT_EQ(run_tool(&output), 1) << output;
}

TEST_F(RetentionTest, PruneRefusesToDestroyATamperedSegment) {
  ASSERT_EQ(sqlite3_tool("UPDATE audit_checkpoints SET signature = randomblob(64) WHERE seq = 20;"),
            0);
  reopen();
  EXPECT_ERROR_CODE(log().prune(store()), "audit_log_tampered");
  EXPECT_EQ(sqlite3_query("SELECT COUNT(*) FROM audit_log"), "35");
}

}  // namespace
}  // namespace hippocrate::audit::testing
