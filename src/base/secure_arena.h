// The locked arena behind small SecretBytes (src/base/secret_bytes.h states the contract
// callers rely on; this header is for secret_bytes.cc and the tests).
//
// A slab allocator: for each size class (32 … 1024 bytes) a list of chunks, each one
// sodium_malloc'd once (so guard pages around the chunk, mlock'd where the OS allows,
// excluded from core dumps) and never given back, carved into fixed-size slots. The free
// slots of a class are kept out of band (a stack of pointers, not links inside the freed
// slots), so an overflow cannot corrupt the allocator's own bookkeeping. Each class has its
// own mutex.
//
// A secret of `size` bytes takes the smallest slot of at least size + kCanaryBytes: the
// bytes right after the secret hold a per-process random canary, checked when the slot is
// released (a mismatch — a linear overflow, or a second release — aborts the process). A
// released slot is wiped whole (sodium_memzero) before it goes back on the free list, so a
// slot is all zero when it is handed out again.
//
// Under AddressSanitizer every byte of the arena that is not inside a live secret is
// poisoned (ASan's manual poisoning API) — free slots, the canary, the padding of a slot —
// and released slots wait in a small per-class quarantine before reuse, so ASan still
// reports a use after release, a read past the end of a secret, and a double release.
// Nothing is locked under ASan: it replaces mlock() with a no-op (stats() says 0 locked).
//
// Not used under __EMSCRIPTEN__ (no mmap/mprotect/mlock there): arena_serves() is false and
// secret_bytes.cc allocates plainly.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hippocrate::secure_arena {

inline constexpr std::size_t kCanaryBytes = 8;
inline constexpr std::size_t kMaxSlotBytes = 1024;
// Secrets of 1 … kMaxSecretBytes bytes come from the arena; larger ones from sodium_malloc.
inline constexpr std::size_t kMaxSecretBytes = kMaxSlotBytes - kCanaryBytes;

// Whether allocate() serves `size` (false for 0, for sizes above kMaxSecretBytes, and
// always false under __EMSCRIPTEN__). Depends on the size only, so the owner of a buffer
// knows from its size where to release it.
bool serves(std::size_t size);

// `size` zero bytes, 16-byte aligned. Requires serves(size). Aborts if memory cannot be had.
std::uint8_t* allocate(std::size_t size);

// Checks the canary (aborts on a mismatch), wipes the slot and makes it free. `size` must be
// the size it was allocated with.
void release(std::uint8_t* data, std::size_t size) noexcept;

struct Stats {
  std::size_t chunks = 0;          // chunks obtained so far (never given back)
  std::size_t reserved_bytes = 0;  // bytes of those chunks
  std::size_t locked_bytes = 0;    // of which mlock succeeded on
  std::size_t slots_in_use = 0;    // live secrets in the arena
};
Stats stats();

}  // namespace hippocrate::secure_arena
