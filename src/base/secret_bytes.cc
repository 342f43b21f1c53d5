#include "base/secret_bytes.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <utility>

#include "base/sodium_init.h"

namespace hippocrate {

SecretBytes::SecretBytes(std::size_t size) : size_(size) {
  if (size == 0) return;
  ensure_sodium_initialized();
  data_ = static_cast<std::uint8_t*>(sodium_malloc(size));
  if (data_ == nullptr) std::abort();
  sodium_memzero(data_, size);
}

SecretBytes SecretBytes::from(std::span<const std::uint8_t> bytes) {
  SecretBytes s(bytes.size());
  if (!bytes.empty()) std::memcpy(s.data_, bytes.data(), bytes.size());
  return s;
}

SecretBytes SecretBytes::from(std::string_view text) {
  return from(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
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
  if (data_ != nullptr) {
    sodium_memzero(data_, size_);  // sodium_free also wipes; explicit for the contract
    sodium_free(data_);
  }
  data_ = nullptr;
  size_ = 0;
}

}  // namespace hippocrate
