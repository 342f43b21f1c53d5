#include "crypto/aead.h"

#include <sodium.h>

#include <cstring>

#include "base/sodium_init.h"
#include "crypto/random.h"

namespace hippocrate::crypto {
namespace {

static_assert(kAeadKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kAeadKeyBytes == crypto_aead_chacha20poly1305_ietf_KEYBYTES);
static_assert(kAeadTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kAeadTagBytes == crypto_aead_chacha20poly1305_ietf_ABYTES);
static_assert(kXChaChaNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kChaChaIetfNonceBytes == crypto_aead_chacha20poly1305_ietf_NPUBBYTES);

// The two constructions share one shape in libsodium; a table keeps the checks in one place.
struct Cipher {
  std::size_t nonce_bytes;
  std::size_t max_message_bytes;
  int (*encrypt)(unsigned char*, unsigned long long*, const unsigned char*, unsigned long long,
                 const unsigned char*, unsigned long long, const unsigned char*,
                 const unsigned char*, const unsigned char*);
  int (*decrypt)(unsigned char*, unsigned long long*, unsigned char*, const unsigned char*,
                 unsigned long long, const unsigned char*, unsigned long long, const unsigned char*,
                 const unsigned char*);
};

const Cipher kXChaCha{kXChaChaNonceBytes, crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX,
                      crypto_aead_xchacha20poly1305_ietf_encrypt,
                      crypto_aead_xchacha20poly1305_ietf_decrypt};
// The macro is SODIUM_MIN(SIZE_MAX - tag, 64 * (2^32 - 1)) in unsigned long long: the minimum
// always fits a size_t, but with a 32-bit size_t (wasm32) clang's -Wconstant-conversion
// flags the larger branch of the conditional; the cast keeps the value and silences it.
const Cipher kChaChaIetf{
    kChaChaIetfNonceBytes,
    static_cast<std::size_t>(crypto_aead_chacha20poly1305_ietf_MESSAGEBYTES_MAX),
    crypto_aead_chacha20poly1305_ietf_encrypt, crypto_aead_chacha20poly1305_ietf_decrypt};

Status check_key(const SecretBytes& key) {
  if (key.size() != kAeadKeyBytes) {
    return Error::invalid_argument("invalid_key_length", "AEAD keys are 32 bytes");
  }
  return ok_status();
}

Status check_key_and_nonce(const Cipher& cipher, const SecretBytes& key,
                           std::span<const std::uint8_t> nonce) {
  HIPPO_RETURN_IF_ERROR(check_key(key));
  if (nonce.size() != cipher.nonce_bytes) {
    return Error::invalid_argument("invalid_nonce_length",
                                   "the nonce does not have the size this cipher requires");
  }
  return ok_status();
}

Error decryption_failed() {
  return Error::invalid_argument("decryption_failed",
                                 "the message could not be authenticated and was not decrypted");
}

// Writes ciphertext ‖ tag into `out` (plaintext.size() + 16 bytes).
Status seal_into(const Cipher& cipher, const SecretBytes& key, std::span<const std::uint8_t> nonce,
                 std::span<const std::uint8_t> plaintext, std::span<const std::uint8_t> ad,
                 std::uint8_t* out) {
  HIPPO_RETURN_IF_ERROR(check_key_and_nonce(cipher, key, nonce));
  if (plaintext.size() > cipher.max_message_bytes) {
    return Error::invalid_argument("message_too_large", "the message is too large to encrypt");
  }
  ensure_sodium_initialized();
  unsigned long long written = 0;
  if (cipher.encrypt(out, &written, plaintext.data(), plaintext.size(), ad.data(), ad.size(),
                     nullptr, nonce.data(), key.data()) != 0) {
    return Error::internal("encryption_failed", "encryption failed");
  }
  return ok_status();
}

// Verifies and decrypts ciphertext ‖ tag into `out` (ciphertext_and_tag.size() - 16 bytes).
// libsodium verifies the tag first and writes nothing on failure.
Status open_into(const Cipher& cipher, const SecretBytes& key, std::span<const std::uint8_t> nonce,
                 std::span<const std::uint8_t> ciphertext_and_tag, std::span<const std::uint8_t> ad,
                 std::uint8_t* out) {
  HIPPO_RETURN_IF_ERROR(check_key_and_nonce(cipher, key, nonce));
  if (ciphertext_and_tag.size() < kAeadTagBytes) return decryption_failed();
  ensure_sodium_initialized();
  unsigned long long written = 0;
  if (cipher.decrypt(out, &written, nullptr, ciphertext_and_tag.data(), ciphertext_and_tag.size(),
                     ad.data(), ad.size(), nonce.data(), key.data()) != 0) {
    return decryption_failed();
  }
  return ok_status();
}

Result<Bytes> seal_impl(const Cipher& cipher, const SecretBytes& key,
                        std::span<const std::uint8_t> nonce,
                        std::span<const std::uint8_t> plaintext, std::span<const std::uint8_t> ad) {
  Bytes out(plaintext.size() + kAeadTagBytes);
  HIPPO_RETURN_IF_ERROR(seal_into(cipher, key, nonce, plaintext, ad, out.data()));
  return out;
}

Result<Bytes> open_impl(const Cipher& cipher, const SecretBytes& key,
                        std::span<const std::uint8_t> nonce,
                        std::span<const std::uint8_t> ciphertext_and_tag,
                        std::span<const std::uint8_t> ad) {
  HIPPO_RETURN_IF_ERROR(check_key_and_nonce(cipher, key, nonce));
  if (ciphertext_and_tag.size() < kAeadTagBytes) return decryption_failed();
  Bytes out(ciphertext_and_tag.size() - kAeadTagBytes);
  HIPPO_RETURN_IF_ERROR(open_into(cipher, key, nonce, ciphertext_and_tag, ad, out.data()));
  return out;
}

}  // namespace

SecretBytes aead_keygen() { return random_secret(kAeadKeyBytes); }

Result<Bytes> xchacha_seal(const SecretBytes& key, std::span<const std::uint8_t> plaintext,
                           std::span<const std::uint8_t> ad) {
  if (plaintext.size() > kXChaCha.max_message_bytes) {
    return Error::invalid_argument("message_too_large", "the message is too large to encrypt");
  }
  // Layout: nonce ‖ ciphertext ‖ tag. A random 192-bit nonce makes collisions negligible
  // (draft-irtf-cfrg-xchacha-03 §1, §3.1), so no nonce state is needed.
  Bytes out(kXChaChaNonceBytes + plaintext.size() + kAeadTagBytes);
  std::span<std::uint8_t> nonce(out.data(), kXChaChaNonceBytes);
  fill_random(nonce);
  HIPPO_RETURN_IF_ERROR(
      seal_into(kXChaCha, key, nonce, plaintext, ad, out.data() + kXChaChaNonceBytes));
  return out;
}

Result<Bytes> xchacha_open(const SecretBytes& key, std::span<const std::uint8_t> sealed,
                           std::span<const std::uint8_t> ad) {
  if (sealed.size() < kXChaChaNonceBytes + kAeadTagBytes) {
    HIPPO_RETURN_IF_ERROR(check_key(key));
    return decryption_failed();
  }
  return open_impl(kXChaCha, key, sealed.first(kXChaChaNonceBytes),
                   sealed.subspan(kXChaChaNonceBytes), ad);
}

Result<SecretBytes> xchacha_open_secret(const SecretBytes& key,
                                        std::span<const std::uint8_t> sealed,
                                        std::span<const std::uint8_t> ad) {
  if (sealed.size() < kXChaChaNonceBytes + kAeadTagBytes) {
    HIPPO_RETURN_IF_ERROR(check_key(key));
    return decryption_failed();
  }
  SecretBytes out(sealed.size() - kXChaChaNonceBytes - kAeadTagBytes);
  HIPPO_RETURN_IF_ERROR(open_into(kXChaCha, key, sealed.first(kXChaChaNonceBytes),
                                  sealed.subspan(kXChaChaNonceBytes), ad, out.data()));
  return out;
}

Result<Bytes> xchacha_seal_with_nonce(const SecretBytes& key, std::span<const std::uint8_t> nonce,
                                      std::span<const std::uint8_t> plaintext,
                                      std::span<const std::uint8_t> ad) {
  return seal_impl(kXChaCha, key, nonce, plaintext, ad);
}

Result<Bytes> xchacha_open_with_nonce(const SecretBytes& key, std::span<const std::uint8_t> nonce,
                                      std::span<const std::uint8_t> ciphertext_and_tag,
                                      std::span<const std::uint8_t> ad) {
  return open_impl(kXChaCha, key, nonce, ciphertext_and_tag, ad);
}

Result<Bytes> chacha20poly1305_seal(const SecretBytes& key, std::span<const std::uint8_t> nonce,
                                    std::span<const std::uint8_t> plaintext,
                                    std::span<const std::uint8_t> ad) {
  return seal_impl(kChaChaIetf, key, nonce, plaintext, ad);
}

Result<Bytes> chacha20poly1305_open(const SecretBytes& key, std::span<const std::uint8_t> nonce,
                                    std::span<const std::uint8_t> ciphertext_and_tag,
                                    std::span<const std::uint8_t> ad) {
  return open_impl(kChaChaIetf, key, nonce, ciphertext_and_tag, ad);
}

}  // namespace hippocrate::crypto
