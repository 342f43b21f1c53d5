#include "auth/webauthn/registration.h"

#include <algorithm>

#include "auth/webauthn/authenticator_checks.h"
#include "auth/webauthn/authenticator_data.h"
#include "auth/webauthn/client_data.h"
#include "auth/webauthn/errors.h"
#include "crypto/hash.h"

namespace hippocrate::auth::webauthn {

Result<Registration> verify_registration(const RegistrationInput& input) {
  // §7.1: the client data's type, challenge, origin, crossOrigin and topOrigin.
  HIPPO_RETURN_IF_ERROR(verify_client_data(
      input.client_data_json,
      {Ceremony::kRegistration, input.expected_challenge, input.allowed_origins}));

  // "Let hash be the result of computing a hash over response.clientDataJSON using SHA-256."
  const crypto::Sha256Digest client_data_hash = crypto::sha256(input.client_data_json);

  // "Perform CBOR decoding on the attestationObject ... to obtain fmt, authData, attStmt."
  HIPPO_ASSIGN_OR_RETURN(const AttestationObject attestation,
                         decode_attestation_object(input.attestation_object));
  HIPPO_ASSIGN_OR_RETURN(const AuthenticatorData auth_data,
                         parse_authenticator_data(attestation.auth_data));
  if (!auth_data.attested) {
    return refusal(kMalformed, "the authenticator data holds no attested credential");
  }

  // rpIdHash, UP, UV, then "If the BE bit ... is not set, verify that the BS bit is not set."
  HIPPO_RETURN_IF_ERROR(
      verify_authenticator_flags(auth_data, input.rp_id, input.user_verification_required));

  // "Verify that the alg parameter in the credential public key ... matches the alg
  // attribute of one of the items in pkOptions.pubKeyCredParams."
  HIPPO_ASSIGN_OR_RETURN(const CoseKey key, decode_cose_key(auth_data.attested->public_key));
  if (std::find(input.allowed_algorithms.begin(), input.allowed_algorithms.end(), key.alg) ==
      input.allowed_algorithms.end()) {
    return refusal(kAlgorithm, "the credential's algorithm was not offered");
  }

  // fmt, and the attestation statement's verification procedure.
  HIPPO_ASSIGN_OR_RETURN(const AttestationFormat format,
                         verify_attestation_statement(attestation, key, client_data_hash));

  Registration out;
  out.credential_id = auth_data.attested->credential_id;
  out.public_key = auth_data.attested->public_key;
  out.key = key;
  out.sign_count = auth_data.sign_count;
  out.user_verified = auth_data.user_verified();
  out.backup_eligible = auth_data.backup_eligible();
  out.backup_state = auth_data.backup_state();
  out.aaguid = auth_data.attested->aaguid;
  out.attestation = format;
  return out;
}

}  // namespace hippocrate::auth::webauthn
