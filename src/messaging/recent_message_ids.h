// RecentMessageIds: the ids of the last kCapacity messages this process stored, so that
// early delivery without a snapshot read (docs/messaging.md, "Early delivery") still
// recognises a retry of a recently stored message and does not push it again. Older ids
// are forgotten (first in, first out): a retry of one of them is checked on a snapshot
// only if the policy epoch moved, otherwise pushed again, and its receivers de-duplicate
// it by id. Only a shortcut for the early push: the write decides idempotency itself.
// Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_set>

namespace hippocrate::messaging {

class RecentMessageIds {
 public:
  static constexpr std::size_t kCapacity = 32'768;  // about 6 MiB when full

  bool contains(const std::string& message_id) const;
  void add(const std::string& message_id);

 private:
  mutable std::mutex mutex_;
  std::unordered_set<std::string> ids_;  // guarded by mutex_
  std::deque<std::string> order_;        // guarded by mutex_; oldest first
};

}  // namespace hippocrate::messaging
