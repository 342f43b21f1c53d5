// The search index by account and by resource, written a batch at a time: searches read the
// indexed records and the tail the index does not cover yet, with the same answers as a scan;
// a batch is indexed in the transaction of the append that completes it; verify names a
// record the index would hide; and migration 11 indexes an existing log.
//
// The log: 30 records (sample_record(i): account-(i%3), patient:(i%7)), a batch of 8, so the
// index covers 1..24 and 25..30 are the tail.
#include <gtest/gtest.h>

#include "support/undo_migrations.h"

#include <string>
#include <vector>

#include "audit/audit_test_support.h"

namespace hippocrate::audit::testing {
namespace {

using store::Transaction;

constexpr int kRecords = 30;

class SearchIndexTest : public AuditFixture {
 protected:
  void SetUp() override {
    AuditFixture::SetUp();
    set_options({.checkpoint_every = 10, .search_index_batch = 8});
    append(kRecords);
  }

  std::string scalar(const std::string& sql) {
    std::string out = sqlite3_query(sql);
    reopen();
    return out;
  }

  std::vector<std::int64_t> seqs(const AuditFilter& filter) {
    auto found = AuditLog::search(store(), filter);
    EXPECT_TRUE(found.ok()) << found.error().to_string();
    std::vector<std::int64_t> out;
    if (found) {
      for (const auto& r : *found) out.push_back(r.seq);
    }
    return out;
  }

  // What a scan of sample records 1..n, newest first, gives for `keep`, cut at `limit`.
  template <typename Keep>
  static std::vector<std::int64_t> expected(Keep keep, std::int64_t limit, int n = kRecords) {
    std::vector<std::int64_t> out;
    for (int i = n; i >= 1 && static_cast<std::int64_t>(out.size()) < limit; --i) {
      if (keep(sample_record(i))) out.push_back(i);
    }
    return out;
  }

  void tamper(const std::string& sql) { ASSERT_EQ(sqlite3_tool(sql), 0) << sql; }

  void expect_index_edited(std::int64_t seq) {
    const VerifyReport report = verify();
    EXPECT_EQ(tamper_kind_name(report.kind), "search_index_edited") << report.explanation;
    EXPECT_EQ(report.seq, seq) << report.explanation;
    std::string output;
    EXPECT_EQ(run_tool(&output), 1) << output;
    EXPECT_NE(output.find("audit log TAMPERED: record " + std::to_string(seq) +
                          " was search_index_edited"),
              std::string::npos)
        << output;
  }
};

TEST_F(SearchIndexTest, TheIndexCoversWholeBatches) {
  EXPECT_EQ(scalar("SELECT indexed_through FROM audit_index_state"), "24");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_by_account"), "24");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_by_resource WHERE seq <= 24"), "24");
  EXPECT_EQ(scalar("SELECT MAX(seq) FROM audit_by_resource"), "24");
  EXPECT_TRUE(verify().intact()) << verify().explanation;
}

// Every account and resource, every limit: the index and the tail together answer what a
// scan would, newest first, whichever side of the mark the limit falls on.
TEST_F(SearchIndexTest, SearchesAnswerAsAScanOnBothSidesOfTheMark) {
  for (std::int64_t limit : {1, 2, 3, 5, 100}) {
    for (int a = 0; a < 3; ++a) {
      const std::string account = "account-" + std::to_string(a);
      EXPECT_EQ(seqs({.account_id = account, .limit = limit}),
                expected([&](const AuditRecord& r) { return r.account_id == account; }, limit))
          << account << " limit " << limit;
    }
    for (int p = 0; p < 7; ++p) {
      const std::string resource = "patient:" + std::to_string(p);
      EXPECT_EQ(seqs({.resource = resource, .limit = limit}),
                expected([&](const AuditRecord& r) { return r.resource == resource; }, limit))
          << resource << " limit " << limit;
    }
  }
  // With other conditions: on the index's key and on the rest of the record.
  EXPECT_EQ(seqs({.account_id = "account-0", .action = "auth.login"}),
            (std::vector<std::int64_t>{24, 12}));
  EXPECT_EQ(seqs({.account_id = "account-2", .resource = "patient:5"}),
            expected(
                [](const AuditRecord& r) {
                  return r.account_id == "account-2" && r.resource == "patient:5";
                },
                100));
  EXPECT_EQ(
      seqs({.resource = "patient:1", .result = "denied"}),
      expected(
          [](const AuditRecord& r) { return r.resource == "patient:1" && r.result == "denied"; },
          100));
  // Leaving out actions by prefix, with and without the index.
  EXPECT_EQ(seqs({.account_id = "account-0", .exclude_action_prefixes = {"auth."}}),
            expected(
                [](const AuditRecord& r) {
                  return r.account_id == "account-0" && !r.action.starts_with("auth.");
                },
                100));
  EXPECT_EQ(seqs({.exclude_action_prefixes = {"patient.", "auth.log"}}),
            std::vector<std::int64_t>{});
  EXPECT_EQ(seqs({.exclude_action_prefixes = {"patient.rec"}, .limit = 4}),
            (std::vector<std::int64_t>{28, 24, 20, 16}));
}

