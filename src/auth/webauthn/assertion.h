// The relying party's verification of an authentication ceremony (WebAuthn Level 3 §7.2), as
// one pure function that fails closed. The caller found the credential record (by the
// response's rawId, within allowCredentials when it sent one), consumed the single-use
// challenge before calling, and after success stores the new sign count and backup state
// (§7.2 "Update credentialRecord").
//
// Steps, in the spec's order (codes in errors.h; every refusal is kUnauthenticated):
//   the response's credential id is the record's                       webauthn_credential
//   userHandle: required when `user_handle_required` (a discoverable
//     credential: the account was found from it); when present, equal to
//     `expected_user_handle` when one is given                          webauthn_user_handle
//   clientDataJSON: type "webauthn.get", challenge, origin, crossOrigin, topOrigin
//   authenticatorData parsed: AT must not be set (§6.1: "For assertion signatures, the AT
//     flag MUST NOT be set"), ED only with extensions                   webauthn_malformed
//   rpIdHash == SHA-256(rp_id)                                          webauthn_rp_id
//   UP set                                                              webauthn_user_present
//   UV set when user_verification_required                              webauthn_user_verified
//   BS set only with BE                                                 webauthn_backup_state
//   BE equal to the record's backupEligible                 webauthn_backup_eligibility_changed
//   signature over authenticatorData ‖ SHA-256(clientDataJSON) with the
//     stored COSE key (ES256: DER ECDSA; EdDSA: 64 raw bytes)           webauthn_signature
//   signCount: if either the stored or the received count is non-zero,
//     the received one must be greater                                  webauthn_sign_count
// webauthn_sign_count comes only after the signature verified: the authenticator (or a clone
// of its key) really produced it, so the caller records a security event (a possible cloned
// authenticator, §6.1.1) and refuses the sign-in. Synced passkeys send 0: 0 after 0 passes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace hippocrate::auth::webauthn {

// The credential record as stored at registration (§7.1).
struct StoredCredential {
  std::span<const std::uint8_t> credential_id;
  std::span<const std::uint8_t> public_key;  // Registration::public_key (COSE_Key bytes)
  std::uint32_t sign_count = 0;
  bool backup_eligible = false;
};

// Views of the caller's data, read during the call only.
struct AssertionInput {
  std::span<const std::uint8_t> credential_id;               // the response's rawId
  std::span<const std::uint8_t> client_data_json;            // response.clientDataJSON
  std::span<const std::uint8_t> authenticator_data;          // response.authenticatorData
  std::span<const std::uint8_t> signature;                   // response.signature
  std::optional<std::span<const std::uint8_t>> user_handle;  // response.userHandle, if not null
  StoredCredential credential;
  std::span<const std::uint8_t> expected_challenge;  // ≥ 16 bytes, as issued
  std::span<const std::string> allowed_origins;      // exact strings
  std::string_view rp_id;
  bool user_verification_required = false;
  std::optional<std::span<const std::uint8_t>> expected_user_handle;  // the account's
  bool user_handle_required = false;
};

// The state to store after a successful assertion.
struct Assertion {
  std::uint32_t sign_count = 0;
  bool user_verified = false;
  bool backup_state = false;
};

Result<Assertion> verify_assertion(const AssertionInput& input);

}  // namespace hippocrate::auth::webauthn
