// The relying party's verification of a registration ceremony (WebAuthn Level 3 §7.1), as one
// pure function that fails closed. No storage, no clock, no randomness: the caller issued the
// challenge, keeps it server-side, deletes it before calling (single use, on success and on
// failure alike), checks its 5-minute expiry and the account it is bound to; after success
// it stores the credential with an atomic insert that fails on a credential id already known
// (§7.1 "not yet registered for any user").
//
// Steps, in the spec's order (each refusal's code in errors.h):
//   clientDataJSON: type "webauthn.create", challenge, origin, crossOrigin, topOrigin
//     (client_data.h);
//   hash = SHA-256(clientDataJSON);
//   attestationObject decoded (attestation.h), its authData parsed (authenticator_data.h);
//     AT must be set (there is no credential otherwise): "webauthn_malformed";
//   rpIdHash == SHA-256(rp_id)                                      webauthn_rp_id
//   UP set                                                          webauthn_user_present
//   UV set when user_verification_required                          webauthn_user_verified
//   BS set only with BE                                             webauthn_backup_state
//   the credential key ES256 or EdDSA (cose_key.h), its alg one of
//     `allowed_algorithms` (the pubKeyCredParams the RP sent)        webauthn_algorithm
//   fmt "none" or "packed" self attestation, attStmt verified        webauthn_attestation_format
//                                                                    / _algorithm / _signature
//   credential id ≤ 1023 bytes (already refused by the authData parser).
// Extensions are parsed for structure and otherwise ignored (§7.1 allows it).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "auth/webauthn/attestation.h"
#include "auth/webauthn/cose_key.h"
#include "base/encoding.h"
#include "base/result.h"

namespace hippocrate::auth::webauthn {

inline constexpr CoseAlgorithm kDefaultAlgorithms[] = {CoseAlgorithm::kEs256,
                                                       CoseAlgorithm::kEdDsa};

// Views of the caller's data, read during the call only.
struct RegistrationInput {
  std::span<const std::uint8_t> client_data_json;    // response.clientDataJSON
  std::span<const std::uint8_t> attestation_object;  // response.attestationObject
  std::span<const std::uint8_t> expected_challenge;  // ≥ 16 bytes, as issued
  std::span<const std::string> allowed_origins;      // exact strings
  std::string_view rp_id;                            // e.g. "hippocrate.example.org"
  bool user_verification_required = false;
  std::span<const CoseAlgorithm> allowed_algorithms = kDefaultAlgorithms;
};

// What to store as the credential record (§7.1 "Let credentialRecord be...").
struct Registration {
  Bytes credential_id;
  Bytes public_key;  // the COSE_Key bytes, to store and hand back to verify_assertion()
  CoseKey key;       // the same, parsed
  std::uint32_t sign_count = 0;
  bool user_verified = false;  // uvInitialized
  bool backup_eligible = false;
  bool backup_state = false;
  std::array<std::uint8_t, 16> aaguid{};
  AttestationFormat attestation = AttestationFormat::kNone;
};

// Errors: kInvalidArgument with the codes above; nothing is returned unless every step passed.
Result<Registration> verify_registration(const RegistrationInput& input);

}  // namespace hippocrate::auth::webauthn
