// Internal to crypto/: libsodium declares some pointer parameters nonnull (e.g. the HMAC key,
// the Argon2 password) even when their length is 0, while the data() of an empty std::span
// may be null. Passing null there is undefined behaviour (UBSan reports it); this gives such
// calls a valid pointer instead. Nothing is read through it when the size is 0.
#pragma once

#include <cstdint>
#include <span>

namespace hippocrate::crypto::internal {

inline const std::uint8_t* nonnull_data(std::span<const std::uint8_t> bytes) {
  static constexpr std::uint8_t kNothing = 0;
  return bytes.data() != nullptr ? bytes.data() : &kNothing;
}

inline const char* nonnull_chars(std::span<const std::uint8_t> bytes) {
  return reinterpret_cast<const char*>(nonnull_data(bytes));
}

}  // namespace hippocrate::crypto::internal
