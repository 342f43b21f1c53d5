// Authenticated encryption with associated data (AEAD), from libsodium:
//   - XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 §2): 24-byte nonces, safe to pick at
//     random. The default for everything Hippocrate encrypts.
//   - ChaCha20-Poly1305 (RFC 8439 §2.8): 12-byte nonces, which must never repeat under one
//     key; only for interoperability and fixed-nonce protocols.
//
// Contract:
//   - keys are 32 bytes of SecretBytes ("invalid_key_length" otherwise);
//   - nonces must have the exact size ("invalid_nonce_length");
//   - open never returns unauthenticated plaintext: a wrong key, nonce, AD, tag or any
//     changed ciphertext byte gives "decryption_failed", and nothing else is revealed;
//   - all errors are kInvalidArgument; functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/encoding.h"
#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::crypto {

constexpr std::size_t kAeadKeyBytes = 32;
constexpr std::size_t kAeadTagBytes = 16;
constexpr std::size_t kXChaChaNonceBytes = 24;
constexpr std::size_t kChaChaIetfNonceBytes = 12;

// A fresh random 32-byte AEAD key.
SecretBytes aead_keygen();

// --- XChaCha20-Poly1305 ----------------------------------------------------------------

// Encrypts under a fresh random nonce and returns nonce ‖ ciphertext ‖ tag
// (24 + plaintext + 16 bytes). The usual way to encrypt.
Result<Bytes> xchacha_seal(const SecretBytes& key, std::span<const std::uint8_t> plaintext,
                           std::span<const std::uint8_t> ad = {});
// Opens the output of xchacha_seal.
Result<Bytes> xchacha_open(const SecretBytes& key, std::span<const std::uint8_t> sealed,
                           std::span<const std::uint8_t> ad = {});
// As xchacha_open, for plaintexts that are key material (e.g. a keystore).
Result<SecretBytes> xchacha_open_secret(const SecretBytes& key,
                                        std::span<const std::uint8_t> sealed,
                                        std::span<const std::uint8_t> ad = {});

// Explicit-nonce form (draft-irtf-cfrg-xchacha-03 §2.3 / A.3): returns ciphertext ‖ tag.
// The caller guarantees the nonce is never reused with the same key.
Result<Bytes> xchacha_seal_with_nonce(const SecretBytes& key, std::span<const std::uint8_t> nonce,
                                      std::span<const std::uint8_t> plaintext,
                                      std::span<const std::uint8_t> ad = {});
Result<Bytes> xchacha_open_with_nonce(const SecretBytes& key, std::span<const std::uint8_t> nonce,
                                      std::span<const std::uint8_t> ciphertext_and_tag,
                                      std::span<const std::uint8_t> ad = {});

// --- ChaCha20-Poly1305 (IETF, RFC 8439 §2.8) ---------------------------------------------

// Returns ciphertext ‖ tag (RFC 8439 §2.8: "the concatenation of" ciphertext and tag).
Result<Bytes> chacha20poly1305_seal(const SecretBytes& key, std::span<const std::uint8_t> nonce,
                                    std::span<const std::uint8_t> plaintext,
                                    std::span<const std::uint8_t> ad = {});
// RFC 8439 §2.8: the tag is checked (in constant time) before anything is decrypted.
Result<Bytes> chacha20poly1305_open(const SecretBytes& key, std::span<const std::uint8_t> nonce,
                                    std::span<const std::uint8_t> ciphertext_and_tag,
                                    std::span<const std::uint8_t> ad = {});

}  // namespace hippocrate::crypto
