#include "auth/webauthn/assertion.h"

#include <algorithm>

#include "auth/webauthn/authenticator_checks.h"
#include "auth/webauthn/authenticator_data.h"
#include "auth/webauthn/client_data.h"
#include "auth/webauthn/cose_key.h"
#include "auth/webauthn/errors.h"
#include "auth/webauthn/signature.h"
#include "crypto/hash.h"

namespace hippocrate::auth::webauthn {
namespace {

bool same_bytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

Result<Assertion> verify(const AssertionInput& input) {
  // §7.2: the credential is the record's, and the user handle the account's.
  if (input.credential_id.empty() ||
      !same_bytes(input.credential_id, input.credential.credential_id)) {
    return refusal(kCredential, "the credential used is not the registered one");
  }
  if (input.user_handle_required && !input.user_handle) {
    return refusal(kUserHandle, "the authenticator returned no user handle");
  }
  if (input.user_handle && input.expected_user_handle &&
      !same_bytes(*input.user_handle, *input.expected_user_handle)) {
    return refusal(kUserHandle, "the credential belongs to another account");
  }

  // The client data's type, challenge, origin, crossOrigin and topOrigin.
  HIPPO_RETURN_IF_ERROR(verify_client_data(
      input.client_data_json,
      {Ceremony::kAuthentication, input.expected_challenge, input.allowed_origins}));

  HIPPO_ASSIGN_OR_RETURN(const AuthenticatorData auth_data,
                         parse_authenticator_data(input.authenticator_data));
  if (auth_data.attested) {
    return refusal(kMalformed, "an assertion's authenticator data holds attested credential data");
  }

  HIPPO_RETURN_IF_ERROR(
      verify_authenticator_flags(auth_data, input.rp_id, input.user_verification_required));
  // "If credentialRecord.backupEligible is set, verify that currentBe is set; if not set,
  // verify that currentBe is not set" (§6.1.3: BE never changes after registration).
  if (auth_data.backup_eligible() != input.credential.backup_eligible) {
    return refusal(kBackupEligibilityChanged,
                   "the credential's backup eligibility differs from its registration");
  }

  // "Verify that sig is a valid signature over the binary concatenation of authData and hash."
  HIPPO_ASSIGN_OR_RETURN(const CoseKey key, decode_cose_key(input.credential.public_key));
  const crypto::Sha256Digest client_data_hash = crypto::sha256(input.client_data_json);
  HIPPO_RETURN_IF_ERROR(verify_authenticator_signature(key, input.authenticator_data,
                                                       client_data_hash, input.signature));

  // "If authData.signCount is nonzero or credentialRecord.signCount is nonzero": the new one
  // must be greater, else "the authenticator may be cloned" (§6.1.1).
  const std::uint32_t stored = input.credential.sign_count;
  const std::uint32_t received = auth_data.sign_count;
  if ((received != 0 || stored != 0) && received <= stored) {
    return refusal(kSignCount, "the signature counter did not increase");
  }
  return Assertion{received, auth_data.user_verified(), auth_data.backup_state()};
}

}  // namespace

Result<Assertion> verify_assertion(const AssertionInput& input) {
  auto result = verify(input);
  if (!result) {
    // A failed assertion is a failed sign-in: 401, with the step's code and message.
    const Error& e = result.error();
    return Error::unauthenticated(e.code(), e.message());
  }
  return result;
}

}  // namespace hippocrate::auth::webauthn
