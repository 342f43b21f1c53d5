#include "client/engine/device_lists.h"

#include <algorithm>

#include "base/encoding.h"
#include "client/engine/json_fields.h"
#include "e2ee/errors.h"

namespace hippocrate::client {
namespace {

constexpr std::uint8_t kPublishedListFormat = 0x01;

}  // namespace

Bytes publish_device_list(const e2ee::PublicKey& account_key,
                          std::span<const std::uint8_t> signed_list) {
  Bytes out;
  out.reserve(1 + account_key.size() + signed_list.size());
  out.push_back(kPublishedListFormat);
  out.insert(out.end(), account_key.begin(), account_key.end());
  out.insert(out.end(), signed_list.begin(), signed_list.end());
  return out;
}

Result<VerifiedDevices> verify_listing(KeystoreData& data, const std::string& own_account,
                                       const std::string& account_id,
                                       const boost::json::object& listing) {
  const std::string text = json_string(listing, "device_list");
  if (text.empty()) {
    return Error::failed_precondition("no_recipient_devices",
                                      "no device list: encrypted messaging is not set up");
  }
  auto blob = base64url_decode(text);
  if (!blob || blob->size() < 1 + e2ee::kKeyBytes) return e2ee::errors::malformed("device list");
  if ((*blob)[0] != kPublishedListFormat) return e2ee::errors::unknown_version("device list");
  VerifiedDevices v;
  std::copy_n(blob->begin() + 1, e2ee::kKeyBytes, v.account_key.begin());
  const std::span<const std::uint8_t> signed_list(blob->data() + 1 + e2ee::kKeyBytes,
                                                  blob->size() - 1 - e2ee::kKeyBytes);
  auto pinned = data.contacts.find(account_id);
  if (account_id == own_account) {
    // Never learnt from the server: the first device made it, a paired one was told.
    if (pinned == data.contacts.end()) {
      return Error::failed_precondition("device_not_paired", "this device is not paired yet");
    }
    v.account_key = pinned->second.account_key;
  } else if (pinned == data.contacts.end()) {
    data = observe_account_key(std::move(data), account_id, v.account_key);  // first use
  } else if (pinned->second.account_key != v.account_key) {
    // Verified or not, the change blocks sending until the user accepts it (protocol.md
    // §2.2): whoever can write the server's database can swap an account key and the
    // devices it signs, and the first message after the swap would go to the impostor.
    data = observe_account_key(std::move(data), account_id, v.account_key);
    data.device_list_versions.erase(account_id);  // a new key starts a new list history
  }
  std::uint64_t last_seen = 0;
  if (auto it = data.device_list_versions.find(account_id); it != data.device_list_versions.end()) {
    last_seen = it->second;
  }
  HIPPO_ASSIGN_OR_RETURN(
      v.signed_list, e2ee::verify_device_list(signed_list, v.account_key, account_id, last_seen));
  data.device_list_versions[account_id] = v.signed_list.version;
  v.server_version = json_int(listing, "device_list_version");
  std::set<std::string> routed;
  if (const auto* devices = listing.if_contains("devices"); devices && devices->is_array()) {
    for (const auto& d : devices->as_array()) {
      if (!d.is_object()) continue;
      const auto* revoked = d.as_object().if_contains("revoked_at");
      if (revoked != nullptr && !revoked->is_null()) continue;
      const std::string id = json_string(d.as_object(), "device_id");
      routed.insert(id);
      v.registered_at[id] = json_int(d.as_object(), "registered_at");
    }
  }
  // Only devices both signed and routed are sent to: the server can withhold a device
  // (it will not deliver to it anyway) but never add one.
  v.current = v.signed_list;
  std::erase_if(v.current.devices, [&](const auto& d) { return !routed.contains(d.device_id); });
  return v;
}

OwnDeviceChanges own_device_changes(const KeystoreData& data, const VerifiedDevices& own) {
  std::set<std::string> current;
  for (const auto& d : own.current.devices) current.insert(d.device_id);
  OwnDeviceChanges out;
  if (!data.own_devices) {
    out.changed = true;  // first check (an older keystore): recorded, nothing to tell
    return out;
  }
  out.changed = *data.own_devices != current;
  for (const auto& id : current) {
    if (!data.own_devices->contains(id) && id != data.device.pub.device_id) out.added.push_back(id);
  }
  for (const auto& id : *data.own_devices) {
    if (!current.contains(id)) out.removed.push_back(id);
  }
  return out;
}

}  // namespace hippocrate::client
