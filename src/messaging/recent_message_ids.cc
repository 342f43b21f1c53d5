#include "messaging/recent_message_ids.h"

namespace hippocrate::messaging {

bool RecentMessageIds::contains(const std::string& message_id) const {
  std::lock_guard lock(mutex_);
  return ids_.contains(message_id);
}

void RecentMessageIds::add(const std::string& message_id) {
  std::lock_guard lock(mutex_);
  if (!ids_.insert(message_id).second) return;
  order_.push_back(message_id);
  if (order_.size() > kCapacity) {
    ids_.erase(order_.front());
    order_.pop_front();
  }
}

}  // namespace hippocrate::messaging
