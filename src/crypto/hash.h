// Hash functions: SHA-256 / SHA-512 (FIPS 180-4) and BLAKE2b (RFC 7693).
//
// Contract: the one-shot functions are pure and thread-safe. The incremental classes are
// single-owner (not thread-safe) and copyable; finish() returns the digest and resets the
// object to its initial state.
// Hashes are public values; to derive keys use hkdf.h, to authenticate use hmac.h.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/encoding.h"
#include "base/result.h"

namespace hippocrate::crypto {

constexpr std::size_t kSha256Bytes = 32;
constexpr std::size_t kSha512Bytes = 64;
constexpr std::size_t kBlake2bMinBytes = 16;  // crypto_generichash_BYTES_MIN
constexpr std::size_t kBlake2bMaxBytes = 64;  // crypto_generichash_BYTES_MAX
constexpr std::size_t kBlake2bDefaultBytes = 32;
constexpr std::size_t kBlake2bMinKeyBytes = 16;
constexpr std::size_t kBlake2bMaxKeyBytes = 64;

using Sha256Digest = std::array<std::uint8_t, kSha256Bytes>;
using Sha512Digest = std::array<std::uint8_t, kSha512Bytes>;

// SHA-256 of `data` (FIPS 180-4 §6.2).
Sha256Digest sha256(std::span<const std::uint8_t> data);
// SHA-512 of `data` (FIPS 180-4 §6.4).
Sha512Digest sha512(std::span<const std::uint8_t> data);

// BLAKE2b (RFC 7693 §3) with an `out_len`-byte digest (16..64) and an optional key
// (empty, or 16..64 bytes; RFC 7693 §2.5 keyed mode).
// Errors: "invalid_output_length", "invalid_key_length" (kInvalidArgument).
Result<Bytes> blake2b(std::span<const std::uint8_t> data,
                      std::size_t out_len = kBlake2bDefaultBytes,
                      std::span<const std::uint8_t> key = {});

// Incremental SHA-256, for inputs that arrive in pieces (e.g. a streamed upload).
class Sha256 {
 public:
  Sha256();
  Sha256& update(std::span<const std::uint8_t> data);
  // The digest of everything updated so far; the object starts over afterwards.
  Sha256Digest finish();

 private:
  crypto_hash_sha256_state state_{};
};

// Incremental unkeyed BLAKE2b with a fixed output length.
class Blake2b {
 public:
  // Error "invalid_output_length" unless 16 <= out_len <= 64.
  static Result<Blake2b> create(std::size_t out_len = kBlake2bDefaultBytes);
  Blake2b& update(std::span<const std::uint8_t> data);
  // The digest of everything updated so far; the object starts over afterwards.
  Bytes finish();

 private:
  explicit Blake2b(std::size_t out_len);
  crypto_generichash_state state_{};
  std::size_t out_len_;
};

}  // namespace hippocrate::crypto
