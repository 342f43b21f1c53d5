#include "server/routes/auth_routes.h"

#include <boost/json.hpp>

#include "auth/recovery_codes.h"
#include "server/http_status.h"
#include "server/json_body.h"
#include "server/json_fields.h"
#include "server/routes/route_helpers.h"
#include "server/session_guard.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;
using auth::SessionInfo;

json::object account_json(const auth::AccountView& a) {
  return {{"id", a.id},
          {"email", a.email},
          {"display_name", a.display_name},
          {"role", auth::role_name(a.role)},
          {"organisation", {{"id", a.organisation_id}, {"name", a.organisation_name}}},
          {"second_factor", a.second_factor}};
}

json::object session_json(const SessionInfo& s) {
  return {{"id", s.session_id},
          {"second_factor_verified", s.second_factor_verified},
          {"enrolment_only", s.enrolment_only},
          {"step_up_until", s.step_up_until},
          {"idle_expires_at", s.idle_expires_at},
          {"absolute_expires_at", s.absolute_expires_at}};
}

Result<auth::SecondFactor> second_factor(json::object& body) {
  auth::SecondFactor f;
  HIPPO_ASSIGN_OR_RETURN(f.totp_code, optional_string(body, "totp_code", 16));
  HIPPO_ASSIGN_OR_RETURN(f.recovery_code, optional_string(body, "recovery_code", 64));
  if (f.totp_code && f.recovery_code) {
    return Error::invalid_argument("invalid_field",
                                   "send either totp_code or recovery_code, not both");
  }
  return f;
}

}  // namespace

HttpResponse login_response(auth::AuthService& auth, const auth::LoginResult& r, int status) {
  json::object body{{"token", r.token.text.view()},
                    {"csrf_token", auth.csrf_token(r.session)},
                    {"session", session_json(r.session)},
                    {"account", account_json(r.session.account)}};
  HttpResponse res = json_response(status, body);
  res.headers.set("set-cookie", session_cookie(r.token.text.view()));
  return res;
}

