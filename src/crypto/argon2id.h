// Argon2id password hashing and password-based key derivation (RFC 9106), from libsodium's
// crypto_pwhash with the Argon2id v1.3 algorithm.
//
// libsodium fixes the parallelism at p = 1 (one lane); the cost is set with t (passes) and
// m (memory). The defaults are the OWASP Password Storage Cheat Sheet minimum for Argon2id
// (m = 19 MiB, t = 2, p = 1).
//
// Contract:
//   - passwords are taken as bytes (SecretBytes::span() or as_bytes(view)) and never copied
//     into a std::string; longer than kMaxPasswordBytes → "password_too_long";
//   - parameters outside [libsodium minimum, our ceiling] → "invalid_argon2_params", so a
//     caller (or a stored hash) cannot ask for gigabytes of memory;
//   - hash_password returns the PHC-style encoded string "$argon2id$v=19$m=…,t=…,p=1$salt$hash",
//     which stores its own parameters; verify reads them back from it;
//   - verify: "password_mismatch" (kUnauthenticated) when the password is wrong,
//     "invalid_hash_format" when the string is not an Argon2id hash we accept;
//   - out of memory while hashing → "out_of_memory" (kResourceExhausted).
// Other errors are kInvalidArgument. Thread-safe; each call allocates m bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::crypto {

struct Argon2Params {
  std::uint64_t ops = 2;                        // t: passes over memory (RFC 9106 §3.1)
  std::size_t mem_bytes = 19u * 1024u * 1024u;  // m, in bytes (RFC 9106 §3.1 counts KiB)
};

constexpr Argon2Params kArgon2DefaultParams{};
constexpr std::size_t kArgon2SaltBytes = 16;
constexpr std::size_t kMaxPasswordBytes = 4096;
// Ceilings on what we compute, including for parameters read from a stored hash.
constexpr std::uint64_t kArgon2MaxOps = 16;
constexpr std::size_t kArgon2MaxMemBytes = std::size_t{1} << 30;  // 1 GiB
constexpr std::size_t kArgon2MinOutputBytes = 16;
constexpr std::size_t kArgon2MaxOutputBytes = 1024;

// Derives `out_len` bytes of key material from a password and a 16-byte random salt
// (RFC 9106 §3.2 with p = 1, type Argon2id, version 0x13).
// Errors: "password_too_long", "invalid_salt_length", "invalid_output_length",
// "invalid_argon2_params", "out_of_memory".
Result<SecretBytes> argon2id_derive_key(std::span<const std::uint8_t> password,
                                        std::span<const std::uint8_t> salt,
                                        const Argon2Params& params, std::size_t out_len);

// Hashes a password for storage under a fresh random salt; returns the encoded string.
Result<std::string> argon2id_hash_password(std::span<const std::uint8_t> password,
                                           const Argon2Params& params = kArgon2DefaultParams);

// Checks a password against an encoded hash, in time independent of where they differ.
Status argon2id_verify_password(std::string_view encoded_hash,
                                std::span<const std::uint8_t> password);

// True when `encoded_hash` was made with parameters other than `params` (so it should be
// recomputed at the next successful login). Error: "invalid_hash_format".
Result<bool> argon2id_needs_rehash(std::string_view encoded_hash,
                                   const Argon2Params& params = kArgon2DefaultParams);

}  // namespace hippocrate::crypto
