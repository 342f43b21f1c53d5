// The steps of WebAuthn §7.1 (registration) and §7.2 (authentication) that read the
// authenticator data the same way in both ceremonies, in the spec's order:
//   rpIdHash == SHA-256(rp_id), compared in constant time; an empty
//     rp_id (a configuration mistake) is refused too                  webauthn_rp_id
//   UP set                                                             webauthn_user_present
//   UV set when `user_verification_required`                           webauthn_user_verified
//   "If the BE bit ... is not set, verify that the BS bit is not set"  webauthn_backup_state
// Pure; thread-safe.
#pragma once

#include <string_view>

#include "auth/webauthn/authenticator_data.h"
#include "base/result.h"

namespace hippocrate::auth::webauthn {

Status verify_authenticator_flags(const AuthenticatorData& data, std::string_view rp_id,
                                  bool user_verification_required);

}  // namespace hippocrate::auth::webauthn
