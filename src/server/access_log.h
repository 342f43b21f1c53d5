// Access log: one JSON object per line, e.g.
//   {"time":"2026-11-28T18:44:39.123Z","request_id":"…","method":"GET",
//    "route":"/api/v1/accounts/{id}","status":200,"duration_us":420,"remote":"127.0.0.1"}
//
// Contract: it records the route *template*, never the raw path (which may carry ids) nor
// the query string, and never any header value — in particular not Authorization or Cookie.
// Thread-safe: lines from concurrent requests never interleave.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/mutex.h"

namespace hippocrate::server {

struct AccessLogEntry {
  TimePoint time;
  std::string_view request_id;
  std::string_view method;
  std::string_view route;  // template, "-" when no route matched
  int status = 0;
  std::int64_t duration_us = 0;
  std::string_view remote;
};

class AccessLog {
 public:
  // Writes to `out` (not owned); nullptr disables the log.
  explicit AccessLog(std::FILE* out) : out_(out) {}
  void write(const AccessLogEntry& entry) EXCLUDES(mutex_);
  // Writes to `out` from now on (e.g. a log file reopened after rotation, on SIGHUP) and
  // returns the previous stream, which no write uses any more: the caller closes it.
  std::FILE* replace(std::FILE* out) EXCLUDES(mutex_);
  static std::string format(const AccessLogEntry& entry);

 private:
  std::atomic<std::FILE*> out_;  // changed under mutex_; read first without it ("off")
  Mutex mutex_;                  // held while a line is written to *out_, and to change it
};

}  // namespace hippocrate::server
