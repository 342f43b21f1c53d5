#include "messaging/recent_message_ids.h"

#include <functional>

namespace hippocrate::messaging {
namespace {

constexpr std::size_t kMask = 2 * RecentMessageIds::kCapacity - 1;
static_assert((2 * RecentMessageIds::kCapacity & kMask) == 0, "the slot count is a power of two");

// Never 0, the empty slot's mark.
std::uint64_t hash_of(std::string_view id) {
  const std::uint64_t h = std::hash<std::string_view>{}(id);
  return h == 0 ? 1 : h;
}

}  // namespace

RecentMessageIds::RecentMessageIds() : slots_(kSlots, 0) { order_.reserve(kCapacity); }

std::size_t RecentMessageIds::find_slot(std::uint64_t h) const {
  std::size_t i = h & kMask;
  // Ends: the table is never more than half full, so an empty slot always follows.
  while (slots_[i] != 0 && slots_[i] != h) i = (i + 1) & kMask;
  return i;
}

bool RecentMessageIds::contains(std::string_view message_id) const {
  const std::uint64_t h = hash_of(message_id);
  MutexLock lock(mutex_);
  return slots_[find_slot(h)] == h;
}

// Linear probing's deletion without tombstones (Knuth, TAOCP vol. 3, 6.4 Algorithm R):
// each later entry of the cluster whose home slot does not lie cyclically in (hole, j]
// moves back into the hole, so every probe still finds what it did.
void RecentMessageIds::erase(std::uint64_t h) {
  std::size_t hole = find_slot(h);
  if (slots_[hole] != h) return;
  for (std::size_t j = (hole + 1) & kMask; slots_[j] != 0; j = (j + 1) & kMask) {
    const std::size_t home = slots_[j] & kMask;
    const bool home_in_hole_to_j =
        hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (home_in_hole_to_j) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = 0;
}

void RecentMessageIds::add(std::string_view message_id) {
  const std::uint64_t h = hash_of(message_id);
  MutexLock lock(mutex_);
  const std::size_t slot = find_slot(h);
  if (slots_[slot] == h) return;  // held already: not moved, not counted twice
  slots_[slot] = h;
  if (order_.size() < kCapacity) {
    order_.push_back(h);
    return;
  }
  erase(order_[next_]);  // the oldest goes
  order_[next_] = h;
  next_ = (next_ + 1) % kCapacity;
}

}  // namespace hippocrate::messaging
