#include "base/ids.h"

#include <sodium.h>

#include <array>
#include <cstdint>

#include "base/encoding.h"
#include "base/sodium_init.h"

namespace hippocrate {

std::string random_id() {
  ensure_sodium_initialized();
  std::array<std::uint8_t, kIdBytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return hex_encode(bytes);
}

bool is_valid_id(std::string_view id) {
  if (id.size() != kIdHexLength) return false;
  for (char c : id) {
    const bool digit = c >= '0' && c <= '9';
    const bool lower = c >= 'a' && c <= 'f';
    if (!digit && !lower) return false;
  }
  return true;
}

}  // namespace hippocrate
