#include "server/connection_limits.h"

#include <cstdio>

namespace hippocrate::server {

ConnectionsPerSource::Slot::~Slot() {
  if (owner_ != nullptr) owner_->release(key_);
}

ConnectionsPerSource::Slot ConnectionsPerSource::acquire(std::string_view source) {
  MutexLock lock(mutex_);
  auto [it, inserted] = counts_.try_emplace(std::string(source), 0);
  if (it->second >= max_) {
    if (it->second == 0) counts_.erase(it);  // max_ == 0: keep no zero entry
    return Slot{};
  }
  ++it->second;
  return Slot(this, it->first);
}

std::size_t ConnectionsPerSource::count(std::string_view source) const {
  MutexLock lock(mutex_);
  auto it = counts_.find(std::string(source));
  return it == counts_.end() ? 0 : it->second;
}

void ConnectionsPerSource::release(const std::string& key) {
  MutexLock lock(mutex_);
  auto it = counts_.find(key);
  if (it == counts_.end()) return;
  if (--it->second == 0) counts_.erase(it);
}

std::string source_key_v4(std::string_view dotted) { return std::string(dotted); }

std::string source_key_v6(const unsigned char (&bytes)[16]) {
  char out[48];
  std::snprintf(out, sizeof out, "%x:%x:%x:%x::/64", (bytes[0] << 8) | bytes[1],
                (bytes[2] << 8) | bytes[3], (bytes[4] << 8) | bytes[5], (bytes[6] << 8) | bytes[7]);
  return out;
}

}  // namespace hippocrate::server
