#include "base/ids.h"

#include <sodium.h>

#include <array>
#include <chrono>
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

std::string message_id_at(std::uint64_t unix_ms, std::span<const std::uint8_t, 10> random) {
  std::array<std::uint8_t, kIdBytes> b{};
  for (std::size_t i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(unix_ms >> (40 - 8 * i));
  b[6] = static_cast<std::uint8_t>(0x70 | (random[0] & 0x0f));  // version 7, rand_a
  b[7] = random[1];
  b[8] = static_cast<std::uint8_t>(0x80 | (random[2] & 0x3f));  // variant 10, rand_b
  for (std::size_t i = 9; i < kIdBytes; ++i) b[i] = random[i - 6];
  return hex_encode(b);
}

std::string new_message_id() {
  ensure_sodium_initialized();
  std::array<std::uint8_t, 10> random{};
  randombytes_buf(random.data(), random.size());
  // The system clock, not the project's Clock: the id only orders and never decides
  // anything, and a clock set back merely makes later ids sort earlier.
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return message_id_at(static_cast<std::uint64_t>(ms.count()), random);
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
