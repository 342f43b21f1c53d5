// Shared fixture for the messaging library tests: a real SQLite file in a temp dir, a
// ManualClock, an audit log, the MessagingService, and accounts inserted directly
// (two organisations; practitioners, an assistant, patients, an auditor) with care
// relationships in each state.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "base/clock.h"
#include "messaging/messaging_service.h"
#include "store/store.h"
#include "support/result_matchers.h"
#include "support/temp_dir.h"

namespace hippocrate::messaging::testing {

// A LiveConnection that records what it is pushed; `capacity` frames fit, then push fails.
class RecordingConnection final : public LiveConnection {
 public:
  explicit RecordingConnection(std::size_t capacity = 1000) : capacity_(capacity) {}
  bool push(std::string frame) override {
    std::lock_guard lock(mutex_);
    if (frames_.size() >= capacity_) return false;
    frames_.push_back(std::move(frame));
    return true;
  }
  void close() override { closed_ = true; }
  std::vector<std::string> frames() {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  bool closed() const { return closed_; }

 private:
  std::mutex mutex_;
  std::vector<std::string> frames_;
  std::size_t capacity_;
  std::atomic<bool> closed_{false};
};

class MessagingFixture : public ::testing::Test {
 protected:
  void SetUp() override;

  // Accounts (ids are random; organisation 1 unless said).
  Actor admin_, doc_, doc2_, assistant_, patient_, patient2_, auditor_, other_org_doc_;
  std::string active_care_id_;  // doc_ ↔ patient_ (active)

  // Inserts an account; returns its actor.
  Actor add_account(const std::string& role, const std::string& organisation);
  void add_care(const std::string& practitioner, const std::string& patient,
                const std::string& status, std::string* id = nullptr);
  // Registers a new device (list version = previous + 1) and returns its id.
  std::string add_device(const Actor& who);
  std::vector<std::string> devices_of(const Actor& who);
  // Envelopes for every current device of `to` and of `from` except `from_device`.
  SendRequest message_to(const Actor& from, const std::string& from_device, const Actor& to,
                         const std::string& body = "ciphertext");
  // The audit records with this action, newest first.
  std::vector<audit::StoredAuditRecord> audit_records(const std::string& action);
  // Envelopes in every mailbox (-1 when the store cannot be read).
  std::int64_t mailbox_rows();

  ::hippocrate::testing::TempDir dir_;
  ManualClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<MessagingService> service_;
  std::map<std::string, std::int64_t> list_versions_;
  std::string org1_, org2_;
};

}  // namespace hippocrate::messaging::testing
