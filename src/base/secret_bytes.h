// SecretBytes: a fixed-size buffer for key material, passwords and tokens.
//
// Contract, everywhere:
//   - the bytes are wiped (sodium_memzero) when released: on destruction, wipe(), and when
//     a buffer is replaced by move assignment; moving transfers the buffer itself, so the
//     moved-from object is left empty with no copy behind;
//   - move-only: no copy constructor, no copy assignment; duplicate with clone() so every
//     copy of a secret is visible in the code;
//   - never printable: there is deliberately no operator<< and no to_string();
//   - a new buffer is all zero; the size is fixed at construction; never reallocated;
//   - equality only through constant_time_equals();
//   - creating and releasing SecretBytes is thread-safe (each object has one owner at a
//     time; an object itself is not synchronised).
// Where the memory comes from (src/base/secure_arena.h has the details):
//   - native, 1 … 1016 bytes (secure_arena::kMaxSecretBytes): a slot of a locked arena —
//     chunks of a few pages, each sodium_malloc'd once and kept (guard pages around the
//     chunk, mlock'd, excluded from core dumps), carved into size-class slots. Slots of a
//     chunk are adjacent, with no guard page between secrets: an 8-byte random canary after
//     each secret is checked on release and the process aborts on a mismatch (an overflow
//     is detected then, not prevented). Slots are 16-byte aligned;
//   - native, larger: sodium_malloc per buffer (guard pages on both sides, a
//     canary before it, mlock'd);
//   - where mlock is refused (RLIMIT_MEMLOCK, no CAP_IPC_LOCK) everything still works, the
//     memory is merely swappable; secure_arena::stats() says how much is locked;
//   - under AddressSanitizer the arena poisons all it does not hand out and delays reuse, so
//     use after release and reads past a secret's end are still reported; nothing is locked
//     there (ASan turns mlock into a no-op);
//   - WebAssembly (__EMSCRIPTEN__): plain heap memory (calloc), wiped on release; no guard
//     pages, no locking (the platform has neither), no canary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace hippocrate {

class SecretBytes {
 public:
  SecretBytes() = default;
  // `size` zero bytes. Aborts on allocation failure (as operator new would throw).
  explicit SecretBytes(std::size_t size);
  // Copies `bytes`; the caller remains responsible for wiping its own copy.
  static SecretBytes from(std::span<const std::uint8_t> bytes);
  static SecretBytes from(std::string_view text);

  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  SecretBytes clone() const;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  std::span<std::uint8_t> span() { return {data_, size_}; }
  std::span<const std::uint8_t> span() const { return {data_, size_}; }
  // A view as characters, for secrets that are text (passwords). Do not copy it into a
  // std::string that outlives the call.
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }

  // Constant-time comparison (sodium_memcmp); different sizes compare unequal (the size
  // itself is not secret).
  bool constant_time_equals(std::span<const std::uint8_t> other) const;

  // Wipes and releases the buffer now; the object becomes empty.
  void wipe();

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace hippocrate
