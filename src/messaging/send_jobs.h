// SendJobs: the sends of one sender waiting for the store's writer, merged into one write
// job (docs/messaging.md, "Send": one write job per sender and group commit).
//
// A send joins the job of its sender (the same account, session, source address and
// sending device: everything its audit record names) that the writer has not started yet;
// otherwise it opens a new job, which the caller queues (Store::write_async). When the
// writer starts a job it calls take(), which closes the job: a send arriving later opens
// the next one. Merging therefore never holds a send back: it goes into the first group
// commit it could have joined alone. At most kMaxSendsPerJob sends per job, so that their
// ids fit the detail of one audit record (audit::kMaxDetailBytes).
//
// An envelope delivered early and acknowledged by its device while its job still waits
// is marked (acknowledge()): the writer then does not store it at all — the device has
// it, and an insert followed by a delete would only cost the writer (docs/messaging.md,
// "Acknowledged before the write").
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "messaging/messaging_types.h"

namespace hippocrate::messaging {

struct SendRequest;
struct SendResult;

// One send waiting for its write.
struct QueuedSend {
  std::shared_ptr<const SendRequest> request;
  std::int64_t now = 0;  // Unix seconds: its stored_at
  // Set when its checks passed on a snapshot at this policy epoch (Mailbox::checks_since).
  std::optional<std::int64_t> passed_at_epoch;
  bool pushed = false;  // delivered early, before the write
  // Bit i: envelopes[i] was acknowledged by its device before the write began, so it is
  // not stored (SendJobs::acknowledge). One bit per envelope a send may carry (the mailbox
  // checks wire::kMaxEnvelopes fits).
  static constexpr std::size_t kMaxAcknowledgeable = 32;
  std::uint32_t acknowledged = 0;
  std::function<void(Result<SendResult>)> done;
};

class SendJob {
 public:
  SendJob(Actor actor, std::string key) : actor_(std::move(actor)), key_(std::move(key)) {}
  const Actor& actor() const { return actor_; }

 private:
  friend class SendJobs;
  const Actor actor_;
  const std::string key_;  // its sender (SendJobs::open_)
  // Guarded by the owning SendJobs' mutex_ (which GUARDED_BY cannot name from here: only
  // SendJobs touches them, in functions that hold it).
  bool closed_ = false;
  std::vector<QueuedSend> sends_;  // arrival order
};

class SendJobs {
 public:
  static constexpr std::size_t kMaxSendsPerJob = 64;

  // Adds `send` (whose request names the sending device) to its sender's open job. Returns
  // the job it opened, which the caller must queue, or nullptr when it joined one.
  std::shared_ptr<SendJob> add(const Actor& actor, QueuedSend send) EXCLUDES(mutex_);
  // Closes `job` to new sends and returns the sends it holds; a later call returns none.
  std::vector<QueuedSend> take(SendJob& job) EXCLUDES(mutex_);
  // For each id of `message_ids`: marks the envelope for `device_id` of that send as
  // acknowledged, when the send was delivered early and its job has not been taken by the
  // writer yet, and removes the id from `message_ids`. Returns how many it marked (none
  // once the write began, for an unknown id or device, or for an envelope already marked).
  // The caller must have authenticated `device_id` as the acknowledging account's own
  // device: this only drops that device's own envelopes.
  std::int64_t acknowledge(std::vector<std::string>& message_ids, std::string_view device_id)
      EXCLUDES(mutex_);

 private:
  // A send delivered early, in a job not taken yet.
  struct Waiting {
    SendJob* job = nullptr;
    std::size_t index = 0;  // in job->sends_
  };
  Mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<SendJob>> open_ GUARDED_BY(mutex_);
  // Keyed by message id, viewing the request's own string (kept alive by the job until
  // take(), which erases the entries). The first send with an id wins (a retry queued in
  // the same job is answered as a duplicate and stores nothing).
  std::unordered_map<std::string_view, Waiting> waiting_ GUARDED_BY(mutex_);
};

}  // namespace hippocrate::messaging
