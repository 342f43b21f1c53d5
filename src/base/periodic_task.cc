#include "base/periodic_task.h"

namespace hippocrate {

PeriodicTask::PeriodicTask(std::chrono::milliseconds interval, std::function<void()> fn,
                           FirstRun first)
    : interval_(interval), fn_(std::move(fn)), first_(first), thread_([this] { run(); }) {}

PeriodicTask::~PeriodicTask() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PeriodicTask::run() {
  MutexLock lock(mutex_);
  if (first_ == FirstRun::kAtStart && !stopping_) {
    lock.unlock();
    fn_();
    lock.lock();
  }
  for (;;) {
    // Until stopped or one interval has passed (a spurious wake-up waits on).
    const auto deadline = std::chrono::steady_clock::now() + interval_;
    while (!stopping_ && wake_.wait_until(mutex_, deadline) == std::cv_status::no_timeout) {
    }
    if (stopping_) return;
    lock.unlock();
    fn_();
    lock.lock();
  }
}

}  // namespace hippocrate
