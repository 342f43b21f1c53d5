// Base32 (RFC 4648 §6), the encoding of TOTP secrets in otpauth:// URIs and authenticator apps.
//
// Contract:
//   - base32_encode writes the upper-case alphabet "A–Z2–7" without "=" padding (the Key Uri
//     Format asks for unpadded secrets; RFC 4648 §3.2 allows omitting padding when the length
//     is known).
//   - base32_decode is lenient about presentation and strict about content: it accepts lower
//     case, ignores ASCII spaces (secrets are often shown in groups of four) and accepts the
//     "=" padding of RFC 4648 §6 when present and consistent; it rejects any other character,
//     impossible lengths (a final quantum of 1, 3 or 6 characters), misplaced or wrong-length
//     padding, and non-zero unused trailing bits (RFC 4648 §3.5: only the canonical encoding
//     is accepted). Every rejection is the error "invalid_base32" (kInvalidArgument), whose
//     message never quotes the input — it may be a secret.
//   - Both map characters with arithmetic and masks, never with table look-ups or branches on
//     the symbol values, so encoding or decoding a secret does not leak it through cache or
//     branch timing (as base/encoding.h does for hex and base64url with libsodium).
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/encoding.h"
#include "base/result.h"

namespace hippocrate::auth {

std::string base32_encode(std::span<const std::uint8_t> bytes);

Result<Bytes> base32_decode(std::string_view text);

}  // namespace hippocrate::auth
