// Passkey routes (docs/api.md "Passkeys"): the registration ceremony and management of one's
// own passkeys (session routes), and the sign-in with a passkey (public, rate-limited like a
// login), in the JSON forms of WebAuthn Level 3 (PublicKeyCredentialCreationOptionsJSON,
// PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON,
// AuthenticationResponseJSON: byte strings as base64url). The origins a ceremony may come
// from are the server's allowed origins (server.allowed_origins, else its own) whose host is
// the RP ID or below it. `auth` and `passkeys` must outlive the router.
#pragma once

#include "auth/auth_service.h"
#include "auth/passkeys.h"
#include "server/router.h"

namespace hippocrate::server {

void add_passkey_routes(Router& router, auth::AuthService& auth, auth::PasskeyService& passkeys);

}  // namespace hippocrate::server
