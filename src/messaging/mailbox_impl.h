// Internal: Mailbox's state and the steps its operations share. Included only by the
// mailbox_*.cc files, which implement mailbox.h by concern (messaging/README.md lists
// them); nothing else may depend on what is here.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "access/policy.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "messaging/live_registry.h"
#include "messaging/mailbox.h"
#include "messaging/messaging_types.h"
#include "messaging/passed_checks.h"
#include "messaging/policy_epoch.h"
#include "messaging/recent_message_ids.h"
#include "messaging/send_jobs.h"
#include "store/store.h"

namespace hippocrate::messaging {

namespace detail {
// "invalid_field": "the field 'FIELD' WHAT" (mailbox.cc).
Error invalid_field(std::string_view field, std::string_view what);
}  // namespace detail

struct Mailbox::Impl {
  Impl(store::Store& store, const Clock& clock, const audit::AuditLog& audit, LiveRegistry& live)
      : store_(store), clock_(clock), audit_(audit), live_(live) {}

  // What a send's checks found (docs/messaging.md "Send": 1. idempotency, 2. the sender's
  // own active device, 3. the contact policy, 4. the device set), without writing: run on
  // a read snapshot for early delivery, then again inside the write (mailbox_send_checks.cc).
  struct Precheck {
    bool duplicate = false;
    std::int64_t stored_at = 0;  // of the duplicate
    access::Decision decision{true, {}};
    std::optional<DeviceMap> mismatch;
    std::int64_t policy_epoch = 0;  // the epoch the checks were made at
    bool passed() const { return !duplicate && decision && !mismatch; }
  };
  // Checks 1–4, at the policy epoch read first.
  static Result<Precheck> precheck(store::Transaction& tx, const Actor& actor,
                                   const SendRequest& request);
  // precheck(), or when checks 2–4 passed at `passed_at_epoch` and the epoch has not moved
  // since, only the epoch and check 1 (idempotency).
  static Result<Precheck> checks_since(store::Transaction& tx, const Actor& actor,
                                       const SendRequest& request,
                                       std::optional<std::int64_t> passed_at_epoch);
  // checks_since() for early delivery: when a send with the same facts (`key`, passed_key)
  // passed at the current policy epoch (passed_), only the epoch and the idempotency check
  // are read. Remembers the epoch of a send that passes.
  Result<Precheck> snapshot_check(store::Transaction& tx, const Actor& actor,
                                  const SendRequest& request, const std::string& key);
  // Every fact checks 2–4 depend on (PassedChecks' key): the sender's account, role,
  // organisation and device, the recipient, the envelopes' device set.
  static std::string passed_key(const Actor& actor, const SendRequest& request);
  // Check 1 alone: a stored message with this id (a retry, or an id taken by another).
  static Status find_duplicate(store::Transaction& tx, const Actor& actor,
                               const SendRequest& request, Precheck& out);

  // The write of a send job and the answers after its commit (mailbox_send_write.cc).
  // What a job stored, for its audit records and its mailbox order.
  struct StoredSends {
    struct Group {
      std::string recipient;
      std::vector<std::string> message_ids;
      std::size_t envelopes = 0;
    };
    std::vector<Group> by_recipient;                         // first-send order
    std::unordered_map<std::string, std::int64_t> last_seq;  // device → last mailbox seq
    std::optional<std::int64_t> epoch;  // the policy epoch, read once per job when needed
  };
  struct SendOutcome {
    Result<SendResult> result;
    bool refused = false;  // by the contact policy (audited as denied)
  };
  // One send inside its job's write transaction. When its `passed_at_epoch` is set, the send
  // passed every check on a snapshot at that policy epoch: if the epoch (read once per job,
  // `stored.epoch`) is unchanged, only idempotency is checked, by the insert of the
  // `messages` row itself. A stored send is added to `stored`; its audit record is written
  // by write_send_records. A refusal is audited here.
  Result<SendResult> send_in(store::Transaction& tx, const Actor& actor, const QueuedSend& send,
                             bool& refused, StoredSends& stored) const;
  // A send's mailbox rows (its `messages` row is in), but for the envelopes their devices
  // acknowledged while the job waited (QueuedSend::acknowledged), added to `stored`; `out`
  // with its stored_at.
  static Result<SendResult> store_envelopes(store::Transaction& tx, const QueuedSend& send,
                                            StoredSends& stored, SendResult out);
  // One `message.send` record per recipient for the sends a job stored.
  Status write_send_records(store::Transaction& tx, const Actor& actor,
                            const std::string& sender_device, const StoredSends& stored) const;
  // A job's sends, in order, each with its own outcome; an error fails them all.
  Status send_job_in(store::Transaction& tx, const Actor& actor,
                     const std::vector<QueuedSend>& sends,
                     std::vector<SendOutcome>& outcomes) const;
  // Queues the write of a job SendJobs opened; answers each of its sends after the commit.
  void queue_send_job(const std::shared_ptr<SendJob>& job);

  // Live pushes (mailbox_push.cc). The send's envelopes to its recipients' connected
  // devices (LiveRegistry), as `deliver` frames stored at `now`.
  void push_envelopes(const Actor& actor, const SendRequest& request, std::int64_t now) const;
  // A `messages_undelivered` error frame to these devices of senders, where connected.
  void tell_senders(const std::vector<std::string>& sender_devices);

  // The transactions' bodies, shared by the synchronous and asynchronous forms
  // (mailbox_fetch.cc, mailbox_ack.cc).
  Result<FetchResult> fetch_in(store::Transaction& tx, const Actor& actor,
                               const std::string& device_id, std::size_t limit,
                               const std::string& via, std::int64_t after_seq,
                               bool report_expired) const;
  Result<std::int64_t> ack_in(store::Transaction& tx, const Actor& actor,
                              const std::string& device_id,
                              const std::vector<std::string>& message_ids,
                              std::int64_t acknowledged_before_write = 0) const;

  store::Store& store_;
  const Clock& clock_;
  const audit::AuditLog& audit_;
  LiveRegistry& live_;
  PassedChecks passed_;
  CommittedPolicyEpoch committed_epoch_{store_};
  RecentMessageIds recent_;
  SendJobs send_jobs_;
  std::atomic<std::uint64_t> early_without_read_{0};
};

}  // namespace hippocrate::messaging
