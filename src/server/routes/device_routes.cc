#include "server/routes/device_routes.h"

#include <boost/json.hpp>
#include <cstdint>
#include <utility>

#include "server/json_fields.h"
#include "server/routes/messaging_helpers.h"
#include "server/routes/route_helpers.h"
#include "server/session_guard.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;

// The objects inside prekey bodies (parse_json_body checks their fields).
constexpr JsonField kOneTimePrekey[] = {"id", "key"};

Result<messaging::DeviceListUpdate> list_update(const json::object& body) {
  messaging::DeviceListUpdate u;
  HIPPO_ASSIGN_OR_RETURN(u.blob,
                         required_blob(body, "device_list", messaging::kMaxDeviceListBytes));
  HIPPO_ASSIGN_OR_RETURN(u.version, required_int(body, "device_list_version"));
  HIPPO_ASSIGN_OR_RETURN(u.device_ids,
                         required_ids(body, "device_ids", messaging::kMaxDevicesPerAccount));
  return u;
}

// "one_time_prekeys": [{"id": u32, "key": b64url}], at most kMaxPrekeysPerUpload; absent or
// null: none.
Result<std::vector<messaging::OneTimePrekey>> one_time_prekeys(const json::object& body) {
  std::vector<messaging::OneTimePrekey> out;
  const auto* v = body.if_contains("one_time_prekeys");
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array() || v->get_array().size() > messaging::kMaxPrekeysPerUpload) {
    return invalid_field("one_time_prekeys", "must be an array of at most 200");
  }
  for (const auto& e : v->get_array()) {
    if (!e.is_object()) return invalid_field("one_time_prekeys", "must hold {id, key} objects");
    HIPPO_ASSIGN_OR_RETURN(std::int64_t id, required_int(e.get_object(), "id"));
    if (id < 0 || id > static_cast<std::int64_t>(UINT32_MAX)) {
      return invalid_field("id", "must be a 32-bit unsigned integer");
    }
    HIPPO_ASSIGN_OR_RETURN(Bytes key,
                           required_blob(e.get_object(), "key", messaging::kMaxOneTimePrekeyBytes));
    out.push_back({static_cast<std::uint32_t>(id), std::move(key)});
  }
  return out;
}

json::value nullable_int(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::value nullable_blob(const std::optional<Bytes>& v) {
  return v ? json::value(base64url_encode(*v)) : json::value(nullptr);
}

json::object listing_json(const messaging::DeviceListing& l) {
  json::array devices;
  for (const auto& d : l.devices) {
    devices.push_back(json::object{{"device_id", d.device_id},
                                   {"identity", base64url_encode(d.identity)},
                                   {"registered_at", d.registered_at},
                                   {"revoked_at", nullable_int(d.revoked_at)}});
  }
  return json::object{{"account_id", l.account_id},
                      {"device_list", nullable_blob(l.device_list)},
                      {"device_list_version", l.device_list_version},
                      {"devices", std::move(devices)}};
}

json::object prekey_count_json(const messaging::PrekeyCount& c) {
  return json::object{{"one_time_prekeys", c.one_time},
                      {"signed_prekey_uploaded_at", nullable_int(c.signed_prekey_uploaded_at)}};
}

json::object bundles_json(const messaging::BundleSet& set) {
  json::array bundles;
  for (const auto& b : set.bundles) {
    json::value one_time = nullptr;
    if (b.one_time_prekey) {
      one_time = json::object{{"id", b.one_time_prekey->id},
                              {"key", base64url_encode(b.one_time_prekey->key)}};
    }
    bundles.push_back(json::object{{"device_id", b.device_id},
                                   {"identity", base64url_encode(b.identity)},
                                   {"signed_prekey", nullable_blob(b.signed_prekey)},
                                   {"one_time_prekey", std::move(one_time)}});
  }
  return json::object{{"account_id", set.account_id},
                      {"device_list", nullable_blob(set.device_list)},
                      {"device_list_version", set.device_list_version},
                      {"bundles", std::move(bundles)}};
}

}  // namespace