void add_auth_routes(Router& router, auth::AuthService& auth) {
  router.add(Route{
      "POST",
      "/api/v1/invitations/accept",
      std::string(kPublicAction),
      [&auth](const RequestContext& ctx) {
        return with_body(
            ctx, {"token", "display_name", "email", "password"},
            [&](json::object& body) -> Result<HttpResponse> {
              HIPPO_ASSIGN_OR_RETURN(std::string token, required_string(body, "token", 64));
              HIPPO_ASSIGN_OR_RETURN(std::string name, required_string(body, "display_name", 200));
              HIPPO_ASSIGN_OR_RETURN(auto email, optional_string(body, "email", 254));
              HIPPO_ASSIGN_OR_RETURN(SecretBytes password, take_secret(body, "password"));
              HIPPO_ASSIGN_OR_RETURN(auto account,
                                     auth.accept_invitation(token, name, password,
                                                            request_origin(ctx.request), email));
              return json_response(201, json::object{{"account", account_json(account)}});
            });
      },
      {}});

  router.add(Route{
      "POST",
      "/api/v1/sessions",
      std::string(kPublicAction),
      [&auth](const RequestContext& ctx) {
        return with_body(
            ctx, {"email", "password", "totp_code", "recovery_code"},
            [&](json::object& body) -> Result<HttpResponse> {
              HIPPO_ASSIGN_OR_RETURN(std::string email, required_string(body, "email", 320));
              HIPPO_ASSIGN_OR_RETURN(SecretBytes password, take_secret(body, "password"));
              HIPPO_ASSIGN_OR_RETURN(auto factor, second_factor(body));
              HIPPO_ASSIGN_OR_RETURN(
                  auto login, auth.login(email, password, factor, request_origin(ctx.request)));
              return login_response(auth, login, 201);
            });
      },
      {}});

  router.add(session_route("DELETE", "/api/v1/sessions/current", "session.logout", auth,
                           [&auth](const RequestContext&, const SessionInfo& s) {
                             auto done = auth.logout(s);
                             if (!done) return error_response(done.error());
                             HttpResponse r = no_content();
                             r.headers.set("set-cookie", clear_session_cookie());
                             return r;
                           }));

  router.add(session_route("GET", "/api/v1/me", "account.read_self", auth,
                           [](const RequestContext&, const SessionInfo& s) {
                             return json_response(200,
                                                  json::object{{"account", account_json(s.account)},
                                                               {"session", session_json(s)}});
                           }));

  router.add(session_route(
      "POST", "/api/v1/me/step-up", "session.step_up", auth,
      [&auth](const RequestContext& ctx, const SessionInfo& s) {
        return with_body(
            ctx, {"password", "totp_code", "recovery_code"},
            [&](json::object& body) -> Result<HttpResponse> {
              HIPPO_ASSIGN_OR_RETURN(SecretBytes password, take_secret(body, "password"));
              HIPPO_ASSIGN_OR_RETURN(auto factor, second_factor(body));
              HIPPO_ASSIGN_OR_RETURN(
                  auto r, auth.step_up(s, password, factor, request_origin(ctx.request)));
              return login_response(auth, r, 200);
            });
      }));

  router.add(session_route(
      "PUT", "/api/v1/me/password", "account.change_password", auth,
      [&auth](const RequestContext& ctx, const SessionInfo& s) {
        return with_body(ctx, {"new_password"}, [&](json::object& body) -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(SecretBytes password, take_secret(body, "new_password"));
          HIPPO_RETURN_IF_ERROR(auth.change_password(s, password, request_origin(ctx.request)));
          return no_content();
        });
      }));

  router.add(session_route("POST", "/api/v1/me/mfa/totp", "mfa.enroll", auth,
                           [&auth](const RequestContext&, const SessionInfo& s) {
                             auto e = auth.begin_totp_enrolment(s);
                             if (!e) return error_response(e.error());
                             return json_response(201, json::object{{"otpauth_uri", e->otpauth_uri},
                                                                    {"secret", e->secret_base32}});
                           }));

  router.add(session_route(
      "POST", "/api/v1/me/mfa/totp/confirm", "mfa.enroll", auth,
      [&auth](const RequestContext& ctx, const SessionInfo& s) {
        return with_body(ctx, {"code"}, [&](json::object& body) -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(std::string code, required_string(body, "code", 16));
          HIPPO_ASSIGN_OR_RETURN(auto codes,
                                 auth.confirm_totp(s, code, request_origin(ctx.request)));
          json::array list;
          for (const auto& c : codes) list.emplace_back(auth::format_recovery_code(c.view()));
          return json_response(200, json::object{{"recovery_codes", list}});
        });
      }));

  router.add(session_route("GET", "/api/v1/me/sessions", "session.list", auth,
                           [&auth](const RequestContext&, const SessionInfo& s) {
                             auto list = auth.list_sessions(s);
                             if (!list) return error_response(list.error());
                             json::array out;
                             for (const auto& x : *list) {
                               out.push_back(json::object{{"id", x.id},
                                                          {"created_at", x.created_at},
                                                          {"last_seen_at", x.last_seen_at},
                                                          {"source_address", x.source_address},
                                                          {"user_agent", x.user_agent},
                                                          {"current", x.current}});
                             }
                             return json_response(200, json::object{{"sessions", out}});
                           }));

  router.add(session_route("DELETE", "/api/v1/me/sessions/{id}", "session.revoke", auth,
                           [&auth](const RequestContext& ctx, const SessionInfo& s) {
                             auto done = auth.revoke_session(s, ctx.params.at("id"),
                                                             request_origin(ctx.request));
                             if (!done) return error_response(done.error());
                             return no_content();
                           }));

  router.add(session_route("GET", "/api/v1/me/security-events", "account.security_events", auth,
                           [&auth](const RequestContext&, const SessionInfo& s) {
                             auto events = auth.security_events(s, 100);
                             if (!events) return error_response(events.error());
                             json::array out;
                             for (const auto& e : *events) {
                               out.push_back(json::object{{"kind", e.kind},
                                                          {"at", e.at},
                                                          {"source_address", e.source_address},
                                                          {"detail", e.detail}});
                             }
                             return json_response(200, json::object{{"events", out}});
                           }));

  router.add(session_route(
      "POST", "/api/v1/accounts/unlock", "account.unlock", auth,
      [&auth](const RequestContext& ctx, const SessionInfo& s) {
        return with_body(ctx, {"email"}, [&](json::object& body) -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(std::string email, required_string(body, "email", 320));
          HIPPO_RETURN_IF_ERROR(auth.unlock_account(s, email, request_origin(ctx.request)));
          return no_content();
        });
      }));

  router.add(session_route(
      "POST", "/api/v1/invitations", "invitation.create", auth,
      [&auth](const RequestContext& ctx, const SessionInfo& s) {
        return with_body(ctx, {"email", "role"}, [&](json::object& body) -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(std::string email, required_string(body, "email", 320));
          HIPPO_ASSIGN_OR_RETURN(std::string role_text, required_string(body, "role", 32));
          auto role = auth::parse_role(role_text);
          if (!role) {
            return Error::invalid_argument(
                "invalid_role", "role must be admin, practitioner, assistant, patient or auditor");
          }
          HIPPO_ASSIGN_OR_RETURN(auto inv,
                                 auth.invite(s, email, *role, request_origin(ctx.request)));
          return json_response(201, json::object{{"invitation_id", inv.invitation_id},
                                                 {"token", inv.token.text.view()},
                                                 {"email", inv.email},
                                                 {"role", auth::role_name(inv.role)},
                                                 {"expires_at", inv.expires_at}});
        });
      }));

  router.add(session_route("GET", "/api/v1/invitations", "invitations.list", auth,
                           [&auth](const RequestContext&, const SessionInfo& s) {
                             return or_error([&]() -> Result<HttpResponse> {
                               HIPPO_ASSIGN_OR_RETURN(auto list, auth.pending_invitations(s));
                               json::array out;
                               for (const auto& i : list) {
                                 out.push_back(json::object{{"id", i.id},
                                                            {"email", i.email},
                                                            {"role", auth::role_name(i.role)},
                                                            {"invited_by", i.invited_by},
                                                            {"created_at", i.created_at},
                                                            {"expires_at", i.expires_at}});
                               }
                               return json_response(200, json::object{{"invitations", out}});
                             });
                           }));

  router.add(session_route("POST", "/api/v1/invitations/{id}/revoke", "invitation.revoke", auth,
                           [&auth](const RequestContext& ctx, const SessionInfo& s) {
                             return or_error([&]() -> Result<HttpResponse> {
                               HIPPO_RETURN_IF_ERROR(auth.revoke_invitation(
                                   s, ctx.params.at("id"), request_origin(ctx.request)));
                               return no_content();
                             });
                           }));

  router.add(session_route(
      "PUT", "/api/v1/organisation", "organisation.rename", auth,
      [&auth](const RequestContext& ctx, const SessionInfo& s) {
        return with_body(ctx, {"name"}, [&](json::object& body) -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(std::string name, required_string(body, "name", 200));
          HIPPO_RETURN_IF_ERROR(auth.rename_organisation(s, name, request_origin(ctx.request)));
          return json_response(200, json::object{{"name", name}});
        });
      }));
}

}  // namespace hippocrate::server
