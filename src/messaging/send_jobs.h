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
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

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
  std::function<void(Result<SendResult>)> done;
};

class SendJob {
 public:
  SendJob(Actor actor, std::string key) : actor_(std::move(actor)), key_(std::move(key)) {}
  const Actor& actor() const { return actor_; }

 private:
  friend class SendJobs;
  const Actor actor_;
  const std::string key_;          // its sender (SendJobs::open_)
  bool closed_ = false;            // guarded by SendJobs::mutex_
  std::vector<QueuedSend> sends_;  // guarded by SendJobs::mutex_; arrival order
};

class SendJobs {
 public:
  static constexpr std::size_t kMaxSendsPerJob = 64;

  // Adds `send` (whose request names the sending device) to its sender's open job. Returns
  // the job it opened, which the caller must queue, or nullptr when it joined one.
  std::shared_ptr<SendJob> add(const Actor& actor, QueuedSend send);
  // Closes `job` to new sends and returns the sends it holds; a later call returns none.
  std::vector<QueuedSend> take(SendJob& job);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<SendJob>> open_;  // guarded by mutex_
};

}  // namespace hippocrate::messaging
