// Clock: the injectable source of time. Production code takes a `const Clock&` instead of
// calling system_clock::now(), so tests control time (TOTP windows, session expiry,
// lockouts, invitation expiry) without sleeping.
#pragma once

#include "base/result.h"

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

namespace hippocrate {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// The wall clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
  static const SystemClock& instance();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint(TimePoint::duration(now_.load())); }
  void advance(TimePoint::duration d) { now_ += d.count(); }
  void set(TimePoint t) { now_ = t.time_since_epoch().count(); }

 private:
  std::atomic<TimePoint::rep> now_;
};

// RFC 3339 UTC with millisecond precision: "2026-11-28T18:44:39.123Z".
std::string format_rfc3339_utc(TimePoint t);
// Parses "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC, whole seconds) or a date "YYYY-MM-DD"
// (midnight UTC). Error "invalid_time".
Result<TimePoint> parse_rfc3339_utc(std::string_view text);
// Whole seconds since the Unix epoch.
std::int64_t unix_seconds(TimePoint t);

}  // namespace hippocrate
