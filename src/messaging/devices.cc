#include "messaging/devices.h"

#include <algorithm>
#include <set>

#include "base/ids.h"
#include "messaging/audit_records.h"
#include "messaging/contact_policy.h"
#include "store/row_decode.h"

namespace hippocrate::messaging {
namespace {

Error invalid(std::string_view field, std::string_view what) {
  return Error::invalid_argument("invalid_field",
                                 "the field '" + std::string(field) + "' " + std::string(what));
}

Status validate_list(const DeviceListUpdate& list) {
  if (list.blob.empty() || list.blob.size() > kMaxDeviceListBytes) {
    return invalid("device_list", "must hold 1 to 16384 bytes");
  }
  if (list.version < 1) return invalid("device_list_version", "must be a positive integer");
  if (list.device_ids.size() > kMaxDevicesPerAccount) {
    return Error::conflict("too_many_devices", "an account has at most 16 devices");
  }
  std::set<std::string> seen;
  for (const auto& id : list.device_ids) {
    if (!is_valid_id(id)) return invalid("device_ids", "must hold 32-hex device ids");
    if (!seen.insert(id).second) return invalid("device_ids", "must not repeat an id");
  }
  return ok_status();
}

Result<std::vector<DeviceInfo>> read_devices(store::Transaction& tx, const std::string& account_id,
                                             bool include_revoked) {
  HIPPO_ASSIGN_OR_RETURN(auto rows,
                         tx.query("SELECT id, identity, registered_at, revoked_at FROM devices "
                                  "WHERE account_id = ? AND (? = 1 OR revoked_at IS NULL) "
                                  "ORDER BY registered_at, id",
                                  {account_id, std::int64_t{include_revoked ? 1 : 0}}));
  return store::decode_rows<DeviceInfo>(rows, [](const store::Row& row, DeviceInfo& d) {
    return store::read_columns(row, d.device_id, d.identity, d.registered_at, d.revoked_at);
  });
}

Result<DeviceListing> listing(store::Transaction& tx, const std::string& account_id,
                              bool include_revoked) {
  DeviceListing out;
  out.account_id = account_id;
  HIPPO_ASSIGN_OR_RETURN(auto list, stored_device_list(tx, account_id));
  if (list) {
    out.device_list = std::move(list->first);
    out.device_list_version = list->second;
  }
  HIPPO_ASSIGN_OR_RETURN(out.devices, read_devices(tx, account_id, include_revoked));
  return out;
}

}  // namespace

Error device_not_found() {
  return Error::not_found("device_not_found", "no such active device of yours");
}

Result<std::vector<std::string>> current_devices(store::Transaction& tx,
                                                 const std::string& account_id) {
  HIPPO_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT id FROM devices WHERE account_id = ? AND "
                                             "revoked_at IS NULL ORDER BY id",
                                             {account_id}));
  return store::decode_rows<std::string>(
      rows, [](const store::Row& row, std::string& id) { return store::read_columns(row, id); });
}

Status require_own_device(store::Transaction& tx, const Actor& actor,
                          const std::string& device_id) {
  if (!is_valid_id(device_id)) return device_not_found();
  HIPPO_ASSIGN_OR_RETURN(auto row,
                         tx.query_one("SELECT 1 FROM devices WHERE id = ? AND account_id = ? "
                                      "AND revoked_at IS NULL",
                                      {device_id, actor.account_id}));
  if (!row) return device_not_found();
  return ok_status();
}

Result<std::optional<std::pair<Bytes, std::int64_t>>> stored_device_list(
    store::Transaction& tx, const std::string& account_id) {
  HIPPO_ASSIGN_OR_RETURN(
      auto row,
      tx.query_one("SELECT blob, version FROM device_lists WHERE account_id = ?", {account_id}));
  if (!row) return std::optional<std::pair<Bytes, std::int64_t>>();
  std::pair<Bytes, std::int64_t> list;
  HIPPO_RETURN_IF_ERROR(store::read_columns(*row, list.first, list.second));
  return std::optional<std::pair<Bytes, std::int64_t>>(std::move(list));
}

Result<DeviceChange> DeviceDirectory::register_device(const Actor& actor,
                                                      const std::string& device_id,
                                                      const Bytes& identity,
                                                      const DeviceListUpdate& list) {
  if (!is_valid_id(device_id)) return device_not_found();
  if (identity.empty() || identity.size() > kMaxIdentityBytes) {
    return invalid("identity", "must hold 1 to 512 bytes");
  }
  return change(actor, &device_id, &identity, list);
}

