#include "server/routes/delegation_routes.h"

#include <boost/json.hpp>

#include "server/json_fields.h"
#include "server/routes/route_helpers.h"
#include "server/session_guard.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;

json::object delegation_json(const access::Delegation& d) {
  return json::object{{"id", d.id},
                      {"practitioner", json::object{{"id", d.practitioner_id},
                                                    {"display_name", d.practitioner_name}}},
                      {"assistant", json::object{{"id", d.assistant_id},
                                                 {"display_name", d.assistant_name},
                                                 {"email", d.assistant_email}}},
                      {"created_at", d.created_at}};
}

}  // namespace

void add_delegation_routes(Router& router, auth::AuthService& auth,
                           access::Delegations& delegations) {
  router.add(session_route("GET", "/api/v1/delegations", "delegations.list", auth,
                           [&delegations](const RequestContext&, const auth::SessionInfo& s) {
                             auto list = delegations.list(s);
                             if (!list) return error_response(list.error());
                             json::array out;
                             for (const auto& d : *list) out.push_back(delegation_json(d));
                             return json_response(200, json::object{{"delegations", out}});
                           }));
  router.add(session_route(
      "POST", "/api/v1/delegations", "delegation.grant", auth,
      [&delegations](const RequestContext& ctx, const auth::SessionInfo& s) {
        return with_body(ctx, {"assistant_email"}, [&](json::object& body) -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(std::string email, required_string(body, "assistant_email", 320));
          HIPPO_ASSIGN_OR_RETURN(access::Delegation d,
                                 delegations.grant(s, email, ctx.request.remote_address));
          return json_response(201, delegation_json(d));
        });
      }));
  router.add(session_route("POST", "/api/v1/delegations/{id}/revoke", "delegation.revoke", auth,
                           [&delegations](const RequestContext& ctx, const auth::SessionInfo& s) {
                             auto done = delegations.revoke(s, ctx.params.at("id"),
                                                            ctx.request.remote_address);
                             if (!done) return error_response(done.error());
                             return no_content();
                           }));
}

}  // namespace hippocrate::server
