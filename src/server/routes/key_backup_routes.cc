#include "server/routes/key_backup_routes.h"

#include <boost/json.hpp>

#include "server/json_fields.h"
#include "server/routes/messaging_helpers.h"
#include "server/routes/route_helpers.h"
#include "server/session_guard.h"

namespace hippocrate::server {

namespace json = boost::json;

void add_key_backup_routes(Router& router, auth::AuthService& auth,
                           messaging::KeyBackups& backups) {
  router.add(session_route(
      "PUT", "/api/v1/me/key-backup", "key_backup.store", auth,
      [&backups](const RequestContext& ctx, const auth::SessionInfo& s) {
        return with_body(
            ctx, {"backup", "version"}, [&](json::object& body) -> Result<HttpResponse> {
              HIPPO_ASSIGN_OR_RETURN(Bytes blob,
                                     required_blob(body, "backup", messaging::kMaxKeyBackupBytes));
              HIPPO_ASSIGN_OR_RETURN(std::int64_t version, required_int(body, "version"));
              HIPPO_ASSIGN_OR_RETURN(
                  std::int64_t stored,
                  backups.store(actor_of(ctx, s), s.step_up_until, blob, version));
              return json_response(200, json::object{{"version", stored}});
            });
      }));
  router.add(session_route(
      "GET", "/api/v1/me/key-backup", "key_backup.read", auth,
      [&backups](const RequestContext& ctx, const auth::SessionInfo& s) {
        return or_error([&]() -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(auto b, backups.read(actor_of(ctx, s), s.step_up_until));
          return json_response(200, json::object{{"backup", base64url_encode(b.backup)},
                                                 {"version", b.version},
                                                 {"updated_at", b.updated_at}});
        });
      }));
  router.add(session_route("DELETE", "/api/v1/me/key-backup", "key_backup.delete", auth,
                           [&backups](const RequestContext& ctx, const auth::SessionInfo& s) {
                             return or_error([&]() -> Result<HttpResponse> {
                               HIPPO_RETURN_IF_ERROR(
                                   backups.remove(actor_of(ctx, s), s.step_up_until));
                               return no_content();
                             });
                           }));
}

}  // namespace hippocrate::server