Result<DeviceChange> DeviceDirectory::update_device_list(const Actor& actor,
                                                         const DeviceListUpdate& list) {
  return change(actor, nullptr, nullptr, list);
}

Result<DeviceChange> DeviceDirectory::change(const Actor& actor, const std::string* device_id,
                                             const Bytes* identity, const DeviceListUpdate& list) {
  HIPPO_RETURN_IF_ERROR(validate_list(list));
  const std::int64_t now = unix_seconds(clock_.now());
  return store_.write([&](store::Transaction& tx) -> Result<DeviceChange> {
    DeviceChange out;
    bool new_device = false;
    if (device_id != nullptr) {
      HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT account_id, identity, revoked_at, "
                                                    "registered_at FROM devices WHERE id = ?",
                                                    {*device_id}));
      if (row) {
        HIPPO_ASSIGN_OR_RETURN(std::string owner, row->text(0));
        HIPPO_ASSIGN_OR_RETURN(Bytes stored_identity, row->blob(1));
        HIPPO_ASSIGN_OR_RETURN(auto revoked_at, row->optional_int64(2));
        HIPPO_ASSIGN_OR_RETURN(out.registered_at, row->int64(3));
        if (owner != actor.account_id || stored_identity != *identity) {
          return Error::conflict("device_id_taken", "this device id is already registered");
        }
        if (revoked_at) {
          return Error::conflict("device_revoked", "this device was revoked; register a new one");
        }
      } else {
        new_device = true;
        out.registered_at = now;
      }
    }
    HIPPO_ASSIGN_OR_RETURN(auto current, current_devices(tx, actor.account_id));
    if (new_device) {
      if (current.size() >= kMaxDevicesPerAccount) {
        return Error::conflict("too_many_devices", "an account has at most 16 devices");
      }
      current.push_back(*device_id);
      std::sort(current.begin(), current.end());
    }
    auto named = list.device_ids;
    std::sort(named.begin(), named.end());
    if (named != current) {
      if (new_device) current.erase(std::find(current.begin(), current.end(), *device_id));
      out.mismatch = DeviceMap{{actor.account_id, std::move(current)}};
      return out;
    }
    HIPPO_ASSIGN_OR_RETURN(auto stored, stored_device_list(tx, actor.account_id));
    const std::int64_t stored_version = stored ? stored->second : 0;
    out.device_list_version = list.version;
    if (stored && list.version == stored_version && list.blob == stored->first && !new_device) {
      return out;  // the same request again
    }
    if (list.version <= stored_version) {
      return Error::conflict("stale_device_list_version",
                             "the device list version must grow with each new list");
    }
    if (new_device) {
      HIPPO_RETURN_IF_ERROR(
          tx.execute("INSERT INTO devices (id, account_id, identity, registered_at, revoked_at) "
                     "VALUES (?, ?, ?, ?, NULL)",
                     {*device_id, actor.account_id, *identity, now}));
      // The account's first device is registered by its own session, which acts as it from
      // now on (unless it acts as another already: the first wins, as bind_session). A
      // later device is registered by an approving device (`devices approve`, with its
      // prekeys), whose session must not become the new device's — revoking the new device
      // would sign the approving one out; the new device's session binds at its first use
      // (socket, mailbox, send).
      if (current.size() == 1) {
        HIPPO_RETURN_IF_ERROR(
            tx.execute("UPDATE sessions SET device_id = ? WHERE id = ? AND account_id = ? AND "
                       "device_id IS NULL",
                       {*device_id, actor.session_id, actor.account_id}));
      }
    }
    if (stored) {
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "UPDATE device_lists SET version = ?, blob = ?, updated_at = ? WHERE account_id = ?",
          {list.version, list.blob, now, actor.account_id}));
    } else {
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "INSERT INTO device_lists (account_id, version, blob, updated_at) VALUES (?, ?, ?, ?)",
          {actor.account_id, list.version, list.blob, now}));
    }
    const std::string detail = "list_version=" + std::to_string(list.version) +
                               ",devices=" + std::to_string(current.size());
    if (new_device) {
      HIPPO_RETURN_IF_ERROR(audit_.append(
          tx, detail::record(actor, "device.register", detail::device_resource(*device_id),
                             "succeeded", detail, *device_id)));
    } else {
      HIPPO_RETURN_IF_ERROR(audit_.append(
          tx, detail::record(actor, "device.list.update",
                             detail::account_resource(actor.account_id), "succeeded", detail)));
    }
    out.changed = true;
    return out;
  });
}

