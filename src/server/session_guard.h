// SessionGuard: turns a request's credentials into an authenticated session, or an error.
//
// Credentials: `Authorization: Bearer TOKEN` (CLI, scripts) or the browser cookie
// `__Host-hippocrate_session=TOKEN`. Cookie-authenticated requests other than GET/HEAD must
// carry `X-CSRF-Token` (403 "csrf_token_invalid"); bearer requests cannot be forged by a
// third-party page, so they need none. Staff sessions without a second factor reach only
// routes that allow enrolment (403 "second_factor_enrolment_required").
#pragma once

#include <functional>

#include "auth/auth_service.h"
#include "server/router.h"

namespace hippocrate::server {

inline constexpr std::string_view kSessionCookie = "__Host-hippocrate_session";

auth::RequestOrigin request_origin(const HttpRequest& request);

using SessionHandler =
    std::function<HttpResponse(const RequestContext&, const auth::SessionInfo&)>;

struct GuardOptions {
  bool allow_enrolment_only = false;  // reachable before a staff member enrols a factor
};

// A Handler that authenticates the request, then calls `handler` with the session.
// `auth` must outlive the router.
Handler with_session(auth::AuthService& auth, SessionHandler handler, GuardOptions options = {});

// The session cookie for a login response: a browser-session cookie (no Max-Age); the
// server enforces the idle and absolute timeouts itself.
std::string session_cookie(std::string_view token);
std::string clear_session_cookie();

}  // namespace hippocrate::server
