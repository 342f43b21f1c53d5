#include "auth/webauthn/authenticator_checks.h"

#include "auth/webauthn/errors.h"
#include "base/encoding.h"
#include "crypto/compare.h"
#include "crypto/hash.h"

namespace hippocrate::auth::webauthn {

Status verify_authenticator_flags(const AuthenticatorData& data, std::string_view rp_id,
                                  bool user_verification_required) {
  // "Verify that the rpIdHash in authData is the SHA-256 hash of the RP ID expected by the RP."
  if (rp_id.empty()) return refusal(kRpId, "no RP ID is configured");
  const crypto::Sha256Digest expected = crypto::sha256(as_bytes(rp_id));
  if (!crypto::constant_time_equals(expected, data.rp_id_hash)) {
    return refusal(kRpId, "the credential is scoped to another RP ID");
  }
  if (!data.user_present()) {
    return refusal(kUserPresent, "the authenticator did not test the user's presence");
  }
  if (user_verification_required && !data.user_verified()) {
    return refusal(kUserVerified, "the authenticator did not verify the user");
  }
  if (data.backup_state() && !data.backup_eligible()) {
    return refusal(kBackupState, "the credential claims a backup without being eligible");
  }
  return ok_status();
}

}  // namespace hippocrate::auth::webauthn
