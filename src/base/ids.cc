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
  // Without an early exit, over the fixed length, so the compiler vectorises it: a message's
  // ids are checked several times on its way (frame, send, ack).
  bool ok = true;
  for (std::size_t i = 0; i < kIdHexLength; ++i) {
    const unsigned c = static_cast<unsigned char>(id[i]);
    ok &= (c - '0' < 10u) | (c - 'a' < 6u);
  }
  return ok;
}

}  // namespace hippocrate
