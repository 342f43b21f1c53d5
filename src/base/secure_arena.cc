#include "base/secure_arena.h"

#ifndef __EMSCRIPTEN__

#include <sodium.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "base/mutex.h"
#include "base/sodium_init.h"

#if defined(__SANITIZE_ADDRESS__)
#define HIPPOCRATE_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HIPPOCRATE_ARENA_ASAN 1
#endif
#endif

#ifdef HIPPOCRATE_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define ARENA_POISON(p, n) ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace hippocrate::secure_arena {
namespace {

constexpr std::array<std::size_t, 11> kSlotSizes = {32,  48,  64,  96,  128, 192,
                                                    256, 384, 512, 768, 1024};
static_assert(kSlotSizes.back() == kMaxSlotBytes);
constexpr std::size_t kAlignment = 16;
constexpr std::size_t kChunkTarget = 16 * 1024;
// sodium_malloc puts its own 16-byte canary just before the user pointer, inside the first
// unprotected page: asking for a whole number of pages minus that keeps the chunk on exactly
// those pages (the start is re-aligned below should a libsodium version differ).
constexpr std::size_t kSodiumCanary = 16;
#ifdef HIPPOCRATE_ARENA_ASAN
constexpr std::size_t kQuarantine = 64;  // released slots that wait before reuse
#endif

[[noreturn]] void die(const char* why) {
  std::fprintf(stderr, "fatal: SecretBytes arena: %s\n", why);
  std::abort();
}

std::size_t page_size() {
  const long p = sysconf(_SC_PAGESIZE);
  return p > 0 ? static_cast<std::size_t>(p) : 4096;
}

struct SizeClass {
  Mutex mutex;
  std::size_t slot_bytes = 0;  // set before the first allocation, then constant
  std::size_t total_slots GUARDED_BY(mutex) = 0;
  std::size_t in_use GUARDED_BY(mutex) = 0;
  // capacity == total_slots: release never allocates
  std::vector<std::uint8_t*> free_slots GUARDED_BY(mutex);
  std::size_t chunks GUARDED_BY(mutex) = 0;
  std::size_t reserved_bytes GUARDED_BY(mutex) = 0;
  std::size_t locked_bytes GUARDED_BY(mutex) = 0;
#ifdef HIPPOCRATE_ARENA_ASAN
  std::array<std::uint8_t*, kQuarantine> quarantine GUARDED_BY(mutex){};
  std::size_t quarantine_next GUARDED_BY(mutex) = 0;
#endif
};

class Arena {
 public:
  Arena() : page_(page_size()) {
    ensure_sodium_initialized();
    randombytes_buf(canary_, sizeof canary_);
    for (std::size_t i = 0; i < kSlotSizes.size(); ++i) classes_[i].slot_bytes = kSlotSizes[i];
  }

  std::uint8_t* allocate(std::size_t size) {
    SizeClass& c = class_for(size);
    std::uint8_t* slot = nullptr;
    {
      MutexLock lock(c.mutex);
      if (c.free_slots.empty()) grow(c);
      slot = c.free_slots.back();
      c.free_slots.pop_back();
      ++c.in_use;
    }
    // The slot is all zero (fresh pages, or wiped on release).
    ARENA_UNPOISON(slot, c.slot_bytes);
    std::memcpy(slot + size, canary_, kCanaryBytes);
    ARENA_POISON(slot, c.slot_bytes);
    ARENA_UNPOISON(slot, size);  // the secret only: canary and padding stay poisoned
    return slot;
  }

  void release(std::uint8_t* slot, std::size_t size) noexcept {
    SizeClass& c = class_for(size);
    ARENA_UNPOISON(slot, c.slot_bytes);
    if (sodium_memcmp(slot + size, canary_, kCanaryBytes) != 0) {
      die("canary overwritten: a write past the end of a secret, or a double release");
    }
    sodium_memzero(slot, c.slot_bytes);
    ARENA_POISON(slot, c.slot_bytes);
    MutexLock lock(c.mutex);
    --c.in_use;
#ifdef HIPPOCRATE_ARENA_ASAN
    std::uint8_t*& waiting = c.quarantine[c.quarantine_next];
    c.quarantine_next = (c.quarantine_next + 1) % kQuarantine;
    std::swap(waiting, slot);
    if (slot == nullptr) return;
#endif
    c.free_slots.push_back(slot);
  }

