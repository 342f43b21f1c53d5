#include "crypto/hmac.h"

#include <sodium.h>

#include "base/sodium_init.h"
#include "crypto/compare.h"
#include "crypto/nonnull_data.h"

namespace hippocrate::crypto {
namespace {

// libsodium's *_init functions take the key at any length and apply RFC 2104 §2 step 1
// (hash keys longer than the block size) themselves; crypto_auth_hmacsha256() would not:
// it takes a fixed 32-byte key.
void hmac_sha256_into(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message,
                      std::uint8_t* out) {
  ensure_sodium_initialized();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, internal::nonnull_data(key), key.size());
  crypto_auth_hmacsha256_update(&state, message.data(), message.size());
  crypto_auth_hmacsha256_final(&state, out);
  sodium_memzero(&state, sizeof state);  // holds K0 ^ ipad / opad
}

void hmac_sha512_into(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message,
                      std::uint8_t* out) {
  ensure_sodium_initialized();
  crypto_auth_hmacsha512_state state;
  crypto_auth_hmacsha512_init(&state, internal::nonnull_data(key), key.size());
  crypto_auth_hmacsha512_update(&state, message.data(), message.size());
  crypto_auth_hmacsha512_final(&state, out);
  sodium_memzero(&state, sizeof state);
}

Error invalid_mac() { return Error::invalid_argument("invalid_mac", "the MAC does not match"); }

}  // namespace

HmacSha256Tag hmac_sha256(std::span<const std::uint8_t> key,
                          std::span<const std::uint8_t> message) {
  HmacSha256Tag out;
  hmac_sha256_into(key, message, out.data());
  return out;
}

HmacSha512Tag hmac_sha512(std::span<const std::uint8_t> key,
                          std::span<const std::uint8_t> message) {
  HmacSha512Tag out;
  hmac_sha512_into(key, message, out.data());
  return out;
}

SecretBytes hmac_sha256_secret(std::span<const std::uint8_t> key,
                               std::span<const std::uint8_t> message) {
  SecretBytes out(kHmacSha256Bytes);
  hmac_sha256_into(key, message, out.data());
  return out;
}

SecretBytes hmac_sha512_secret(std::span<const std::uint8_t> key,
                               std::span<const std::uint8_t> message) {
  SecretBytes out(kHmacSha512Bytes);
  hmac_sha512_into(key, message, out.data());
  return out;
}

Status verify_hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message,
                          std::span<const std::uint8_t> tag) {
  if (tag.size() != kHmacSha256Bytes) return invalid_mac();
  HmacSha256Tag expected;  // on the stack and wiped: cheaper than a SecretBytes
  hmac_sha256_into(key, message, expected.data());
  const bool equal = constant_time_equals(expected, tag);
  sodium_memzero(expected.data(), expected.size());
  if (!equal) return invalid_mac();
  return ok_status();
}

Status verify_hmac_sha512(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message,
                          std::span<const std::uint8_t> tag) {
  if (tag.size() != kHmacSha512Bytes) return invalid_mac();
  HmacSha512Tag expected;  // on the stack and wiped: cheaper than a SecretBytes
  hmac_sha512_into(key, message, expected.data());
  const bool equal = constant_time_equals(expected, tag);
  sodium_memzero(expected.data(), expected.size());
  if (!equal) return invalid_mac();
  return ok_status();
}

}  // namespace hippocrate::crypto
