#include "messaging/passed_checks.h"

namespace hippocrate::messaging {

std::optional<std::int64_t> PassedChecks::epoch_of(const std::string& key) const {
  MutexLock lock(mutex_);
  auto it = passed_.find(key);
  if (it == passed_.end()) return std::nullopt;
  return it->second;
}

void PassedChecks::remember(const std::string& key, std::int64_t epoch) {
  MutexLock lock(mutex_);
  if (passed_.size() >= kMaxEntries && !passed_.contains(key)) passed_.clear();
  passed_[key] = epoch;
}

}  // namespace hippocrate::messaging
