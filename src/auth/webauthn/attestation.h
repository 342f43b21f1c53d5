// The attestation object (WebAuthn §6.5.4) and the two attestation statement formats
// Hippocrate accepts: "none" (§8.7) and "packed" self attestation (§8.2, no x5c).
//
// decode_attestation_object(): a CTAP2-canonical CBOR map of exactly
// {"fmt": text, "attStmt": map, "authData": bytes}; anything else, or more than
// kMaxAttestationObjectBytes, is "webauthn_malformed".
//
// verify_attestation_statement(), given the credential key already parsed from authData:
//   "none":   attStmt must be the empty map (§8.7 syntax).
//   "packed": attStmt must be exactly {"alg": int, "sig": bytes} — self attestation. With
//             "x5c" (basic or AttCA attestation: a certificate chain Hippocrate does not
//             evaluate) or any other key it is refused. alg must equal the credential key's
//             alg ("webauthn_algorithm"; §8.2 "Validate that alg matches the algorithm of the
//             credentialPublicKey"), and sig must verify over authData ‖ clientDataHash with
//             the credential key ("webauthn_signature").
//   Any other fmt — "tpm", "android-key", "android-safetynet", "fido-u2f", "apple",
//   "compound", "None" (§7.1: a case-sensitive match) — is "webauthn_attestation_format".
// Accepting none and self attestation means the RP asserts nothing about the authenticator's
// make (§7.1 "assess the attestation trustworthiness"); the registration records which one.
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "auth/webauthn/cbor.h"
#include "auth/webauthn/cose_key.h"
#include "base/encoding.h"
#include "base/result.h"

namespace hippocrate::auth::webauthn {

inline constexpr std::size_t kMaxAttestationObjectBytes = 64 * 1024;

enum class AttestationFormat { kNone, kPackedSelf };

struct AttestationObject {
  std::string fmt;
  CborValue att_stmt;  // a map
  Bytes auth_data;
};

Result<AttestationObject> decode_attestation_object(std::span<const std::uint8_t> bytes);

// `client_data_hash` is SHA-256(clientDataJSON); `credential_key` the key in
// attestation.auth_data's attested credential data.
Result<AttestationFormat> verify_attestation_statement(
    const AttestationObject& attestation, const CoseKey& credential_key,
    std::span<const std::uint8_t> client_data_hash);

}  // namespace hippocrate::auth::webauthn
