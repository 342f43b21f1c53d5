// Ed25519 signatures (RFC 8032 §5.1), from libsodium's crypto_sign_ed25519.
//
// Keys: the 32-byte seed is the RFC 8032 "private key" (§5.1.5); libsodium's 64-byte
// secret key is seed ‖ public key, and that is what Ed25519KeyPair::secret_key holds.
// Contract:
//   - secret keys and seeds are SecretBytes of the exact size ("invalid_key_length");
//   - public keys are 32 bytes, signatures 64 bytes (detached);
//   - verify returns ok only for a valid signature of exactly this message under exactly this
//     key; anything else — wrong sizes, non-canonical or small-order encodings, a forged or
//     altered signature — is "invalid_signature". libsodium's verify rejects non-canonical S
//     (RFC 8032 §5.1.7 step 1 "S ... in the range 0 <= s < L") and small-order A and R.
// All errors are kInvalidArgument. Pure and thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::crypto {

constexpr std::size_t kEd25519SeedBytes = 32;
constexpr std::size_t kEd25519SecretKeyBytes = 64;
constexpr std::size_t kEd25519PublicKeyBytes = 32;
constexpr std::size_t kEd25519SignatureBytes = 64;

using Ed25519PublicKey = std::array<std::uint8_t, kEd25519PublicKeyBytes>;
using Ed25519Signature = std::array<std::uint8_t, kEd25519SignatureBytes>;

struct Ed25519KeyPair {
  SecretBytes secret_key;  // 64 bytes: seed ‖ public key
  Ed25519PublicKey public_key;
};

// A key pair from a fresh random seed.
Ed25519KeyPair ed25519_generate();

// The key pair derived from a 32-byte seed (RFC 8032 §5.1.5).
Result<Ed25519KeyPair> ed25519_keypair_from_seed(const SecretBytes& seed);

// The 32-byte seed inside a 64-byte secret key (to store the smaller form).
Result<SecretBytes> ed25519_seed(const SecretBytes& secret_key);

// A detached signature of `message` (RFC 8032 §5.1.6). Deterministic.
Result<Ed25519Signature> ed25519_sign(const SecretBytes& secret_key,
                                      std::span<const std::uint8_t> message);

// Checks a detached signature (RFC 8032 §5.1.7).
Status ed25519_verify(std::span<const std::uint8_t> public_key,
                      std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t> signature);

}  // namespace hippocrate::crypto
