#include "base/thread_priority.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace hippocrate {

bool lower_current_thread_priority(int steps) {
  const auto tid = static_cast<id_t>(::gettid());
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, tid);
  if (current == -1 && errno != 0) return false;
  return ::setpriority(PRIO_PROCESS, tid, std::min(19, current + std::max(0, steps))) == 0;
}

bool make_current_thread_idle_priority() {
  sched_param param{};
  param.sched_priority = 0;  // the only priority SCHED_IDLE takes
  return ::pthread_setschedparam(::pthread_self(), SCHED_IDLE, &param) == 0;
}

}  // namespace hippocrate
