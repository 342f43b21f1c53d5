// Authentication routes (docs/api.md "Authentication"): invitations, login/logout, the
// caller's account, second factor enrolment, step-up, password change, sessions, security
// events. `auth` must outlive the router.
#pragma once

#include "auth/auth_service.h"
#include "server/router.h"

namespace hippocrate::server {

void add_auth_routes(Router& router, auth::AuthService& auth);

// A login-like answer (a password login, a step-up, a passkey sign-in): the token once, the
// CSRF token, the session and account, and the session cookie.
HttpResponse login_response(auth::AuthService& auth, const auth::LoginResult& r, int status);

}  // namespace hippocrate::server
