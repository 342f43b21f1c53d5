// ExpirySweeper: a thread that, every `interval`, closes the live connections whose session
// has reached its absolute expiry (LiveRegistry::disconnect_expired at the clock's now).
// Other session ends (logout, revocation, password change, disabled account) close their
// sockets at once through the auth service's listeners; an expiry is not an event, so it
// is swept. Stops (and joins) when destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "messaging/live_registry.h"

namespace hippocrate::messaging {

class ExpirySweeper {
 public:
  ExpirySweeper(LiveRegistry& registry, const Clock& clock, std::chrono::milliseconds interval);
  ~ExpirySweeper();
  ExpirySweeper(const ExpirySweeper&) = delete;
  ExpirySweeper& operator=(const ExpirySweeper&) = delete;

 private:
  void run();

  LiveRegistry& registry_;
  const Clock& clock_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;     // last: starts once the members above exist
};

}  // namespace hippocrate::messaging
