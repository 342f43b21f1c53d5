#include "base/clock.h"

#include <cstdio>
#include <ctime>

namespace hippocrate {

const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

Result<TimePoint> parse_rfc3339_utc(std::string_view text) {
  auto invalid = [] {
    return Error::invalid_argument("invalid_time",
                                   "times are YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)");
  };
  auto digits = [&](std::size_t pos, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  const bool date_only = text.size() == 10;
  if (!date_only && text.size() != 20) return invalid();
  if (!digits(0, 4, y) || text[4] != '-' || !digits(5, 2, mo) || text[7] != '-' ||
      !digits(8, 2, d)) {
    return invalid();
  }
  if (!date_only &&
      (text[10] != 'T' || !digits(11, 2, h) || text[13] != ':' || !digits(14, 2, mi) ||
       text[16] != ':' || !digits(17, 2, sec) || text[19] != 'Z')) {
    return invalid();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return invalid();
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  const std::time_t t = timegm(&tm);
  if (tm.tm_mday != d) return invalid();  // normalised: 31 February and the like
  return TimePoint(std::chrono::seconds(t));
}

std::string format_rfc3339_utc(TimePoint t) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::int64_t unix_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace hippocrate
