// The policy epoch (docs/messaging.md, "Early delivery"): a counter in the database that
// triggers (migration 7) move in the same transaction as any change to the rows a send's
// checks read: accounts' id, organisation, role and status; care relationships; devices.
// Two readings of the same value therefore mean those rows are the same.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "base/result.h"
#include "store/store.h"

namespace hippocrate::messaging {

Result<std::int64_t> read_policy_epoch(store::Transaction& tx);

// The epoch as last committed by this process's store, kept in memory: a commit watch
// (Store::add_commit_watch) reads it inside every write transaction and publishes it once
// that transaction has committed. Early delivery compares it with the epoch a send's
// checks passed at, without opening a read transaction. Unknown until the first commit,
// and from a watch that could not read or publish it until the next one that can. Between a commit and its publication (a few
// µs on the writer thread) the value is the previous one, as a snapshot read started just
// before that commit would be; the write checks again either way. A change made by
// another process reaches it with this process's next commit. Thread-safe.
class CommittedPolicyEpoch {
 public:
  explicit CommittedPolicyEpoch(store::Store& store);
  ~CommittedPolicyEpoch();
  CommittedPolicyEpoch(const CommittedPolicyEpoch&) = delete;
  CommittedPolicyEpoch& operator=(const CommittedPolicyEpoch&) = delete;

  std::optional<std::int64_t> value() const;

 private:
  static constexpr std::int64_t kUnknown = -1;
  store::Store& store_;
  // Shared with the watch, which may still run once after this object is gone.
  std::shared_ptr<std::atomic<std::int64_t>> value_;
  std::uint64_t watch_id_ = 0;
};

}  // namespace hippocrate::messaging
