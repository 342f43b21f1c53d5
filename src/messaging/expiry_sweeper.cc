#include "messaging/expiry_sweeper.h"

namespace hippocrate::messaging {

ExpirySweeper::ExpirySweeper(LiveRegistry& registry, const Clock& clock,
                             std::chrono::milliseconds interval)
    : registry_(registry), clock_(clock), interval_(interval), thread_([this] { run(); }) {}

ExpirySweeper::~ExpirySweeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ExpirySweeper::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    registry_.disconnect_expired(unix_seconds(clock_.now()));
    lock.lock();
  }
}

}  // namespace hippocrate::messaging
