// HMAC-SHA-256 and HMAC-SHA-512 (RFC 2104, with the SHA-2 functions of FIPS 180-4;
// known answers in RFC 4231).
//
// Keys of any length are accepted, as RFC 2104 §2 requires: keys longer than the hash block
// (64 bytes for SHA-256, 128 for SHA-512) are first hashed, shorter ones zero-padded.
// Contract: pure, thread-safe. Tags are returned by value; verify them only with the
// verify_* functions below (constant time), never with ==.
// When the output is itself key material (e.g. a Double Ratchet chain or message key),
// use the *_secret variants so it lands in SecretBytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::crypto {

constexpr std::size_t kHmacSha256Bytes = 32;
constexpr std::size_t kHmacSha512Bytes = 64;

using HmacSha256Tag = std::array<std::uint8_t, kHmacSha256Bytes>;
using HmacSha512Tag = std::array<std::uint8_t, kHmacSha512Bytes>;

// HMAC(K, text) = H((K0 ^ opad) ‖ H((K0 ^ ipad) ‖ text))   — RFC 2104 §2.
HmacSha256Tag hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message);
HmacSha512Tag hmac_sha512(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message);

// The same values, returned in SecretBytes (32 and 64 bytes).
SecretBytes hmac_sha256_secret(std::span<const std::uint8_t> key,
                               std::span<const std::uint8_t> message);
SecretBytes hmac_sha512_secret(std::span<const std::uint8_t> key,
                               std::span<const std::uint8_t> message);

// Recomputes the MAC and compares it with `tag` in constant time. A tag of the wrong size
// (truncated tags are not accepted) or a mismatch gives "invalid_mac" (kInvalidArgument).
Status verify_hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message,
                          std::span<const std::uint8_t> tag);
Status verify_hmac_sha512(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message,
                          std::span<const std::uint8_t> tag);

}  // namespace hippocrate::crypto
