#include "crypto/hash.h"

#include "base/sodium_init.h"

namespace hippocrate::crypto {

Sha256Digest sha256(std::span<const std::uint8_t> data) {
  ensure_sodium_initialized();
  Sha256Digest out;
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

Sha512Digest sha512(std::span<const std::uint8_t> data) {
  ensure_sodium_initialized();
  Sha512Digest out;
  crypto_hash_sha512(out.data(), data.data(), data.size());
  return out;
}

Result<Bytes> blake2b(std::span<const std::uint8_t> data, std::size_t out_len,
                      std::span<const std::uint8_t> key) {
  if (out_len < kBlake2bMinBytes || out_len > kBlake2bMaxBytes) {
    return Error::invalid_argument("invalid_output_length",
                                   "BLAKE2b output length must be between 16 and 64 bytes");
  }
  if (!key.empty() && (key.size() < kBlake2bMinKeyBytes || key.size() > kBlake2bMaxKeyBytes)) {
    return Error::invalid_argument("invalid_key_length",
                                   "BLAKE2b key must be empty or between 16 and 64 bytes");
  }
  ensure_sodium_initialized();
  Bytes out(out_len);
  // RFC 7693 §3.3: BLAKE2b(d, ll, kk, nn); crypto_generichash is exactly this function.
  if (crypto_generichash(out.data(), out.size(), data.data(), data.size(),
                         key.empty() ? nullptr : key.data(), key.size()) != 0) {
    return Error::internal("hash_failed", "BLAKE2b failed");
  }
  return out;
}

Sha256::Sha256() {
  ensure_sodium_initialized();
  crypto_hash_sha256_init(&state_);
}

Sha256& Sha256::update(std::span<const std::uint8_t> data) {
  crypto_hash_sha256_update(&state_, data.data(), data.size());
  return *this;
}

Sha256Digest Sha256::finish() {
  Sha256Digest out;
  crypto_hash_sha256_final(&state_, out.data());
  crypto_hash_sha256_init(&state_);
  return out;
}

Blake2b::Blake2b(std::size_t out_len) : out_len_(out_len) {
  crypto_generichash_init(&state_, nullptr, 0, out_len_);
}

Result<Blake2b> Blake2b::create(std::size_t out_len) {
  if (out_len < kBlake2bMinBytes || out_len > kBlake2bMaxBytes) {
    return Error::invalid_argument("invalid_output_length",
                                   "BLAKE2b output length must be between 16 and 64 bytes");
  }
  ensure_sodium_initialized();
  return Blake2b(out_len);
}

Blake2b& Blake2b::update(std::span<const std::uint8_t> data) {
  crypto_generichash_update(&state_, data.data(), data.size());
  return *this;
}

Bytes Blake2b::finish() {
  Bytes out(out_len_);
  crypto_generichash_final(&state_, out.data(), out.size());
  crypto_generichash_init(&state_, nullptr, 0, out_len_);
  return out;
}

}  // namespace hippocrate::crypto
