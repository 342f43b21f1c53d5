#include "base/secret_bytes.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <utility>

#include "base/secure_arena.h"
#include "base/sodium_init.h"

namespace hippocrate {

namespace {

// Where a buffer comes from depends on its size only, so release needs no extra field.
std::uint8_t* acquire(std::size_t size) {
  ensure_sodium_initialized();
#ifdef __EMSCRIPTEN__
  // No mmap/mprotect/mlock in WebAssembly: sodium_malloc would emulate them at ~320 KiB of
  // heap per buffer. Plain memory, wiped on release.
  auto* data = static_cast<std::uint8_t*>(std::calloc(size, 1));
  if (data == nullptr) std::abort();
  return data;
#else
  if (secure_arena::serves(size)) return secure_arena::allocate(size);  // already zero
  auto* data = static_cast<std::uint8_t*>(sodium_malloc(size));
  if (data == nullptr) std::abort();
  sodium_memzero(data, size);  // sodium_malloc fills with 0xdb
  return data;
#endif
}

void give_back(std::uint8_t* data, std::size_t size) noexcept {
#ifdef __EMSCRIPTEN__
  sodium_memzero(data, size);
  std::free(data);
#else
  if (secure_arena::serves(size)) {
    secure_arena::release(data, size);  // checks the canary, wipes the whole slot
    return;
  }
  sodium_memzero(data, size);  // sodium_free also wipes; explicit for the contract
  sodium_free(data);
#endif
}

}  // namespace

SecretBytes::SecretBytes(std::size_t size) : size_(size) {
  if (size == 0) return;
  data_ = acquire(size);
}

SecretBytes SecretBytes::from(std::span<const std::uint8_t> bytes) {
  SecretBytes s(bytes.size());
  if (!bytes.empty()) std::memcpy(s.data_, bytes.data(), bytes.size());
  return s;
}

SecretBytes SecretBytes::from(std::string_view text) {
  return from(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                            text.size()));
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes::~SecretBytes() { wipe(); }

SecretBytes SecretBytes::clone() const { return from(span()); }

bool SecretBytes::constant_time_equals(std::span<const std::uint8_t> other) const {
  if (other.size() != size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(data_, other.data(), size_) == 0;
}

void SecretBytes::wipe() {
  if (data_ != nullptr) give_back(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace hippocrate
