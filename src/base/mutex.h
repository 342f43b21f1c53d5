// Mutex, MutexLock, CondVar: std::mutex and std::condition_variable with clang's thread-safety
// annotations (base/thread_annotations.h), so that GUARDED_BY(mutex_) members are checked by
// -Wthread-safety. libstdc++'s std::mutex carries no annotation, and the analysis only
// tracks capability-annotated types (abseil's absl::Mutex is the model; this is the small
// part of it the project uses). Same cost as the std types: every call is inline.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "base/thread_annotations.h"

namespace hippocrate {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mutex_.try_lock(); }

 private:
  friend class CondVar;
  std::mutex mutex_;
};

// Holds `mutex` from construction to destruction. unlock() and lock() release it and take
// it again before the end of the scope (around a call that must run without it).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mutex_.unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void unlock() RELEASE() {
    mutex_.unlock();
    held_ = false;
  }
  void lock() ACQUIRE() {
    mutex_.lock();
    held_ = true;
  }

 private:
  Mutex& mutex_;
  bool held_ = true;
};

// A condition variable waited on with a Mutex held: the wait releases it and holds it
// again when it returns, as std::condition_variable does with a unique_lock. There is no
// predicate overload (the analysis cannot see that a lambda runs with the mutex held): loop
// on the condition at the call site, `while (!ready_) cv_.wait(mutex_);`.
class CondVar {
 public:
  void wait(Mutex& mutex) REQUIRES(mutex) {
    std::unique_lock<std::mutex> lock(mutex.mutex_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // std::cv_status::timeout once `deadline` has passed; no_timeout on a notification (or a
  // spurious wake-up: check the condition again).
  template <class Clock, class Duration>
  std::cv_status wait_until(Mutex& mutex, const std::chrono::time_point<Clock, Duration>& deadline)
      REQUIRES(mutex) {
    std::unique_lock<std::mutex> lock(mutex.mutex_, std::adopt_lock);
    const std::cv_status status = cv_.wait_until(lock, deadline);
    lock.release();
    return status;
  }
  void notify_one() noexcept { cv_.notify_one(); }
  void notify_all() noexcept { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace hippocrate
