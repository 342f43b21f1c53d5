// TOTP second factor: RFC 6238 (TOTP) over RFC 4226 (HOTP), with the parameters every
// authenticator app speaks — 160-bit secret, HMAC-SHA-1, 6 digits, 30-second step, T0 = 0.
// See /work/shared/design/SECURITY-REQUIREMENTS.md, "Second factor".
//
// SHA-1 is used here, and only here, because RFC 6238 §1.2 / RFC 4226 §5 define the algorithm
// with HMAC-SHA-1 and authenticator apps ignore anything else; HMAC-SHA-1 remains a sound PRF
// (RFC 4226 Appendix A.2 / RFC 6151 §3). libsodium has no SHA-1, so totp.cc uses OpenSSL.
//
// Contract:
//   - keys are SecretBytes and never leave them except as the base32 text of otpauth_uri();
//     nothing here logs, and no error message contains a key or a code;
//   - verify_totp() compares in constant time and computes all three candidate codes whatever
//     the outcome; it does not rate-limit — the caller must lock an account out after a few
//     failures (3 acceptable codes out of 10^6 per guess);
//   - hotp()/totp_at() throw std::invalid_argument on a precondition violation (a bug: an
//     empty key or an unsupported number of digits), as docs/contributing.md reserves
//     exceptions for bugs; every function computing a code throws std::runtime_error if
//     OpenSSL cannot compute HMAC-SHA-1 (a broken installation, e.g. no default provider).
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::auth {

// RFC 4226 §4 R6 recommends a 160-bit shared secret (and requires at least 128 bits).
constexpr std::size_t kTotpSecretBytes = 20;
constexpr std::size_t kTotpMinSecretBytes = 16;
constexpr int kTotpDigits = 6;                   // RFC 4226 §5.3 R4: at least 6 digits
constexpr std::int64_t kTotpStepSeconds = 30;    // RFC 6238 §4.1 X, default 30 s (§5.2)
constexpr std::int64_t kTotpWindowSteps = 1;     // RFC 6238 §5.2: accept ± 1 step of drift
constexpr std::int64_t kTotpNeverUsedStep = -1;  // last_used_step of a fresh enrolment

// A fresh 160-bit secret from the CSPRNG (RFC 4226 §7.5: keys must be random).
SecretBytes generate_totp_secret();

// HOTP(K, C) = Truncate(HMAC-SHA-1(K, C)) mod 10^digits, left-padded with zeros
// (RFC 4226 §5.3, with the counter as 8 big-endian bytes, §5.1).
// Preconditions: !key.empty(), 6 <= digits <= 8 (§5.3 R4; more than 8 digits would exceed the
// 31-bit dynamic-truncation value's uniform range).
std::string hotp(const SecretBytes& key, std::uint64_t counter, int digits = kTotpDigits);

// The time step T = floor((unix_time - T0) / X) with T0 = 0, X = 30 (RFC 6238 §4.2).
// Negative before the epoch (floor division).
std::int64_t totp_step(TimePoint t);

// TOTP(K, T) = HOTP(K, T) with 6 digits (RFC 6238 §4.2). Precondition: t is not before the
// Unix epoch, plus those of hotp().
std::string totp_at(const SecretBytes& key, TimePoint t);

// Checks a code typed by the user against the steps current-1, current, current+1
// (RFC 6238 §5.2, one step of clock drift or network delay each way) and returns the step
// it matched. The caller stores it as the account's new last_used_step: RFC 6238 §5.2 says
// the verifier MUST NOT accept the second attempt of the same OTP, so a code whose step is
// <= last_used_step is refused (pass kTotpNeverUsedStep when the factor was never used).
// When codes of several steps match, the latest step not yet used wins.
// Errors (codes are stable; messages never quote the code):
//   "totp_malformed" (kInvalidArgument): not exactly 6 ASCII digits once spaces are removed;
//   "totp_replayed"  (kUnauthenticated): the code is right but its step was already used;
//   "totp_invalid"   (kUnauthenticated): the code matches none of the three steps;
//   "totp_key_invalid" (kInternal): the stored key is shorter than 128 bits.
Result<std::int64_t> verify_totp(const SecretBytes& key, std::string_view code, TimePoint now,
                                 std::int64_t last_used_step);

// The Key Uri Format (google-authenticator wiki) enrolment URI:
//   otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
// The issuer and account name are percent-encoded per RFC 3986 §2.1 (everything outside the
// unreserved set of §2.3, including spaces as %20, ':' as %3A and UTF-8 bytes, upper-case
// hex); the secret is unpadded base32 (RFC 4648 §6). With an empty issuer the label is the
// account name alone and the issuer parameter is omitted.
// THE RESULT CONTAINS THE SECRET: show it to the enrolling user (text or QR code) and never
// log or store it.
std::string otpauth_uri(const SecretBytes& key, std::string_view issuer,
                        std::string_view account_name);

}  // namespace hippocrate::auth
