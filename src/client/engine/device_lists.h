// Device lists as the client core checks them (docs/protocol.md §2.2): the server's
// listing of an account's devices, verified against the list the account key signed, with
// trust on first use of that key, rollback protection, and the server's routing applied.
// Pure: the caller fetched the listing (GET /api/v1/me/devices or
// /api/v1/accounts/{id}/devices) and commits the KeystoreData it passed in.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "client/keystore.h"
#include "e2ee/device_list.h"

namespace hippocrate::client {

// The device list blob stored by the server (docs/protocol.md §2.2, "Publication"):
// u8 0x01 ‖ account public key (32) ‖ signed DeviceList.
Bytes publish_device_list(const e2ee::PublicKey& account_key,
                          std::span<const std::uint8_t> signed_list);

// One account's devices as the server lists them, checked against its signed list.
struct VerifiedDevices {
  e2ee::DeviceList signed_list;  // every device the account key signed (decrypting)
  e2ee::DeviceList current;      // the signed ones the server still routes to (sending)
  std::int64_t server_version = 0;
  e2ee::PublicKey account_key{};
  std::map<std::string, std::int64_t> registered_at;  // current device → when registered
};

// Verifies `listing` (the server's answer for `account_id`) into `data`:
//   - one's own account (`own_account`): the account key is the pinned one, never the
//     server's ("device_not_paired" when none is pinned: this device is not paired yet);
//   - another account: its key is pinned on first use; a different key later is recorded
//     as a change (observe_account_key: sending to it is then blocked until the user
//     accepts it) and starts a new list history;
//   - the signed list must verify under that key, name `account_id`, and not be older than
//     the version this device saw last (e2ee_* errors); its version is remembered.
// "no_recipient_devices" when the account has no device list at all. `data` is changed
// only in what a successful check records, plus the key observation (kept even when the
// list then fails, so a swap is never forgotten).
Result<VerifiedDevices> verify_listing(KeystoreData& data, const std::string& own_account,
                                       const std::string& account_id,
                                       const boost::json::object& listing);

// The own account's devices added and removed since this device last told its user
// (KeystoreData::own_devices), this device excepted; `changed` when own_devices must be
// updated (also the first time, when there is nothing to tell).
struct OwnDeviceChanges {
  std::vector<std::string> added;    // in `own.current` and not known before
  std::vector<std::string> removed;  // known before and no longer current
  bool changed = false;
};
OwnDeviceChanges own_device_changes(const KeystoreData& data, const VerifiedDevices& own);

}  // namespace hippocrate::client