Status DeviceDirectory::revoke(const Actor& actor, const std::string& device_id) {
  if (!is_valid_id(device_id)) return device_not_found();
  const std::int64_t now = unix_seconds(clock_.now());
  HIPPO_RETURN_IF_ERROR(store_.write([&](store::Transaction& tx) -> Status {
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t n,
        tx.execute("UPDATE devices SET revoked_at = ? WHERE id = ? AND account_id = ? AND "
                   "revoked_at IS NULL",
                   {now, device_id, actor.account_id}));
    if (n != 1) return device_not_found();
    HIPPO_ASSIGN_OR_RETURN(std::int64_t dropped,
                           tx.execute("DELETE FROM mailbox WHERE device_id = ?", {device_id}));
    HIPPO_RETURN_IF_ERROR(
        tx.execute("DELETE FROM undelivered_notices WHERE device_id = ?", {device_id}));
    HIPPO_RETURN_IF_ERROR(
        tx.execute("DELETE FROM one_time_prekeys WHERE device_id = ?", {device_id}));
    HIPPO_RETURN_IF_ERROR(
        tx.execute("DELETE FROM signed_prekeys WHERE device_id = ?", {device_id}));
    // A removed device is signed out: its sessions end with it (issue 22.2).
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t signed_out,
        tx.execute("UPDATE sessions SET revoked_at = ? WHERE device_id = ? AND account_id = ? "
                   "AND revoked_at IS NULL",
                   {now, device_id, actor.account_id}));
    return audit_.append(
        tx, detail::record(actor, "device.revoke", detail::device_resource(device_id), "succeeded",
                           "mailbox_dropped=" + std::to_string(dropped) +
                               ",sessions_ended=" + std::to_string(signed_out),
                           device_id));
  }));
  live_.disconnect(device_id);
  return ok_status();
}

Status DeviceDirectory::check_own_device(const Actor& actor, const std::string& device_id) {
  return store_.read(
      [&](store::Transaction& tx) { return require_own_device(tx, actor, device_id); });
}

Status DeviceDirectory::bind_session(const Actor& actor, const std::string& device_id) {
  return store_.write([&](store::Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(require_own_device(tx, actor, device_id));
    HIPPO_RETURN_IF_ERROR(
        tx.execute("UPDATE sessions SET device_id = ? WHERE id = ? AND account_id = ? AND "
                   "device_id IS NULL",
                   {device_id, actor.session_id, actor.account_id}));
    return ok_status();
  });
}

Result<DeviceListing> DeviceDirectory::own_devices(const Actor& actor) {
  return store_.read([&](store::Transaction& tx) { return listing(tx, actor.account_id, true); });
}

Result<DeviceListing> DeviceDirectory::devices_of(const Actor& actor,
                                                  const std::string& account_id) {
  std::string refusal;
  bool for_pending = false;
  auto out = store_.read([&](store::Transaction& tx) -> Result<DeviceListing> {
    HIPPO_ASSIGN_OR_RETURN(access::Decision d, contact_policy(tx, actor, account_id));
    if (!d) {
      refusal = d.reason;
      // Messages accepted before the refusal stay readable (contact_policy.h).
      HIPPO_ASSIGN_OR_RETURN(for_pending,
                             has_pending_messages_from(tx, actor.account_id, account_id));
      if (!for_pending) return DeviceListing{};
    }
    return listing(tx, account_id, false);
  });
  if (!out || refusal.empty()) return out;
  if (for_pending) {  // an exception to the policy: audited, with the policy's reason
    HIPPO_RETURN_IF_ERROR(store_.write([&](store::Transaction& tx) {
      return audit_.append(
          tx, detail::record(actor, "device.list", detail::account_resource(account_id), "allowed",
                             "reason=pending_messages,policy=" + refusal));
    }));
    return out;
  }
  HIPPO_RETURN_IF_ERROR(store_.write([&](store::Transaction& tx) {
    return audit_.append(
        tx, detail::record(actor, "device.list", detail::account_resource(account_id), "denied",
                           "reason=" + refusal));
  }));
  return contact_not_permitted();
}

Result<std::vector<Contact>> DeviceDirectory::contacts(const Actor& actor) {
  return store_.write([&](store::Transaction& tx) -> Result<std::vector<Contact>> {
    HIPPO_ASSIGN_OR_RETURN(auto list, contacts_of(tx, actor));
    for (const auto& c : list) {
      if (c.role != "patient") continue;
      HIPPO_RETURN_IF_ERROR(
          audit_.append(tx, detail::record(actor, "contacts.list",
                                           "patient:" + detail::safe_id(c.account_id), "allowed")));
    }
    return list;
  });
}

}  // namespace hippocrate::messaging
