// RecentMessageIds: the ids of the last kCapacity messages this process stored, so that
// early delivery without a snapshot read (docs/messaging.md, "Early delivery") still
// recognises a retry of a recently stored message and does not push it again. Older ids
// are forgotten (first in, first out): a retry of one of them is checked on a snapshot
// only if the policy epoch moved, otherwise pushed again, and its receivers de-duplicate
// it by id. Only a shortcut for the early push: the write decides idempotency itself.
//
// Ids are kept as 64-bit hashes: contains() may say yes for an id never stored (a hash
// collision, which a client choosing its ids could provoke on purpose). That send then
// takes the snapshot check, the safe path; a stored id is never missed while it is held.
// The hashes sit in one flat open-addressing table (linear probing, deletion by backward
// shift, at most half full), so a lookup reads one or two adjacent cache lines instead of
// following a node pointer. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/mutex.h"

namespace hippocrate::messaging {

class RecentMessageIds {
 public:
  static constexpr std::size_t kCapacity = 32'768;  // 768 KiB: the table and the ring

  RecentMessageIds();
  bool contains(std::string_view message_id) const EXCLUDES(mutex_);
  void add(std::string_view message_id) EXCLUDES(mutex_);

 private:
  static constexpr std::size_t kSlots = 2 * kCapacity;  // a power of two

  // The slot holding `h`, or the empty slot where its probe ends.
  std::size_t find_slot(std::uint64_t h) const REQUIRES(mutex_);
  void erase(std::uint64_t h) REQUIRES(mutex_);

  mutable Mutex mutex_;
  std::vector<std::uint64_t> slots_ GUARDED_BY(mutex_);  // 0 marks an empty slot
  std::vector<std::uint64_t> order_ GUARDED_BY(mutex_);  // a ring, oldest at next_
  std::size_t next_ GUARDED_BY(mutex_) = 0;
};

}  // namespace hippocrate::messaging
