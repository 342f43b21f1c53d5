// DeviceDirectory: devices, their public identity blobs and the account's signed device
// list (docs/messaging.md "Devices"). Everything stored is opaque to the server.
//
// Errors (stable codes): "device_not_found" (404) for a device that is not the caller's own
// active device; "device_id_taken", "device_revoked", "stale_device_list_version",
// "too_many_devices" (409); "invalid_field" (400); contact_not_permitted (403, audited).
// A list whose device_ids differ from the account's current devices is not an Error: the
// result carries `mismatch` (the current devices) and nothing was changed.
//
// Thread-safe (state lives in the store).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "base/clock.h"
#include "messaging/contact_policy.h"
#include "messaging/live_registry.h"
#include "messaging/messaging_types.h"
#include "store/store.h"

namespace hippocrate::messaging {

struct DeviceInfo {
  std::string device_id;
  Bytes identity;
  std::int64_t registered_at = 0;
  std::optional<std::int64_t> revoked_at;
};

struct DeviceListing {
  std::string account_id;
  std::optional<Bytes> device_list;  // none uploaded yet
  std::int64_t device_list_version = 0;
  std::vector<DeviceInfo> devices;
};

struct DeviceChange {
  bool changed = false;  // false: the same request again (idempotent), or a mismatch
  std::int64_t registered_at = 0;
  std::int64_t device_list_version = 0;
  std::optional<DeviceMap> mismatch;  // set: refused, these are the current devices
};

class DeviceDirectory {
 public:
  // All must outlive the directory.
  DeviceDirectory(store::Store& store, const Clock& clock, const audit::AuditLog& audit,
                  LiveRegistry& live)
      : store_(store), clock_(clock), audit_(audit), live_(live) {}

  Result<DeviceChange> register_device(const Actor& actor, const std::string& device_id,
                                       const Bytes& identity, const DeviceListUpdate& list);
  Result<DeviceChange> update_device_list(const Actor& actor, const DeviceListUpdate& list);
  // Revokes one's own active device: its mailbox and prekeys are deleted and the sessions
  // bound to it end, in the same transaction, then its live connection is closed.
  Status revoke(const Actor& actor, const std::string& device_id);
  // OK when `device_id` is one of the actor's active devices; else "device_not_found".
  Status check_own_device(const Actor& actor, const std::string& device_id);
  // The actor's session acts as its active device `device_id` from now on, unless it is
  // bound to one already (the first wins): revoking the device ends the session. Called
  // when a session that is bound to none first acts as a device (its socket, its mailbox,
  // a send from it); registering an account's first device binds the registering session.
  Status bind_session(const Actor& actor, const std::string& device_id);
  // One's own devices, revoked ones included.
  Result<DeviceListing> own_devices(const Actor& actor);
  // The current devices of `account_id`: oneself, or an account the contact policy
  // allows, or one whose messages to the actor still wait in the actor's mailboxes
  // (has_pending_messages_from, audited as allowed with the policy's reason); otherwise
  // contact_not_permitted (the refusal is audited).
  Result<DeviceListing> devices_of(const Actor& actor, const std::string& account_id);
  // The accounts `actor` may message (contacts_of). Each patient listed to someone else is
  // audited like a patient list read ("contacts.list" on patient:<id>), in the same
  // transaction, so the patient's access log shows it.
  Result<std::vector<Contact>> contacts(const Actor& actor);

 private:
  Result<DeviceChange> change(const Actor& actor, const std::string* device_id,
                              const Bytes* identity, const DeviceListUpdate& list);

  store::Store& store_;
  const Clock& clock_;
  const audit::AuditLog& audit_;
  LiveRegistry& live_;
};

// Helpers shared by the messaging components (inside the caller's transaction).
// The account's current (non-revoked) device ids, sorted.
Result<std::vector<std::string>> current_devices(store::Transaction& tx,
                                                 const std::string& account_id);
// OK when `device_id` is an active device of `actor`; else "device_not_found".
Status require_own_device(store::Transaction& tx, const Actor& actor, const std::string& device_id);
Error device_not_found();
// The stored signed list of an account (blob, version), if any.
Result<std::optional<std::pair<Bytes, std::int64_t>>> stored_device_list(
    store::Transaction& tx, const std::string& account_id);

}  // namespace hippocrate::messaging
