#include "client/engine/device_setup.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <set>

#include "base/encoding.h"
#include "base/ids.h"
#include "client/engine/device_lists.h"
#include "client/engine/json_fields.h"
#include "e2ee/identity.h"
#include "e2ee/prekeys.h"
#include "e2ee/wire.h"

namespace hippocrate::client {

namespace json = boost::json;

Result<KeystoreData> first_device_state(const std::string& account_id) {
  HIPPO_ASSIGN_OR_RETURN(auto account_key, e2ee::generate_account_key(account_id));
  HIPPO_ASSIGN_OR_RETURN(auto device, e2ee::generate_device_identity(account_id, random_id()));
  KeystoreData data;
  data.device = std::move(device);
  data.contacts[account_id].account_key = account_key.public_key;
  data.own_devices = std::set<std::string>{data.device.pub.device_id};
  data.account_key = std::move(account_key);
  return data;
}

Result<StateAndRequest> sign_own_list(const KeystoreData& data, std::int64_t server_version,
                                      const std::vector<e2ee::DevicePublicIdentity>& devices,
                                      const e2ee::DevicePublicIdentity* added,
                                      std::uint64_t now_seconds) {
  if (!data.account_key || !data.account_key->secret_key) {
    return Error::failed_precondition(
        "account_key_missing",
        "this device does not hold your account key, which signs your device list: run this "
        "on your first device (the one that set up messaging)");
  }
  const std::string& account = data.device.pub.account_id;
  std::uint64_t version = static_cast<std::uint64_t>(std::max<std::int64_t>(0, server_version));
  if (auto it = data.device_list_versions.find(account); it != data.device_list_versions.end()) {
    version = std::max(version, it->second);
  }
  e2ee::DeviceList list{account, version + 1, now_seconds, devices};
  HIPPO_ASSIGN_OR_RETURN(Bytes signed_list, e2ee::sign_device_list(*data.account_key, list));
  StateAndRequest out{data, {}};
  out.next.device_list_versions[account] = list.version;
  // This device makes the change itself: its user knows, no notice for it later.
  out.next.own_devices.emplace();
  json::array ids;
  for (const auto& d : devices) {
    out.next.own_devices->insert(d.device_id);
    ids.emplace_back(d.device_id);
  }
  out.request.body = json::object{{"device_list", base64url_encode(publish_device_list(
                                                      data.account_key->public_key, signed_list))},
                                  {"device_list_version", list.version},
                                  {"device_ids", std::move(ids)}};
  out.request.method = "PUT";
  if (added != nullptr) {
    out.request.body["identity"] = base64url_encode(e2ee::encode_device_identity(*added));
    out.request.path = "/api/v1/devices/" + added->device_id;
  } else {
    out.request.path = "/api/v1/me/device-list";
  }
  return out;
}

Result<std::optional<StateAndRequest>> plan_prekey_upload(const KeystoreData& data,
                                                          const json::object& count,
                                                          std::uint64_t now_seconds,
                                                          e2ee::KeySource& keys) {
  const auto remaining =
      static_cast<std::size_t>(std::max<std::int64_t>(0, json_int(count, "one_time_prekeys")));
  const bool has_signed = count.contains("signed_prekey_uploaded_at") &&
                          !count.at("signed_prekey_uploaded_at").is_null();
  HIPPO_ASSIGN_OR_RETURN(
      e2ee::PrekeyRefresh refresh,
      e2ee::refresh_prekeys(data.device, data.prekeys, remaining, now_seconds, keys));
  std::optional<e2ee::SignedPrekeyPublic> signed_prekey = refresh.new_signed_prekey;
  if (!signed_prekey && !has_signed) {
    if (const auto* current = e2ee::current_signed_prekey(refresh.store))
      signed_prekey = current->pub;
  }
  if (!signed_prekey && refresh.new_one_time_prekeys.empty()) {
    return std::optional<StateAndRequest>();
  }
  StateAndRequest out{data, {}};
  out.next.prekeys = refresh.store;  // the private halves first (prekey_store.h)
  json::object body;
  if (signed_prekey) {
    e2ee::Writer w;
    e2ee::write_signed_prekey(w, *signed_prekey);
    body["signed_prekey"] = base64url_encode(w.bytes());
  }
  json::array one_time;
  for (const auto& k : refresh.new_one_time_prekeys) {
    one_time.push_back(json::object{{"id", k.id}, {"key", base64url_encode(k.public_key)}});
  }
  if (!one_time.empty()) body["one_time_prekeys"] = std::move(one_time);
  out.request = {"PUT", "/api/v1/devices/" + data.device.pub.device_id + "/prekeys",
                 std::move(body)};
  return std::optional<StateAndRequest>(std::move(out));
}

Registration registration_of(const KeystoreData& data, const json::object& own_listing) {
  const auto* devices = own_listing.if_contains("devices");
  if (devices == nullptr || !devices->is_array()) return Registration::kAbsent;
  for (const auto& d : devices->as_array()) {
    if (!d.is_object() || json_string(d.as_object(), "device_id") != data.device.pub.device_id) {
      continue;
    }
    const auto* revoked = d.as_object().if_contains("revoked_at");
    return revoked != nullptr && !revoked->is_null() ? Registration::kRevoked
                                                     : Registration::kRegistered;
  }
  return Registration::kAbsent;
}

}  // namespace hippocrate::client