TEST_F(SearchIndexTest, ABatchIsIndexedWithTheAppendThatCompletesItOrNotAtAll) {
  // Records 31 and 32 complete the batch 25..32, then the write fails: nothing of it stays.
  const Status failed = store().write([&](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(log().append(tx, sample_record(31)));
    HIPPO_RETURN_IF_ERROR(log().append(tx, sample_record(32)));
    return Error::conflict("later_step_failed", "a later step failed");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(scalar("SELECT indexed_through FROM audit_index_state"), "24");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_by_account WHERE seq > 24"), "0");
  append(2, 31);
  EXPECT_EQ(scalar("SELECT indexed_through FROM audit_index_state"), "32");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_by_account"), "32");
  EXPECT_EQ(seqs({.account_id = "account-1", .limit = 100}),
            expected([](const AuditRecord& r) { return r.account_id == "account-1"; }, 100, 32));
  EXPECT_TRUE(verify().intact()) << verify().explanation;
}

TEST_F(SearchIndexTest, AnEntryDeletedFromTheIndexIsReported) {
  tamper("DELETE FROM audit_by_account WHERE seq = 13;");
  expect_index_edited(13);
}

TEST_F(SearchIndexTest, AnEntryMovedToAnotherResourceIsReportedAndNotFollowed) {
  // Record 9 is about patient:2; the entry now says patient:4.
  tamper("UPDATE audit_by_resource SET resource = 'patient:4' WHERE seq = 9;");
  expect_index_edited(9);
  reopen();
  // The search does not show record 9 as being about patient:4.
  EXPECT_EQ(seqs({.resource = "patient:4"}),
            expected([](const AuditRecord& r) { return r.resource == "patient:4"; }, 100));
}

TEST_F(SearchIndexTest, AnExtraEntryIsReported) {
  tamper("INSERT INTO audit_by_account (account_id, seq) VALUES ('account-9', 7);");
  expect_index_edited(7);
}

TEST_F(SearchIndexTest, AMarkMovedBackIsReported) {
  // The entries of 17..24 now look like tail records that should not be indexed.
  tamper("UPDATE audit_index_state SET indexed_through = 16;");
  expect_index_edited(17);
}

// A database of schema 10 with SQLite's own indexes on audit_log: migration 11 builds the
// tables from its records, and searches and verify work on the migrated log.
TEST_F(SearchIndexTest, Migration11IndexesAnExistingLog) {
  std::string later;  // the migrations after 11 (they run again after it)
  for (const auto& sql : hippocrate::testing::statements_undoing_migrations_after(11)) {
    later += sql + ";";
  }
  tamper(later +
         "DROP TABLE audit_by_account; DROP TABLE audit_by_resource; DROP TABLE audit_index_state;"
         "CREATE INDEX audit_log_by_account ON audit_log (account_id, seq);"
         "CREATE INDEX audit_log_by_resource ON audit_log (resource, seq);"
         "DELETE FROM schema_migrations WHERE version = 11;");
  reopen();  // applies migration 11
  EXPECT_EQ(scalar("SELECT indexed_through FROM audit_index_state"), "30");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_by_account"), "30");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM audit_by_resource"), "30");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM sqlite_schema WHERE name LIKE 'audit_log_by_%'"), "1");
  EXPECT_EQ(seqs({.resource = "patient:6", .limit = 100}),
            expected([](const AuditRecord& r) { return r.resource == "patient:6"; }, 100));
  EXPECT_TRUE(verify().intact()) << verify().explanation;
  // The next batch boundary (32) indexes 31..32.
  append(2, 31);
  EXPECT_EQ(scalar("SELECT indexed_through FROM audit_index_state"), "32");
  EXPECT_TRUE(verify().intact()) << verify().explanation;
}

}  // namespace
}  // namespace hippocrate::audit::testing
