// HKDF with HMAC-SHA-256 (RFC 5869), built on hmac.h because libsodium 1.0.18 has no HKDF.
//
// Contract: pure and thread-safe; PRK and OKM are key material and are returned in
// SecretBytes. Errors are kInvalidArgument:
//   "invalid_key_length"     PRK shorter than HashLen (32 bytes), RFC 5869 §2.3;
//   "invalid_output_length"  L == 0 or L > 255 * HashLen = 8160 bytes, RFC 5869 §2.3.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::crypto {

constexpr std::size_t kHkdfSha256HashLen = 32;
constexpr std::size_t kHkdfSha256MaxOutput = 255 * kHkdfSha256HashLen;

// RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM). An empty salt stands for HashLen zero bytes
// (which HMAC's key padding makes equivalent).
SecretBytes hkdf_sha256_extract(std::span<const std::uint8_t> salt,
                                std::span<const std::uint8_t> ikm);

// RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) ‖ info ‖ i), OKM = first L octets of T(1)‖T(2)….
Result<SecretBytes> hkdf_sha256_expand(std::span<const std::uint8_t> prk,
                                       std::span<const std::uint8_t> info, std::size_t length);

// Extract then expand (RFC 5869 §2).
Result<SecretBytes> hkdf_sha256(std::span<const std::uint8_t> salt,
                                std::span<const std::uint8_t> ikm,
                                std::span<const std::uint8_t> info, std::size_t length);

}  // namespace hippocrate::crypto
