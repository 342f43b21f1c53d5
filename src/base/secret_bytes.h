// SecretBytes: a fixed-size buffer for key material, passwords and tokens.
//
// Contract:
//   - memory comes from sodium_malloc (guard pages, mlock'd where the OS allows);
//   - the bytes are wiped (sodium_memzero) on destruction and when moved from;
//   - move-only: no copy constructor, no copy assignment; duplicate with clone() so every
//     copy of a secret is visible in the code;
//   - never printable: there is deliberately no operator<< and no to_string();
//   - the size is fixed at construction; the buffer is never reallocated;
//   - equality only through constant_time_equals().
// Not thread-safe: one owner at a time.
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
  std::string_view view() const {
    return {reinterpret_cast<const char*>(data_), size_};
  }

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
