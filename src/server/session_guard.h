// SessionGuard: turns a request's credentials into an authenticated session, asks the
// policy decision point (access/policy.h) whether its role may perform the route's action,
// and only then calls the handler.
//
// Credentials: `Authorization: Bearer TOKEN` (CLI, scripts) or the browser cookie
// `__Host-hippocrate_session=TOKEN`. Cookie-authenticated requests other than GET/HEAD must
// carry `X-CSRF-Token` (403 "csrf_token_invalid"); bearer requests cannot be forged by a
// third-party page, so they need none. A cookie-authenticated WebSocket upgrade must carry
// an Origin of `server.allowed_origins`, and a cookie-authenticated state-changing request
// carrying an Origin must carry one of those (403 "origin_not_allowed", audited like an
// authorization refusal; allowed_origins.h); bearer requests are not checked. Refusals:
// 403 "second_factor_enrolment_required" (staff before enrolment), 403 "permission_denied"
// (the role may not), never the handler.
#pragma once

#include <functional>

#include "auth/auth_service.h"
#include "server/router.h"

namespace hippocrate::server {

inline constexpr std::string_view kSessionCookie = "__Host-hippocrate_session";

auth::RequestOrigin request_origin(const HttpRequest& request);

using SessionHandler = std::function<HttpResponse(const RequestContext&, const auth::SessionInfo&)>;

// The checks of a protected route, in order: the credentials, the Origin and CSRF token of
// a cookie session, then whether the session's role may perform `action`. The session, or
// the refusal (audited where said above) as an Error.
Result<auth::SessionInfo> guard_session(const RequestContext& ctx, std::string_view action,
                                        auth::AuthService& auth);

// A protected route: `action` is both the route's declared action and what the policy
// decision point checks (guard_session); a refusal is answered as its error response,
// never by the handler. `auth` must outlive the router.
Route session_route(std::string method, std::string path_template, std::string action,
                    auth::AuthService& auth, SessionHandler handler);

// The session cookie for a login response: a browser-session cookie (no Max-Age); the
// server enforces the idle and absolute timeouts itself.
std::string session_cookie(std::string_view token);
std::string clear_session_cookie();

}  // namespace hippocrate::server
