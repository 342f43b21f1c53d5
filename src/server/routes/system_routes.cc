#include "server/routes/system_routes.h"

#include <boost/json.hpp>

#include "base/version.h"
#include "server/http_status.h"
#include "server/json_body.h"

namespace hippocrate::server {

void add_system_routes(Router& router, store::Store& store) {
  router.add(
      Route{"GET",
            "/healthz",
            std::string(kPublicAction),
            [&store](const RequestContext&) {
              if (!store.ping().ok()) {
                return error_response(Error::unavailable(
                    "database_unavailable", "the server is up but cannot reach its database"));
              }
              return json_response(200, boost::json::object{{"status", "ok"}, {"database", "ok"}});
            },
            {}});
  router.add(Route{
      "GET",
      "/api/v1/version",
      std::string(kPublicAction),
      [](const RequestContext&) {
        return json_response(
            200, boost::json::object{{"name", "hippocrate"}, {"version", kVersion}, {"api", "v1"}});
      },
      {}});
}

}  // namespace hippocrate::server
