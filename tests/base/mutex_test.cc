#include "base/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "base/thread_annotations.h"

namespace hippocrate {
namespace {

struct Counter {
  Mutex mutex;
  long value GUARDED_BY(mutex) = 0;
};

TEST(Mutex, MutexLockExcludesOtherThreads) {
  Counter c;
  constexpr int kThreads = 4;
  constexpr int kEach = 20'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&c] {
      for (int i = 0; i < kEach; ++i) {
        MutexLock lock(c.mutex);
        // A read and a write apart: without exclusion, increments are lost.
        const long seen = c.value;
        c.value = seen + 1;
      }
    });
  }
  for (auto& t : threads) t.join();
  MutexLock lock(c.mutex);
  EXPECT_EQ(c.value, long{kThreads} * kEach);
}

bool try_lock_from_another_thread(Mutex& mutex) {
  bool got = false;
  std::thread([&] {
    if (mutex.try_lock()) {
      got = true;
      mutex.unlock();
    }
  }).join();
  return got;
}

TEST(Mutex, HeldByMutexLockUntilItsScopeEndsOrItUnlocks) {
  Mutex mutex;
  EXPECT_TRUE(try_lock_from_another_thread(mutex));
  {
    MutexLock lock(mutex);
    EXPECT_FALSE(try_lock_from_another_thread(mutex));
    lock.unlock();
    EXPECT_TRUE(try_lock_from_another_thread(mutex));
    lock.lock();
    EXPECT_FALSE(try_lock_from_another_thread(mutex));
  }
  EXPECT_TRUE(try_lock_from_another_thread(mutex));
  {
    MutexLock lock(mutex);
    lock.unlock();  // the destructor does not unlock a second time
  }
  EXPECT_TRUE(try_lock_from_another_thread(mutex));
}

struct Flag {
  Mutex mutex;
  CondVar cv;
  bool ready GUARDED_BY(mutex) = false;
};

TEST(CondVar, WaitReturnsWithTheMutexHeldOnceNotified) {
  Flag f;
  std::thread notifier([&f] {
    MutexLock lock(f.mutex);
    f.ready = true;
    f.cv.notify_all();
  });
  {
    MutexLock lock(f.mutex);
    while (!f.ready) f.cv.wait(f.mutex);
    EXPECT_TRUE(f.ready);
    EXPECT_FALSE(try_lock_from_another_thread(f.mutex));
  }
  notifier.join();
  EXPECT_TRUE(try_lock_from_another_thread(f.mutex));
}

TEST(CondVar, WaitUntilTimesOutWithTheMutexHeld) {
  Mutex mutex;
  CondVar cv;
  MutexLock lock(mutex);
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::milliseconds(20);
  std::cv_status status = std::cv_status::no_timeout;
  for (int i = 0; i < 1000 && status == std::cv_status::no_timeout; ++i) {
    status = cv.wait_until(mutex, deadline);  // spurious wake-ups: wait again
  }
  EXPECT_EQ(status, std::cv_status::timeout);
  EXPECT_GE(std::chrono::steady_clock::now(), deadline);
  EXPECT_FALSE(try_lock_from_another_thread(mutex));
}

}  // namespace
}  // namespace hippocrate
