#include "server/routes/care_routes.h"

#include <boost/json.hpp>

#include "access/access_log.h"
#include "server/http_status.h"
#include "server/json_body.h"
#include "server/json_fields.h"
#include "server/query_params.h"
#include "server/routes/route_helpers.h"
#include "server/session_guard.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;

json::object relationship_json(const access::CareRelationship& c, bool for_practitioner) {
  json::object o{{"id", c.id},
                 {"status", c.status},
                 {"created_at", c.created_at},
                 {"activated_at", c.activated_at},
                 {"ended_at", c.ended_at}};
  if (for_practitioner) {
    o["patient"] = json::object{{"id", c.patient_id},
                                {"display_name", c.patient_name},
                                {"email", c.patient_email}};
  } else {
    o["practitioner"] = json::object{{"id", c.practitioner_id},
                                     {"display_name", c.practitioner_name},
                                     {"organisation", c.practitioner_organisation},
                                     {"rpps", c.practitioner_rpps}};
  }
  return o;
}

HttpResponse list_response(const Result<std::vector<access::CareRelationship>>& list,
                           std::string_view key, bool for_practitioner) {
  if (!list) return error_response(list.error());
  json::array out;
  for (const auto& c : *list) out.push_back(relationship_json(c, for_practitioner));
  return json_response(200, json::object{{key, out}});
}

// "?include_ended=true"; anything else (or a malformed query) means active ones only.
bool wants_ended(const HttpRequest& request) {
  auto q = parse_query(request.query);
  if (!q) return false;
  auto it = q->find("include_ended");
  return it != q->end() && it->second == "true";
}

}  // namespace

void add_care_routes(Router& router, auth::AuthService& auth, access::CareRelationships& care,
                     access::PatientRecords& patients, store::Store& store) {
  router.add(session_route("GET", "/api/v1/me/access-log", "account.access_log", auth,
                           [&store](const RequestContext&, const auth::SessionInfo& s) {
                             auto entries = access::patient_access_log(store, s.account.id);
                             if (!entries) return error_response(entries.error());
                             json::array out;
                             for (const auto& e : *entries) {
                               out.push_back(json::object{{"at_ms", e.at_ms},
                                                          {"who", e.actor_name},
                                                          {"role", e.actor_role},
                                                          {"organisation", e.actor_organisation},
                                                          {"action", e.action},
                                                          {"result", e.result},
                                                          {"what", e.what},
                                                          {"description", e.description}});
                             }
                             return json_response(200, json::object{{"entries", out}});
                           }));
  router.add(session_route("GET", "/api/v1/patients", "patients.list", auth,
                           [&care](const RequestContext& ctx, const auth::SessionInfo& s) {
                             return list_response(care.patients_of(s, wants_ended(ctx.request),
                                                                   ctx.request.remote_address),
                                                  "patients", true);
                           }));
  router.add(session_route("GET", "/api/v1/practitioners", "practitioners.list", auth,
                           [&care](const RequestContext& ctx, const auth::SessionInfo& s) {
                             return list_response(
                                 care.practitioners_of(s, wants_ended(ctx.request)),
                                 "practitioners", false);
                           }));
  router.add(session_route("POST", "/api/v1/care-relationships/{id}/end", "care.end", auth,
                           [&care](const RequestContext& ctx, const auth::SessionInfo& s) {
                             auto done =
                                 care.end(s, ctx.params.at("id"), ctx.request.remote_address);
                             if (!done) return error_response(done.error());
                             return no_content();
                           }));
  router.add(session_route("POST", "/api/v1/care-relationships/{id}/accept", "care.accept", auth,
                           [&care](const RequestContext& ctx, const auth::SessionInfo& s) {
                             auto done =
                                 care.accept(s, ctx.params.at("id"), ctx.request.remote_address);
                             if (!done) return error_response(done.error());
                             return no_content();
                           }));
  router.add(session_route(
      "POST", "/api/v1/care-relationships", "care.request", auth,
      [&care](const RequestContext& ctx, const auth::SessionInfo& s) {
        return with_body(ctx, {"patient_email"}, [&](json::object& body) -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(std::string email, required_string(body, "patient_email", 320));
          HIPPO_RETURN_IF_ERROR(care.request_link(s, email, ctx.request.remote_address));
          // The same answer whether or not a patient account exists for this address.
          return json_response(
              202, json::object{{"status", "requested"},
                                {"detail",
                                 "if a patient account uses this address, the patient "
                                 "will see your request; otherwise send an invitation"}});
        });
      }));
  router.add(session_route(
      "GET", "/api/v1/patients/{id}", "patient.read", auth,
      [&patients](const RequestContext& ctx, const auth::SessionInfo& s) {
        auto v = patients.read(s, ctx.params.at("id"), ctx.request.remote_address);
        if (!v) return error_response(v.error());
        json::array care_list;
        for (const auto& c : v->care) {
          care_list.push_back(json::object{
              {"id", c.relationship_id},
              {"practitioner",
               json::object{{"id", c.practitioner_id}, {"display_name", c.practitioner_name}}},
              {"status", c.status},
              {"activated_at", c.activated_at}});
        }
        return json_response(200, json::object{{"id", v->id},
                                               {"display_name", v->display_name},
                                               {"email", v->email},
                                               {"organisation", v->organisation_name},
                                               {"care_relationships", care_list}});
      }));
}

}  // namespace hippocrate::server
