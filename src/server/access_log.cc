#include "server/access_log.h"

#include <boost/json.hpp>

namespace hippocrate::server {

std::string AccessLog::format(const AccessLogEntry& e) {
  boost::json::object o;
  o["time"] = format_rfc3339_utc(e.time);
  o["request_id"] = e.request_id;
  o["method"] = e.method;
  o["route"] = e.route;
  o["status"] = e.status;
  o["duration_us"] = e.duration_us;
  o["remote"] = e.remote;
  return boost::json::serialize(o);
}

void AccessLog::write(const AccessLogEntry& entry) {
  if (out_.load(std::memory_order_relaxed) == nullptr) return;  // "off": nothing to format
  std::string line = format(entry);
  line.push_back('\n');
  MutexLock lock(mutex_);
  std::FILE* out = out_.load(std::memory_order_relaxed);
  if (out == nullptr) return;
  std::fwrite(line.data(), 1, line.size(), out);
  std::fflush(out);
}

std::FILE* AccessLog::replace(std::FILE* out) {
  MutexLock lock(mutex_);
  std::FILE* previous = out_;
  out_ = out;
  return previous;
}

}  // namespace hippocrate::server
