#include "crypto/x25519.h"

#include <sodium.h>

#include "base/sodium_init.h"
#include "crypto/random.h"

namespace hippocrate::crypto {
namespace {

static_assert(kX25519PrivateKeyBytes == crypto_scalarmult_curve25519_SCALARBYTES);
static_assert(kX25519PublicKeyBytes == crypto_scalarmult_curve25519_BYTES);

Status check_private_key(const SecretBytes& private_key) {
  if (private_key.size() != kX25519PrivateKeyBytes) {
    return Error::invalid_argument("invalid_key_length", "X25519 private keys are 32 bytes");
  }
  return ok_status();
}

}  // namespace

X25519KeyPair x25519_generate() {
  X25519KeyPair pair{random_secret(kX25519PrivateKeyBytes), {}};
  // Cannot fail for a 32-byte key: the base point has large order.
  crypto_scalarmult_curve25519_base(pair.public_key.data(), pair.private_key.data());
  return pair;
}

Result<X25519PublicKey> x25519_public_key(const SecretBytes& private_key) {
  HIPPO_RETURN_IF_ERROR(check_private_key(private_key));
  ensure_sodium_initialized();
  X25519PublicKey out;
  // RFC 7748 §6.1: "Alice ... computes K_A = X25519(a, 9)".
  if (crypto_scalarmult_curve25519_base(out.data(), private_key.data()) != 0) {
    return Error::invalid_argument("invalid_private_key", "the private key is not usable");
  }
  return out;
}

Result<SecretBytes> x25519_shared_secret(const SecretBytes& private_key,
                                         std::span<const std::uint8_t> peer_public_key) {
  HIPPO_RETURN_IF_ERROR(check_private_key(private_key));
  if (peer_public_key.size() != kX25519PublicKeyBytes) {
    return Error::invalid_argument("invalid_public_key_length", "X25519 public keys are 32 bytes");
  }
  ensure_sodium_initialized();
  SecretBytes shared(kX25519SharedSecretBytes);
  // RFC 7748 §5: clamping of the scalar and masking of the u-coordinate's top bit happen
  // inside. libsodium returns -1 for points of small order and for an all-zero result,
  // which is the check RFC 7748 §6.1 asks for.
  if (crypto_scalarmult_curve25519(shared.data(), private_key.data(), peer_public_key.data()) !=
      0) {
    return Error::invalid_argument("weak_public_key",
                                   "the peer's public key is a low-order point and was refused");
  }
  return shared;
}

}  // namespace hippocrate::crypto
