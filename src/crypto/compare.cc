#include "crypto/compare.h"

#include <sodium.h>

#include "base/sodium_init.h"

namespace hippocrate::crypto {

bool constant_time_equals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  ensure_sodium_initialized();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool is_all_zero(std::span<const std::uint8_t> data) {
  if (data.empty()) return true;
  ensure_sodium_initialized();
  return sodium_is_zero(data.data(), data.size()) == 1;
}

}  // namespace hippocrate::crypto
