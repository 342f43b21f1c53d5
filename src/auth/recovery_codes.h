// Recovery codes: the fallback second factor (SECURITY-REQUIREMENTS.md, "Second factor":
// 10 single-use codes, >= 50 bits each, stored hashed, shown once).
//
// A code is 12 symbols of Crockford's base32 alphabet (digits and lower-case letters without
// i, l, o, u): 32^12 = 2^60 possibilities, shown as "xxxx-xxxx-xxxx". Each symbol is 5 bits
// of a CSPRNG byte (256 is a multiple of 32, so there is no modulo bias).
//
// Storage: only hash_recovery_code() = HMAC-SHA-256(pepper_key, normalized code) is stored.
// The pepper key lives outside the database (e.g. derived from the server's master key), so a
// database dump alone does not allow guessing codes offline; a fast keyed hash is enough
// because the codes carry 60 bits of entropy, unlike passwords. Single use (deleting or
// marking the row on success) and rate limiting are the caller's job.
//
// Contract: codes are SecretBytes holding the normalized ASCII form; nothing here logs or
// puts a code in an error; symbol mapping uses masks, not table look-ups, so it does not leak
// the code through cache timing. Thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/secret_bytes.h"

namespace hippocrate::auth {

constexpr std::size_t kRecoveryCodeLength = 12;  // symbols, without separators
constexpr int kRecoveryCodeCount = 10;
// Crockford base32 (https://www.crockford.com/base32.html), lower case.
constexpr std::string_view kRecoveryCodeAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr std::size_t kRecoveryCodeBits = 5 * kRecoveryCodeLength;  // log2(32) per symbol

using RecoveryCodeHash = std::array<std::uint8_t, 32>;

// A freshly issued code and the value to store for it.
struct RecoveryCode {
  SecretBytes code;       // normalized (12 symbols); display with format_recovery_code()
  RecoveryCodeHash hash;  // hash_recovery_code(pepper_key, code)
};

// `count` distinct random codes, each in normalized form. count <= 0 gives none.
std::vector<SecretBytes> generate_recovery_codes(int count = kRecoveryCodeCount);

// generate_recovery_codes() plus each code's hash, for enrolment.
std::vector<RecoveryCode> issue_recovery_codes(const SecretBytes& pepper_key,
                                               int count = kRecoveryCodeCount);

// The canonical form of a typed code: case-insensitive, '-' and ' ' ignored, and Crockford's
// look-alikes mapped ('i' and 'l' to '1', 'o' to '0'). Returns an empty string when any other
// character is present (including 'u') or the length is not 12 symbols.
std::string normalize_recovery_code(std::string_view input);

// HMAC-SHA-256(pepper_key, normalized) (RFC 2104 with FIPS 180-4 SHA-256, crypto/hmac.h).
// Deterministic for a given key; different keys give unrelated hashes.
RecoveryCodeHash hash_recovery_code(const SecretBytes& pepper_key, std::string_view normalized);

// True when hash_recovery_code(pepper_key, normalized) equals `stored` (constant time).
bool recovery_code_matches(const SecretBytes& pepper_key, std::string_view normalized,
                           std::span<const std::uint8_t> stored);

// "xxxx-xxxx-xxxx" for display. Returns an empty string unless `normalized` has 12 symbols.
std::string format_recovery_code(std::string_view normalized);

}  // namespace hippocrate::auth