void add_device_routes(Router& router, auth::AuthService& auth, messaging::MessagingService& svc) {
  // Devices.
  router.add(session_route(
      "PUT", "/api/v1/devices/{device_id}", "device.register", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        return with_body(
            ctx, {"identity", "device_list", "device_list_version", "device_ids"},
            [&](json::object& body) -> Result<HttpResponse> {
              HIPPO_ASSIGN_OR_RETURN(Bytes identity,
                                     required_blob(body, "identity", messaging::kMaxIdentityBytes));
              HIPPO_ASSIGN_OR_RETURN(messaging::DeviceListUpdate list, list_update(body));
              const std::string& device_id = ctx.params.at("device_id");
              HIPPO_ASSIGN_OR_RETURN(
                  messaging::DeviceChange done,
                  svc.devices().register_device(actor_of(ctx, s), device_id, identity, list));
              if (done.mismatch) return mismatch_response(*done.mismatch);
              return json_response(done.changed ? 201 : 200,
                                   json::object{{"device_id", device_id},
                                                {"registered_at", done.registered_at},
                                                {"device_list_version", done.device_list_version}});
            });
      }));
  router.add(session_route(
      "PUT", "/api/v1/me/device-list", "device.register", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        return with_body(
            ctx, {"device_list", "device_list_version", "device_ids"},
            [&](json::object& body) -> Result<HttpResponse> {
              HIPPO_ASSIGN_OR_RETURN(messaging::DeviceListUpdate list, list_update(body));
              HIPPO_ASSIGN_OR_RETURN(messaging::DeviceChange done,
                                     svc.devices().update_device_list(actor_of(ctx, s), list));
              if (done.mismatch) return mismatch_response(*done.mismatch);
              return json_response(200,
                                   json::object{{"device_list_version", done.device_list_version}});
            });
      }));
  router.add(session_route(
      "GET", "/api/v1/me/devices", "device.list", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        return or_error([&]() -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(auto listing, svc.devices().own_devices(actor_of(ctx, s)));
          json::object out = listing_json(listing);
          // One's own current devices carry their prekey counts (as
          // GET …/prekeys/count): a client checks its prekeys with the
          // listing it reads anyway, one request fewer per command.
          for (auto& d : out.at("devices").as_array()) {
            auto& o = d.as_object();
            if (!o.at("revoked_at").is_null()) continue;
            HIPPO_ASSIGN_OR_RETURN(
                messaging::PrekeyCount c,
                svc.prekeys().count(actor_of(ctx, s), std::string(o.at("device_id").as_string())));
            o["prekeys"] = prekey_count_json(c);
          }
          return json_response(200, out);
        });
      }));
  router.add(session_route(
      "GET", "/api/v1/accounts/{account_id}/devices", "device.list", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        return or_error([&]() -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(auto listing, svc.devices().devices_of(
                                                   actor_of(ctx, s), ctx.params.at("account_id")));
          return json_response(200, listing_json(listing));
        });
      }));
  router.add(session_route("GET", "/api/v1/contacts", "contacts.list", auth,
                           [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
                             return or_error([&]() -> Result<HttpResponse> {
                               HIPPO_ASSIGN_OR_RETURN(auto contacts,
                                                      svc.devices().contacts(actor_of(ctx, s)));
                               json::array out;
                               for (const auto& c : contacts) {
                                 out.push_back(json::object{{"account_id", c.account_id},
                                                            {"display_name", c.display_name},
                                                            {"email", c.email},
                                                            {"role", c.role}});
                               }
                               return json_response(200, json::object{{"contacts", out}});
                             });
                           }));
  router.add(session_route("POST", "/api/v1/devices/{device_id}/revoke", "device.revoke", auth,
                           [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
                             return or_error([&]() -> Result<HttpResponse> {
                               HIPPO_RETURN_IF_ERROR(svc.devices().revoke(
                                   actor_of(ctx, s), ctx.params.at("device_id")));
                               return no_content();
                             });
                           }));

  // Prekeys.
  router.add(session_route(
      "PUT", "/api/v1/devices/{device_id}/prekeys", "prekeys.upload", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        return with_body(
            ctx, {"signed_prekey", {"one_time_prekeys", kOneTimePrekey}},
            [&](json::object& body) -> Result<HttpResponse> {
              messaging::PrekeyUpload upload;
              HIPPO_ASSIGN_OR_RETURN(
                  upload.signed_prekey,
                  optional_blob(body, "signed_prekey", messaging::kMaxSignedPrekeyBytes));
              HIPPO_ASSIGN_OR_RETURN(upload.one_time, one_time_prekeys(body));
              HIPPO_ASSIGN_OR_RETURN(
                  std::int64_t stored,
                  svc.prekeys().upload(actor_of(ctx, s), ctx.params.at("device_id"), upload));
              return json_response(200, json::object{{"one_time_prekeys", stored}});
            });
      }));
  router.add(session_route(
      "GET", "/api/v1/devices/{device_id}/prekeys/count", "prekeys.upload", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        return or_error([&]() -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(messaging::PrekeyCount c,
                                 svc.prekeys().count(actor_of(ctx, s), ctx.params.at("device_id")));
          return json_response(200, prekey_count_json(c));
        });
      }));
  router.add(session_route(
      "POST", "/api/v1/accounts/{account_id}/prekey-bundles", "prekeys.claim", auth,
      [&svc](const RequestContext& ctx, const auth::SessionInfo& s) {
        return with_body(ctx, {"device_ids"}, [&](json::object& body) -> Result<HttpResponse> {
          HIPPO_ASSIGN_OR_RETURN(
              auto ids, optional_ids(body, "device_ids", messaging::kMaxDevicesPerAccount));
          HIPPO_ASSIGN_OR_RETURN(
              messaging::BundleSet set,
              svc.prekeys().claim(actor_of(ctx, s), ctx.params.at("account_id"), ids));
          return json_response(200, bundles_json(set));
        });
      }));
}

}  // namespace hippocrate::server
