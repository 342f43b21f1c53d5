// /proc readings for the load generator: a process's CPU time (utime+stime of all its
// threads, /proc/PID/stat), a /proc/PID/status field (VmRSS, VmHWM), the generator's own
// CPU (getrusage) and a monotonic clock. Same method as the XMPP anchors' xmppbench.c.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace msgbench {

inline std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

// utime + stime of every thread of `pid`, in seconds; -1 when unreadable.
inline double proc_cpu_s(int pid) {
  if (pid <= 0) return 0;
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return -1;
  char b[2048];
  const std::size_t n = std::fread(b, 1, sizeof b - 1, f);
  std::fclose(f);
  b[n] = 0;
  const char* s = std::strrchr(b, ')');
  if (s == nullptr) return -1;
  // After ") " come fields 3.. ; utime is field 14, stime field 15.
  unsigned long long ut = 0, st = 0;
  int field = 2;
  for (const char* p = s + 1; *p != 0 && field < 15; ++p) {
    if (*p == ' ') {
      ++field;
      if (field == 14) ut = std::strtoull(p + 1, nullptr, 10);
      if (field == 15) st = std::strtoull(p + 1, nullptr, 10);
    }
  }
  return static_cast<double>(ut + st) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A "Key:   value kB" field of /proc/PID/status, in KiB; -1 when unreadable.
inline long proc_status_kb(int pid, const char* key) {
  if (pid <= 0) return -1;
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return -1;
  char line[256];
  long v = -1;
  const std::size_t kl = std::strlen(key);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, key, kl) == 0 && line[kl] == ':') {
      v = std::atol(line + kl + 1);
      break;
    }
  }
  std::fclose(f);
  return v;
}

inline double self_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace msgbench
