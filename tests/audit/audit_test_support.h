// Shared fixture for the audit tests: a data dir in a temp folder with a real SQLite store
// (hippocrate.db), the audit key created by load_or_create_audit_key, a ManualClock, and
// helpers to append records, reopen the store, and run the real `sqlite3` tool on the file.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "audit/audit_key.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "store/store.h"
#include "support/result_matchers.h"
#include "support/temp_dir.h"

namespace hippocrate::audit::testing {

// 2026-01-01T00:00:00Z.
TimePoint test_epoch();

// A plausible record: ids and names only, never content.
AuditRecord sample_record(int i);

class AuditFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override { close(); }

  std::filesystem::path data_dir() const { return dir_.path(); }
  std::filesystem::path db_path() const { return dir_.path() / "hippocrate.db"; }
  store::Store& store() { return *store_; }
  AuditLog& log() { return *log_; }
  ManualClock& clock() { return clock_; }

  // Replaces the AuditLog (same key) with one using `options`.
  void set_options(const AuditOptions& options);
  // Appends records first..first+count-1 (sample_record(i)), one Store::write each.
  void append(int count, int first = 1);
  // Closes / reopens the store (the sqlite3 tool runs on a closed file).
  void close() { store_.reset(); }
  void reopen();
  // Runs `sql` through the real sqlite3 command-line tool on the database file, with the
  // store closed; returns its exit status.
  int sqlite3_tool(const std::string& sql);
  // One column of one row, through the sqlite3 tool ("" on error).
  std::string sqlite3_query(const std::string& sql);
  // Verifies with the log's public key on a freshly opened store.
  VerifyReport verify();
  // run_audit_verify's exit code; its output in *output.
  int run_tool(std::string* output);

  ::hippocrate::testing::TempDir dir_;
  ManualClock clock_{test_epoch()};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<AuditLog> log_;
};

}  // namespace hippocrate::audit::testing
