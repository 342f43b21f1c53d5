// Authenticator data (WebAuthn §6.1) and the attested credential data inside it (§6.5.1).
//
// Layout: rpIdHash (32) ‖ flags (1) ‖ signCount (4, big-endian) ‖ attestedCredentialData
// (when AT) ‖ extensions (a CBOR map, when ED). Attested credential data: aaguid (16) ‖
// credentialIdLength (2, big-endian) ‖ credentialId ‖ credentialPublicKey (a COSE_Key in
// CTAP2 canonical CBOR).
//
// parse_authenticator_data() refuses, with "webauthn_malformed": fewer than 37 bytes, more
// than kMaxAuthenticatorDataBytes; AT set but the attested credential data truncated; a
// credential id of 0 or more than 1023 bytes (§6.5.1: "Value MUST be ≤ 1023"); a public key
// that is not one well-formed canonical CBOR map (its meaning is cose_key.h's to check);
// ED set without a CBOR map of text keys after the rest, or ED clear with bytes left; any
// trailing byte. RFU1 and RFU2 are carried in `flags` and otherwise ignored, as §6.1 leaves
// them for future use. Pure; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/encoding.h"
#include "base/result.h"

namespace hippocrate::auth::webauthn {

// §6.1 flags, bit 0 least significant.
inline constexpr std::uint8_t kFlagUserPresent = 0x01;         // UP
inline constexpr std::uint8_t kFlagRfu1 = 0x02;                // RFU1
inline constexpr std::uint8_t kFlagUserVerified = 0x04;        // UV
inline constexpr std::uint8_t kFlagBackupEligible = 0x08;      // BE
inline constexpr std::uint8_t kFlagBackupState = 0x10;         // BS
inline constexpr std::uint8_t kFlagRfu2 = 0x20;                // RFU2
inline constexpr std::uint8_t kFlagAttestedCredential = 0x40;  // AT
inline constexpr std::uint8_t kFlagExtensions = 0x80;          // ED

inline constexpr std::size_t kMaxCredentialIdBytes = 1023;  // §6.5.1
inline constexpr std::size_t kMaxAuthenticatorDataBytes = 16 * 1024;

struct AttestedCredentialData {
  std::array<std::uint8_t, 16> aaguid{};
  Bytes credential_id;
  Bytes public_key;  // the COSE_Key's bytes exactly as they appear in the authenticator data
};

struct AuthenticatorData {
  std::array<std::uint8_t, 32> rp_id_hash{};
  std::uint8_t flags = 0;
  std::uint32_t sign_count = 0;
  std::optional<AttestedCredentialData> attested;  // present exactly when AT is set
  Bytes extensions;                                // the CBOR map's bytes when ED is set

  bool user_present() const { return (flags & kFlagUserPresent) != 0; }
  bool user_verified() const { return (flags & kFlagUserVerified) != 0; }
  bool backup_eligible() const { return (flags & kFlagBackupEligible) != 0; }
  bool backup_state() const { return (flags & kFlagBackupState) != 0; }
};

Result<AuthenticatorData> parse_authenticator_data(std::span<const std::uint8_t> data);

}  // namespace hippocrate::auth::webauthn
