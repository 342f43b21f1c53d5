// X25519 Diffie-Hellman (RFC 7748 §5, §6.1), from libsodium's crypto_scalarmult.
//
// Contract:
//   - private keys are 32 bytes of SecretBytes ("invalid_key_length" otherwise); any 32
//     bytes are a valid private key, clamped as RFC 7748 §5 decodeScalar25519 says;
//   - public keys are 32 bytes ("invalid_public_key_length" otherwise); the top bit of the
//     last byte is ignored (RFC 7748 §5 decodeUCoordinate);
//   - the shared secret is refused when the peer's point has small order, which would make
//     it all-zero and independent of our key (RFC 7748 §6.1 "check ... not the all-zero
//     value"): "weak_public_key";
//   - a raw shared secret is not a key: derive keys from it with HKDF (hkdf.h).
// All errors are kInvalidArgument. Pure and thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::crypto {

constexpr std::size_t kX25519PrivateKeyBytes = 32;
constexpr std::size_t kX25519PublicKeyBytes = 32;
constexpr std::size_t kX25519SharedSecretBytes = 32;

using X25519PublicKey = std::array<std::uint8_t, kX25519PublicKeyBytes>;

struct X25519KeyPair {
  SecretBytes private_key;  // 32 bytes
  X25519PublicKey public_key;
};

// A fresh key pair: 32 random bytes and X25519(k, 9) (RFC 7748 §6.1).
X25519KeyPair x25519_generate();

// The public key X25519(private_key, 9) — RFC 7748 §6.1.
Result<X25519PublicKey> x25519_public_key(const SecretBytes& private_key);

// X25519(private_key, peer_public_key) — RFC 7748 §5 and §6.1.
Result<SecretBytes> x25519_shared_secret(const SecretBytes& private_key,
                                         std::span<const std::uint8_t> peer_public_key);

}  // namespace hippocrate::crypto
