#include "crypto/random.h"

#include <sodium.h>

#include "base/sodium_init.h"

namespace hippocrate::crypto {

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  fill_random(out);
  return out;
}

SecretBytes random_secret(std::size_t n) {
  SecretBytes out(n);
  fill_random(out.span());
  return out;
}

void fill_random(std::span<std::uint8_t> out) {
  ensure_sodium_initialized();
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

std::uint32_t uniform(std::uint32_t upper) {
  ensure_sodium_initialized();
  if (upper == 0) return 0;
  return randombytes_uniform(upper);
}

}  // namespace hippocrate::crypto
