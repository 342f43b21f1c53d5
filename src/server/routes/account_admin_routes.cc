#include "server/routes/account_admin_routes.h"

#include <boost/json.hpp>

#include "server/json_fields.h"
#include "server/routes/route_helpers.h"
#include "server/session_guard.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;

json::object account_json(const access::AccountSummary& a) {
  return json::object{{"id", a.id},
                      {"email", a.email},
                      {"display_name", a.display_name},
                      {"role", a.role},
                      {"status", a.status},
                      {"second_factor", a.second_factor},
                      {"created_at", a.created_at},
                      {"rpps", a.rpps}};
}

HttpResponse account_response(const Result<access::AccountSummary>& a) {
  if (!a) return error_response(a.error());
  return json_response(200, account_json(*a));
}

}  // namespace

void add_account_admin_routes(Router& router, auth::AuthService& auth,
                              access::OrganisationAccounts& accounts) {
  router.add(session_route("GET", "/api/v1/accounts", "accounts.list", auth,
                           [&accounts](const RequestContext&, const auth::SessionInfo& s) {
                             auto list = accounts.list(s);
                             if (!list) return error_response(list.error());
                             json::array out;
                             for (const auto& a : *list) out.push_back(account_json(a));
                             return json_response(200, json::object{{"accounts", out}});
                           }));
  router.add(session_route("GET", "/api/v1/accounts/{id}", "account.read", auth,
                           [&accounts](const RequestContext& ctx, const auth::SessionInfo& s) {
                             return account_response(
                                 accounts.read(s, ctx.params.at("id"), ctx.request.remote_address));
                           }));
  for (const bool enable : {false, true}) {
    router.add(session_route(
        "POST", enable ? "/api/v1/accounts/{id}/enable" : "/api/v1/accounts/{id}/disable",
        enable ? "account.enable" : "account.disable", auth,
        [&accounts, &auth, enable](const RequestContext& ctx, const auth::SessionInfo& s) {
          auto done =
              accounts.set_enabled(s, ctx.params.at("id"), enable, ctx.request.remote_address);
          // Disabled: its sessions ended in the store; their live connections end too.
          if (done && !enable) auth.notify_sessions_ended({done->id, {}, {}});
          return account_response(done);
        }));
  }
  router.add(session_route(
      "PUT", "/api/v1/accounts/{id}/rpps", "account.set_rpps", auth,
      [&accounts](const RequestContext& ctx, const auth::SessionInfo& s) {
        return with_body(ctx, {"rpps"}, [&](json::object& body) -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(std::string rpps, required_string(body, "rpps", 32));
          HIPPO_ASSIGN_OR_RETURN(
              auto a, accounts.set_rpps(s, ctx.params.at("id"), rpps, ctx.request.remote_address));
          return json_response(200, account_json(a));
        });
      }));
}

}  // namespace hippocrate::server
