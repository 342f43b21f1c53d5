// A token bucket per source address, in memory, for the login and invitation routes
// (SECURITY-REQUIREMENTS "Per source address"). Thread-safe. Forgets idle sources so the
// table cannot grow without bound (at most `max_sources` entries; the oldest go first).
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

#include "base/clock.h"
#include "base/mutex.h"

namespace hippocrate::auth {

class SourceRateLimiter {
 public:
  SourceRateLimiter(double burst, double refill_per_second, std::size_t max_sources = 100'000)
      : burst_(burst), refill_(refill_per_second), max_sources_(max_sources) {}
  // Takes one token for `source`; false when its bucket is empty.
  bool allow(const std::string& source, TimePoint now) EXCLUDES(mutex_);

 private:
  struct Bucket {
    double tokens;
    TimePoint updated;
  };
  const double burst_;
  const double refill_;
  const std::size_t max_sources_;
  Mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_ GUARDED_BY(mutex_);
};

}  // namespace hippocrate::auth
