#include "base/periodic_task.h"

namespace hippocrate {

PeriodicTask::PeriodicTask(std::chrono::milliseconds interval, std::function<void()> fn,
                           FirstRun first)
    : interval_(interval), fn_(std::move(fn)), first_(first), thread_([this] { run(); }) {}

PeriodicTask::~PeriodicTask() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PeriodicTask::run() {
  std::unique_lock lock(mutex_);
  if (first_ == FirstRun::kAtStart && !stopping_) {
    lock.unlock();
    fn_();
    lock.lock();
  }
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    fn_();
    lock.lock();
  }
}

}  // namespace hippocrate
