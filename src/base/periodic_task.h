// PeriodicTask: a thread that calls `fn` every `interval` until destroyed — the first call
// one interval after construction, or at once with FirstRun::kAtStart (work that must not
// depend on the process living a whole interval); the destructor wakes it, waits for a call
// in progress to finish, and joins. `fn` must not throw and must not destroy the task.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "base/mutex.h"

namespace hippocrate {

class PeriodicTask {
 public:
  enum class FirstRun { kAfterInterval, kAtStart };
  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> fn,
               FirstRun first = FirstRun::kAfterInterval);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  void run();

  const std::chrono::milliseconds interval_;
  const std::function<void()> fn_;
  const FirstRun first_;
  Mutex mutex_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace hippocrate
