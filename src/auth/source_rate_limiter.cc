#include "auth/source_rate_limiter.h"

#include <algorithm>

namespace hippocrate::auth {

bool SourceRateLimiter::allow(const std::string& source, TimePoint now) {
  MutexLock lock(mutex_);
  auto it = buckets_.find(source);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_sources_) {
      auto oldest = std::min_element(buckets_.begin(), buckets_.end(), [](auto& a, auto& b) {
        return a.second.updated < b.second.updated;
      });
      buckets_.erase(oldest);
    }
    it = buckets_.emplace(source, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * refill_);
  b.updated = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace hippocrate::auth