  Stats stats() {
    Stats s;
    for (SizeClass& c : classes_) {
      MutexLock lock(c.mutex);
      s.chunks += c.chunks;
      s.reserved_bytes += c.reserved_bytes;
      s.locked_bytes += c.locked_bytes;
      s.slots_in_use += c.in_use;
    }
    return s;
  }

 private:
  SizeClass& class_for(std::size_t size) {
    const std::size_t need = size + kCanaryBytes;
    for (SizeClass& c : classes_) {
      if (need <= c.slot_bytes) return c;
    }
    die("size above the arena's largest slot");
  }

  // One sodium_malloc per chunk: guard pages on both sides of the chunk, mlock (whose failure
  // libsodium ignores: we ask again to know), MADV_DONTDUMP.
  void grow(SizeClass& c) REQUIRES(c.mutex) {
    std::size_t chunk_bytes = kChunkTarget > page_ ? kChunkTarget : page_;
    chunk_bytes = (chunk_bytes + page_ - 1) / page_ * page_;
    const std::size_t request = chunk_bytes - kSodiumCanary;
    auto* raw = static_cast<std::uint8_t*>(sodium_malloc(request));
    if (raw == nullptr) die("sodium_malloc failed for a new chunk");
#ifdef HIPPOCRATE_ARENA_ASAN
    // ASan intercepts mlock() as a no-op that reports success: nothing is locked.
    const bool locked = false;
#else
    const bool locked = sodium_mlock(raw, request) == 0;
#endif
    const std::size_t skew =
        (kAlignment - reinterpret_cast<std::uintptr_t>(raw) % kAlignment) % kAlignment;
    std::uint8_t* base = raw + skew;
    const std::size_t slots = (request - skew) / c.slot_bytes;
    if (slots == 0) die("chunk smaller than a slot");
    sodium_memzero(raw, request);  // sodium_malloc fills with 0xdb
    ARENA_POISON(raw, request);
    try {
      c.free_slots.reserve(c.total_slots + slots);
    } catch (const std::bad_alloc&) {
      die("out of memory for the free list");
    }
    // Lowest addresses on top of the stack, handed out first.
    for (std::size_t i = slots; i-- > 0;) c.free_slots.push_back(base + i * c.slot_bytes);
    c.total_slots += slots;
    ++c.chunks;
    c.reserved_bytes += request;
    if (locked) c.locked_bytes += request;
  }

  const std::size_t page_;
  std::uint8_t canary_[kCanaryBytes] = {};
  std::array<SizeClass, kSlotSizes.size()> classes_;
};

// Never destroyed: SecretBytes may be released from other static destructors.
Arena& arena() {
  static Arena* const instance = new Arena();
  return *instance;
}

}  // namespace

bool serves(std::size_t size) { return size > 0 && size <= kMaxSecretBytes; }

std::uint8_t* allocate(std::size_t size) {
  if (!serves(size)) die("allocate() called for a size it does not serve");
  return arena().allocate(size);
}

void release(std::uint8_t* data, std::size_t size) noexcept { arena().release(data, size); }

Stats stats() { return arena().stats(); }

}  // namespace hippocrate::secure_arena

#else  // __EMSCRIPTEN__: no arena (secret_bytes.cc allocates plainly)

#include <cstdlib>

namespace hippocrate::secure_arena {

bool serves(std::size_t) { return false; }
std::uint8_t* allocate(std::size_t) { std::abort(); }
void release(std::uint8_t*, std::size_t) noexcept { std::abort(); }
Stats stats() { return {}; }

}  // namespace hippocrate::secure_arena

#endif
