#include "messaging/recent_message_ids.h"

#include <functional>

namespace hippocrate::messaging {
namespace {

std::uint64_t hash_of(std::string_view id) { return std::hash<std::string_view>{}(id); }

}  // namespace

RecentMessageIds::RecentMessageIds() {
  hashes_.reserve(kCapacity);
  order_.reserve(kCapacity);
}

bool RecentMessageIds::contains(std::string_view message_id) const {
  const std::uint64_t h = hash_of(message_id);
  std::lock_guard lock(mutex_);
  return hashes_.contains(h);
}

void RecentMessageIds::add(std::string_view message_id) {
  const std::uint64_t h = hash_of(message_id);
  std::lock_guard lock(mutex_);
  if (!hashes_.insert(h).second) return;
  if (order_.size() < kCapacity) {
    order_.push_back(h);
    return;
  }
  hashes_.erase(order_[next_]);  // the oldest goes
  order_[next_] = h;
  next_ = (next_ + 1) % kCapacity;
}

}  // namespace hippocrate::messaging
