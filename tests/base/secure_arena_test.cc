// The locked arena behind small SecretBytes (src/base/secure_arena.h): reuse is wiped,
// concurrent use does not overlap, the memory is mlock'd where the OS allows and everything
// still works where it does not, and an overflow past a secret is caught.
#include "base/secure_arena.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/secret_bytes.h"

#ifdef __linux__
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_TEST_ASAN 1
#endif
#endif
#ifdef ARENA_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace hippocrate {
namespace {

using secure_arena::kMaxSecretBytes;

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
// VmLck of this process, in kB (-1 if unreadable).
long locked_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmLck:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

bool has_cap_ipc_lock() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) {
      const unsigned long long caps = std::strtoull(line.c_str() + 7, nullptr, 16);
      return (caps >> CAP_IPC_LOCK) & 1;
    }
  }
  return false;
}
#endif

TEST(SecureArena, ServesSmallSizesOnly) {
  EXPECT_FALSE(secure_arena::serves(0));
  EXPECT_FALSE(secure_arena::serves(kMaxSecretBytes + 1));
#ifdef __EMSCRIPTEN__
  EXPECT_FALSE(secure_arena::serves(32));
#else
  EXPECT_TRUE(secure_arena::serves(1));
  EXPECT_TRUE(secure_arena::serves(32));
  EXPECT_TRUE(secure_arena::serves(kMaxSecretBytes));
#endif
}

#ifndef __EMSCRIPTEN__
// Patterns for the arena tests (none of them run under Emscripten: no arena there).
void fill(SecretBytes& s, std::uint8_t seed) {
  for (std::size_t i = 0; i < s.size(); ++i) s.data()[i] = static_cast<std::uint8_t>(seed + i * 7);
}

bool holds(const SecretBytes& s, std::uint8_t seed) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.data()[i] != static_cast<std::uint8_t>(seed + i * 7)) return false;
  }
  return true;
}

bool all_zero(const SecretBytes& s) {
  return std::all_of(s.span().begin(), s.span().end(), [](std::uint8_t b) { return b == 0; });
}

TEST(SecureArena, EverySmallSizeIsAlignedZeroAndUsableToItsEnd) {
  const auto before = secure_arena::stats().slots_in_use;
  std::vector<SecretBytes> live;
  for (std::size_t size = 1; size <= kMaxSecretBytes; ++size) {
    SecretBytes s(size);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(s.data()) % 16, 0u) << size;
    ASSERT_TRUE(all_zero(s)) << size;
    fill(s, static_cast<std::uint8_t>(size));
    live.push_back(std::move(s));
  }
  EXPECT_EQ(secure_arena::stats().slots_in_use, before + kMaxSecretBytes);
  for (std::size_t i = 0; i < live.size(); ++i) {
    ASSERT_TRUE(holds(live[i], static_cast<std::uint8_t>(i + 1))) << i + 1;
  }
  live.clear();
  EXPECT_EQ(secure_arena::stats().slots_in_use, before);
}

TEST(SecureArena, ReleasedSlotsAreZeroWhenHandedOutAgain) {
  // More than the ASan build's quarantine, so slots released here come back.
  constexpr std::size_t kCount = 400;
  std::vector<SecretBytes> first;
  std::vector<const std::uint8_t*> used;
  for (std::size_t i = 0; i < kCount; ++i) {
    first.emplace_back(40);
    std::memset(first.back().data(), 0xA5, 40);
    used.push_back(first.back().data());
  }
  first.clear();
  std::sort(used.begin(), used.end());
  std::size_t reused = 0;
  std::vector<SecretBytes> second;
  for (std::size_t i = 0; i < kCount; ++i) {
    second.emplace_back(40);
    ASSERT_TRUE(all_zero(second.back())) << i;
    if (std::binary_search(used.begin(), used.end(), second.back().data())) ++reused;
  }
  EXPECT_GT(reused, kCount / 2);  // the check above did look at reused slots
}

// Many secrets of mixed sizes (some above the arena's range) made, filled, checked and
// released from several threads at once; the survivors are checked for overlap and
// released from the main thread.
TEST(SecureArena, ConcurrentMixedSizesDoNotOverlap) {
  constexpr int kThreads = 4;
  constexpr int kOpsPerThread = 4000;
  constexpr std::size_t kLivePerThread = 96;
  struct Live {
    SecretBytes secret;
    std::uint8_t seed;
  };
  std::vector<std::vector<Live>> survivors(kThreads);
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &survivors, &failures] {
      std::minstd_rand rng(1234 + t);
      std::vector<Live>& live = survivors[t];
      for (int op = 0; op < kOpsPerThread && failures[t].empty(); ++op) {
        const bool make = live.empty() || (live.size() < kLivePerThread && rng() % 3 != 0);
        if (make) {
          const std::size_t size =
              rng() % 20 == 0 ? kMaxSecretBytes + 1 + rng() % 8000 : 1 + rng() % kMaxSecretBytes;
          Live l{SecretBytes(size), static_cast<std::uint8_t>(rng())};
          if (!all_zero(l.secret))
            failures[t] = "new secret not zero, size " + std::to_string(size);
          fill(l.secret, l.seed);
          live.push_back(std::move(l));
        } else {
          const std::size_t i = rng() % live.size();
          if (!holds(live[i].secret, live[i].seed)) {
            failures[t] = "pattern changed, size " + std::to_string(live[i].secret.size());
          }
          std::swap(live[i], live.back());
          live.pop_back();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& f : failures) EXPECT_EQ(f, "");

  std::vector<std::pair<const std::uint8_t*, std::size_t>> ranges;
  for (const auto& live : survivors) {
    for (const auto& l : live) ranges.emplace_back(l.secret.data(), l.secret.size());
  }
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    ASSERT_LE(ranges[i - 1].first + ranges[i - 1].second, ranges[i].first) << "overlap";
  }
  for (auto& live : survivors) {
    for (auto& l : live) EXPECT_TRUE(holds(l.secret, l.seed));
    live.clear();  // released from another thread than the one that made them
  }
}

