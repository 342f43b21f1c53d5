#include "server/routes/messaging_helpers.h"

#include <boost/json.hpp>

#include "server/json_body.h"

namespace hippocrate::server {

namespace json = boost::json;

messaging::Actor actor_of(const RequestContext& ctx, const auth::SessionInfo& session) {
  return messaging::Actor{session.account.id, session.account.organisation_id, session.account.role,
                          session.session_id, ctx.request.remote_address};
}

HttpResponse mismatch_response(const messaging::DeviceMap& devices) {
  json::object by_account;
  for (const auto& [account, ids] : devices) {
    json::array a;
    for (const auto& id : ids) a.emplace_back(id);
    by_account[account] = std::move(a);
  }
  json::object body{
      {"error", json::object{{"code", "device_list_mismatch"},
                             {"message", "the devices do not match the current device lists"}}},
      {"devices", std::move(by_account)}};
  return json_response(409, body);
}

}  // namespace hippocrate::server
