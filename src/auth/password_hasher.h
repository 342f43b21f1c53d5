// Password storage (SECURITY-REQUIREMENTS "Passwords": Argon2id, 128-bit random salt,
// server-side pepper, parameters stored per hash).
//
// Pre-hash pepper: what Argon2id hashes is HMAC-SHA-256(pepper, password), never the
// password itself:
//   - a dump of the database without the pepper file gives nothing to guess against offline
//     (every guess needs the 32-byte key);
//   - Argon2id always receives exactly 32 bytes, so its cost does not depend on the password
//     length (passwords are still capped at kPasswordMaxBytes before the HMAC);
//   - the stored value stays the standard libsodium/PHC string
//     "$argon2id$v=19$m=<KiB>,t=<passes>,p=1$<salt>$<hash>" with its own parameters, so the
//     cost can be raised and old hashes upgraded at the next successful login.
// The price: losing the pepper makes every stored hash unverifiable (see auth/pepper.h).
//
// Contract: thread-safe (all methods const, no shared mutable state); each hash or verify
// allocates params.mem_bytes for its duration. The password never leaves SecretBytes.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secret_bytes.h"
#include "crypto/argon2id.h"

namespace hippocrate::auth {

// Default cost, chosen by measurement on the 2-core reference machine (libsodium 1.0.18,
// crypto_pwhash_argon2id_str, median of 11 runs; ranges over 5 runs on a machine shared
// with other builds, the high end measured while a parallel compile was running):
//   m = 19 MiB, t = 2 (OWASP minimum):  10-32 ms    m = 46 MiB, t = 1:  22-67 ms
//   m = 32 MiB, t = 3:                  32-72 ms    m = 64 MiB, t = 2:  71-150 ms
//   m = 64 MiB, t = 3 (chosen):        83-193 ms    m = 64 MiB, t = 4: 106-251 ms
// 64 MiB / t = 3 stays under the ~250 ms login budget even under load, with 3.4x the OWASP
// minimum memory. Each concurrent hash or verify holds 64 MiB while it runs.
constexpr crypto::Argon2Params kPasswordHashParams{3, 64u * 1024u * 1024u};

class PasswordHasher {
 public:
  // `pepper` must hold at least 32 bytes (auth/pepper.h makes exactly 32). Computes the
  // dummy hash used by dummy_verify() once, here, so the first unknown-user login costs
  // the same as the later ones. Throws std::invalid_argument for a short pepper or
  // parameters Argon2id refuses (start-up errors, see crypto/argon2id.h for the range).
  explicit PasswordHasher(SecretBytes pepper, crypto::Argon2Params params = kPasswordHashParams);

  // The encoded Argon2id string to store, under a fresh random salt.
  // Errors: "password_too_long" (over kPasswordMaxBytes, before any hashing),
  // "out_of_memory" (kResourceExhausted).
  Result<std::string> hash(const SecretBytes& password) const;

  // true when `password` matches `encoded`, false when it does not (a wrong password is
  // not an error). Uses the parameters stored in `encoded`. A password over
  // kPasswordMaxBytes cannot have been set, so it is false at once, without hashing, just
  // as dummy_verify() returns at once for it: an error here would tell an attacker that the
  // account exists. Error: "invalid_hash_format" (not an Argon2id hash within
  // crypto/argon2id.h's ceilings).
  Result<bool> verify(const SecretBytes& password, std::string_view encoded) const;

  // true when `encoded` was made with less memory or fewer passes than this hasher's
  // parameters (or cannot be parsed): rehash it after the next successful verify.
  // Stronger stored parameters are kept (no downgrade).
  bool needs_rehash(std::string_view encoded) const;

  // Spends the time of one verify() against a fixed dummy hash made with this hasher's
  // parameters, and discards the result. Call it when the account does not exist, so an
  // unknown e-mail costs the same as a wrong password (no user enumeration by timing).
  void dummy_verify(const SecretBytes& password) const;

  const crypto::Argon2Params& params() const { return params_; }

 private:
  SecretBytes prehash(const SecretBytes& password) const;

  SecretBytes pepper_;
  crypto::Argon2Params params_;
  std::string dummy_hash_;
};

}  // namespace hippocrate::auth