#ifdef __linux__
TEST(SecureArena, ArenaMemoryIsLockedWhereTheOsAllows) {
#ifdef ARENA_TEST_ASAN
  GTEST_SKIP() << "AddressSanitizer replaces mlock() with a no-op";
#endif
  const auto before = secure_arena::stats();
  const long kb_before = locked_kb();
  std::vector<SecretBytes> live;
  for (int i = 0; i < 300; ++i) live.emplace_back(700);  // 768-byte slots: new chunks
  const auto after = secure_arena::stats();
  const long kb_after = locked_kb();
  ASSERT_GT(after.chunks, before.chunks);
  const std::size_t newly_locked = after.locked_bytes - before.locked_bytes;
  rlimit limit{};
  getrlimit(RLIMIT_MEMLOCK, &limit);
  if (newly_locked == 0) {
    // Allowed only where the OS refuses: then the secrets above still had to work.
    ASSERT_FALSE(has_cap_ipc_lock() || limit.rlim_cur == RLIM_INFINITY)
        << "mlock should have succeeded here";
    for (auto& s : live) EXPECT_TRUE(all_zero(s));
    GTEST_SKIP() << "mlock refused (RLIMIT_MEMLOCK " << limit.rlim_cur
                 << " bytes, no CAP_IPC_LOCK): the arena works unlocked";
  }
  EXPECT_EQ(newly_locked, after.reserved_bytes - before.reserved_bytes);
  ASSERT_GE(kb_before, 0);
  EXPECT_GE(kb_after - kb_before, static_cast<long>(newly_locked / 1024));
}

// Run in a child process with mlock forbidden (RLIMIT_MEMLOCK 0 and, as root, CAP_IPC_LOCK
// dropped): secrets still work, the arena just reports nothing locked.
[[noreturn]] void use_secrets_with_mlock_refused() {
  rlimit none{0, 0};
  if (setrlimit(RLIMIT_MEMLOCK, &none) != 0) std::_Exit(10);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct caps[2]{};
  if (syscall(SYS_capget, &header, caps) != 0) std::_Exit(11);
  caps[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
  if (syscall(SYS_capset, &header, caps) != 0) std::_Exit(12);
  std::vector<SecretBytes> live;
  for (int i = 0; i < 200; ++i) {
    live.emplace_back(1 + i * 5);
    if (!all_zero(live.back())) std::_Exit(13);
    fill(live.back(), static_cast<std::uint8_t>(i));
  }
  live.emplace_back(5000);  // sodium_malloc, whose mlock fails silently too
  for (int i = 0; i < 200; ++i) {
    if (!holds(live[i], static_cast<std::uint8_t>(i))) std::_Exit(14);
  }
  const auto s = secure_arena::stats();
  if (s.chunks == 0) std::_Exit(15);
  if (s.locked_bytes != 0) std::_Exit(16);
  live.clear();
  std::fputs("ok", stderr);
  std::_Exit(0);
}

TEST(SecureArenaDeathTest, WorksWhenMlockIsRefused) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // a fresh process, so a fresh arena
  EXPECT_EXIT(use_secrets_with_mlock_refused(), ::testing::ExitedWithCode(0), "ok");
}
#endif  // __linux__

// A write one byte past a small secret is caught: by ASan at the write, otherwise by the
// canary when the secret is released.
TEST(SecureArenaDeathTest, OverflowPastASecretAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        SecretBytes s(33);
        std::uint8_t* volatile p = s.data();
        p[33] = 0x42;
      },
      "canary overwritten|use-after-poison");
}

#ifdef ARENA_TEST_ASAN
TEST(SecureArenaDeathTest, UseAfterReleaseIsReportedByAsan) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        std::uint8_t* volatile p = nullptr;
        {
          SecretBytes s(32);
          p = s.data();
        }
        std::printf("%d\n", p[0]);
      },
      "use-after-poison");
}
#endif
#endif  // !__EMSCRIPTEN__

}  // namespace
}  // namespace hippocrate
