#include "server/routes/key_backup_routes.h"

#include <boost/json.hpp>

#include <climits>

#include "server/json_fields.h"
#include "server/routes/route_helpers.h"
#include "server/session_guard.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;

messaging::Actor actor_of(const RequestContext& ctx, const auth::SessionInfo& s) {
  return messaging::Actor{s.account.id, s.account.organisation_id, s.account.role,
                          s.session_id, ctx.request.remote_address};
}

Error invalid(std::string_view key, std::string_view what) {
  return Error::invalid_argument("invalid_field",
                                 "the field '" + std::string(key) + "' " + std::string(what));
}

// The backup blob: base64url without padding, bounded before decoding.
Result<Bytes> backup_field(const json::object& body) {
  constexpr std::size_t kMaxText = (messaging::kMaxKeyBackupBytes * 4 + 2) / 3;
  HIPPO_ASSIGN_OR_RETURN(std::string text, required_string(body, "backup", kMaxText));
  auto bytes = base64url_decode(text);
  if (!bytes) return invalid("backup", "must be base64url without padding");
  return std::move(*bytes);
}

Result<std::int64_t> version_field(const json::object& body) {
  const auto* v = body.if_contains("version");
  if (v == nullptr || v->is_null()) {
    return Error::invalid_argument("missing_field", "the field 'version' is required");
  }
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  return invalid("version", "must be an integer");
}

}  // namespace

void add_key_backup_routes(Router& router, auth::AuthService& auth,
                           messaging::KeyBackups& backups) {
  router.add(session_route(
      "PUT", "/api/v1/me/key-backup", "key_backup.store", auth,
      [&backups](const RequestContext& ctx, const auth::SessionInfo& s) {
        return with_body(ctx, {"backup", "version"}, [&](json::object& body) -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(Bytes blob, backup_field(body));
          HIPPO_ASSIGN_OR_RETURN(std::int64_t version, version_field(body));
          HIPPO_ASSIGN_OR_RETURN(std::int64_t stored,
                                 backups.store(actor_of(ctx, s), s.step_up_until, blob, version));
          return json_response(200, json::object{{"version", stored}});
        });
      }));
  router.add(session_route("GET", "/api/v1/me/key-backup", "key_backup.read", auth,
                           [&backups](const RequestContext& ctx, const auth::SessionInfo& s) {
                             auto b = backups.read(actor_of(ctx, s), s.step_up_until);
                             if (!b) return error_response(b.error());
                             return json_response(
                                 200, json::object{{"backup", base64url_encode(b->backup)},
                                                   {"version", b->version},
                                                   {"updated_at", b->updated_at}});
                           }));
  router.add(session_route("DELETE", "/api/v1/me/key-backup", "key_backup.delete", auth,
                           [&backups](const RequestContext& ctx, const auth::SessionInfo& s) {
                             auto done = backups.remove(actor_of(ctx, s), s.step_up_until);
                             if (!done) return error_response(done.error());
                             return no_content();
                           }));
}

}  // namespace hippocrate::server
