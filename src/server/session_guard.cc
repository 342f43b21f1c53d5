#include "server/session_guard.h"

#include "access/policy.h"
#include "server/allowed_origins.h"
#include "server/http_status.h"

namespace hippocrate::server {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::string_view> bearer_token(const HttpRequest& request) {
  auto header = request.headers.get("authorization");
  if (!header) return std::nullopt;
  std::string_view v = trim(*header);
  if (v.size() < 7) return std::string_view{};
  std::string scheme(v.substr(0, 7));
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return std::string_view{};
  return trim(v.substr(7));
}

std::optional<std::string_view> cookie_token(const HttpRequest& request) {
  auto header = request.headers.get("cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view pair = trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == kSessionCookie) {
      return trim(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

// A WebSocket opening handshake names "websocket" in Upgrade (RFC 6455 §4.2.1).
bool is_websocket_upgrade(const HttpRequest& request) {
  auto header = request.headers.get("upgrade");
  if (!header) return false;
  std::string v(*header);
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v.find("websocket") != std::string::npos;
}

// Whether a cookie-authenticated request comes from a page the session may be used by
// (allowed_origins.h). A WebSocket handshake is not protected by CORS nor by a CSRF token,
// and browsers always send Origin with it (RFC 6455 §4.1, §10.2): it must carry an allowed
// one. A state-changing request must not carry a foreign one (the CSRF token still applies;
// some browsers send no Origin on same-origin requests).
bool origin_acceptable(const HttpRequest& request, bool safe_method) {
  const auto origin = request.headers.get("origin");
  const bool upgrade = is_websocket_upgrade(request);
  if (!upgrade && (safe_method || !origin)) return true;
  return origin && request.allowed_origins != nullptr &&
         origin_allowed(*request.allowed_origins, *origin);
}

}  // namespace

auth::RequestOrigin request_origin(const HttpRequest& request) {
  auto agent = request.headers.get("user-agent");
  return {request.remote_address, std::string(agent.value_or("")).substr(0, 200)};
}

Result<auth::SessionInfo> guard_session(const RequestContext& ctx, std::string_view action,
                                        auth::AuthService& auth) {
  const auto bearer = bearer_token(ctx.request);
  const auto cookie = bearer ? std::nullopt : cookie_token(ctx.request);
  if (!bearer && !cookie) return Error::unauthenticated("unauthenticated", "log in first");
  HIPPO_ASSIGN_OR_RETURN(auth::SessionInfo session, auth.authenticate(bearer ? *bearer : *cookie,
                                                                      request_origin(ctx.request)));
  const bool safe_method = ctx.request.method == "GET" || ctx.request.method == "HEAD";
  if (cookie && !origin_acceptable(ctx.request, safe_method)) {
    // Audited like an authorization refusal: a foreign page used this user's session.
    (void)auth.audit_refusal(session, action, "origin_not_allowed", request_origin(ctx.request));
    return Error::permission_denied("origin_not_allowed",
                                    "this page's origin may not use your session");
  }
  if (cookie && !safe_method) {
    auto presented = ctx.request.headers.get("x-csrf-token");
    if (!presented || !auth.csrf_token_matches(session, *presented)) {
      return Error::permission_denied("csrf_token_invalid",
                                      "this request is missing its anti-forgery token");
    }
  }
  const access::Subject subject{session.account.id, session.account.organisation_id,
                                session.account.role, session.enrolment_only};
  const access::Decision decision = access::authorize(subject, action);
  if (!decision) {
    // Every authorization refusal is audited (best effort: the refusal stands anyway).
    (void)auth.audit_refusal(session, action, decision.reason, request_origin(ctx.request));
    if (decision.reason == "second_factor_enrolment_required") {
      return Error::permission_denied(
          "second_factor_enrolment_required",
          "set up your authenticator app first (hippocrate mfa enroll)");
    }
    return Error::permission_denied("permission_denied", "your role does not allow this");
  }
  return session;
}

Route session_route(std::string method, std::string path_template, std::string action,
                    auth::AuthService& auth, SessionHandler handler) {
  Handler guarded = [&auth, action, handler = std::move(handler)](const RequestContext& ctx) {
    auto session = guard_session(ctx, action, auth);
    if (!session) return error_response(session.error());
    return handler(ctx, *session);
  };
  return Route{std::move(method),
               std::move(path_template),
               std::move(action),
               std::move(guarded),
               {}};
}

std::string session_cookie(std::string_view token) {
  return std::string(kSessionCookie) + "=" + std::string(token) +
         "; Secure; HttpOnly; SameSite=Strict; Path=/";
}

std::string clear_session_cookie() {
  return std::string(kSessionCookie) + "=; Secure; HttpOnly; SameSite=Strict; Path=/; Max-Age=0";
}

}  // namespace hippocrate::server
