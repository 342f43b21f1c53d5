#include "crypto/ed25519.h"

#include <sodium.h>

#include <utility>

#include "base/sodium_init.h"
#include "crypto/random.h"

namespace hippocrate::crypto {
namespace {

static_assert(kEd25519SeedBytes == crypto_sign_ed25519_SEEDBYTES);
static_assert(kEd25519SecretKeyBytes == crypto_sign_ed25519_SECRETKEYBYTES);
static_assert(kEd25519PublicKeyBytes == crypto_sign_ed25519_PUBLICKEYBYTES);
static_assert(kEd25519SignatureBytes == crypto_sign_ed25519_BYTES);

Error invalid_signature() {
  return Error::invalid_argument("invalid_signature", "the signature is not valid");
}

}  // namespace

Ed25519KeyPair ed25519_generate() {
  SecretBytes seed = random_secret(kEd25519SeedBytes);
  // Cannot fail: the seed has the right size.
  return std::move(*ed25519_keypair_from_seed(seed));
}

Result<Ed25519KeyPair> ed25519_keypair_from_seed(const SecretBytes& seed) {
  if (seed.size() != kEd25519SeedBytes) {
    return Error::invalid_argument("invalid_key_length", "Ed25519 seeds are 32 bytes");
  }
  ensure_sodium_initialized();
  Ed25519KeyPair pair{SecretBytes(kEd25519SecretKeyBytes), {}};
  // RFC 8032 §5.1.5: hash the seed with SHA-512, prune the lower half into the scalar s,
  // A = [s]B. libsodium stores seed ‖ A as the secret key.
  if (crypto_sign_ed25519_seed_keypair(pair.public_key.data(), pair.secret_key.data(),
                                       seed.data()) != 0) {
    return Error::internal("key_generation_failed", "could not derive the Ed25519 key pair");
  }
  return pair;
}

Result<SecretBytes> ed25519_seed(const SecretBytes& secret_key) {
  if (secret_key.size() != kEd25519SecretKeyBytes) {
    return Error::invalid_argument("invalid_key_length", "Ed25519 secret keys are 64 bytes");
  }
  SecretBytes seed(kEd25519SeedBytes);
  crypto_sign_ed25519_sk_to_seed(seed.data(), secret_key.data());
  return seed;
}

Result<Ed25519Signature> ed25519_sign(const SecretBytes& secret_key,
                                      std::span<const std::uint8_t> message) {
  if (secret_key.size() != kEd25519SecretKeyBytes) {
    return Error::invalid_argument("invalid_key_length", "Ed25519 secret keys are 64 bytes");
  }
  ensure_sodium_initialized();
  Ed25519Signature signature;
  // RFC 8032 §5.1.6: r = SHA-512(prefix ‖ M), R = [r]B, k = SHA-512(R ‖ A ‖ M),
  // S = (r + k * s) mod L; the signature is R ‖ S.
  if (crypto_sign_ed25519_detached(signature.data(), nullptr, message.data(), message.size(),
                                   secret_key.data()) != 0) {
    return Error::internal("signing_failed", "could not sign the message");
  }
  return signature;
}

Status ed25519_verify(std::span<const std::uint8_t> public_key,
                      std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t> signature) {
  if (public_key.size() != kEd25519PublicKeyBytes || signature.size() != kEd25519SignatureBytes) {
    return invalid_signature();
  }
  ensure_sodium_initialized();
  // RFC 8032 §5.1.7: decode R, A and S (rejecting S >= L), k = SHA-512(R ‖ A ‖ M),
  // check [S]B = R + [k]A.
  if (crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(),
                                          public_key.data()) != 0) {
    return invalid_signature();
  }
  return ok_status();
}

}  // namespace hippocrate::crypto
