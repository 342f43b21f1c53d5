// Multi-device fan-out (docs/protocol.md §6): one envelope per device of the recipient's
// verified device list and of the sender's own, except the sending device, each through its
// own pairwise session; sessions are created on demand from verified prekey bundles.
//
// Flow for the caller (CLI):
//   1. verify both device lists (verify_device_list);
//   2. devices_needing_bundles(...) → claim a bundle for each from the server;
//   3. fan_out(...) → envelopes to send and the next sessions; store the sessions (keystore)
//      BEFORE sending the envelopes.
// Contract: pure; on error nothing is returned and the caller's sessions are unchanged.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "e2ee/device_list.h"
#include "e2ee/identity.h"
#include "e2ee/keys.h"
#include "e2ee/message_content.h"
#include "e2ee/prekeys.h"
#include "e2ee/session.h"

namespace hippocrate::e2ee {

struct DeviceAddress {
  std::string account_id;
  std::string device_id;
  bool operator==(const DeviceAddress&) const = default;
  // Account, then device, as a defaulted <=> would order them; written out because the
  // libc++ of the WebAssembly build (Emscripten 3.1.6) has no operator<=> for std::string.
  std::strong_ordering operator<=>(const DeviceAddress& other) const {
    if (const int c = account_id.compare(other.account_id); c != 0) return c <=> 0;
    return device_id.compare(other.device_id) <=> 0;
  }
};

using SessionMap = std::map<DeviceAddress, Session>;
using BundleMap = std::map<DeviceAddress, PrekeyBundle>;

// The devices of `lists` (other than `me`) that have no usable session: none, or one made
// with other identity keys than the device's current list entry.
std::vector<DeviceAddress> devices_needing_bundles(const DeviceIdentity& me,
                                                   const std::vector<DeviceList>& lists,
                                                   const SessionMap& sessions);

struct FanOutEnvelope {
  DeviceAddress to;
  Bytes envelope;
  bool prekey_message = false;
};

struct FanOut {
  SessionMap sessions;  // all of `sessions`, with the used/created ones advanced
  std::vector<FanOutEnvelope> envelopes;
};

// Encrypts `content` (whose sender fields must be `me`) for every device of `lists` except
// `me`. `lists` must hold the sender's own verified list (which must contain `me`:
// e2ee_device_not_listed) and the recipients'. Errors: e2ee_missing_bundle (a device needs
// a bundle that `bundles` lacks), the errors of start_session and encrypt_message.
Result<FanOut> fan_out(const DeviceIdentity& me, const std::vector<DeviceList>& lists,
                       const SessionMap& sessions, const BundleMap& bundles,
                       const MessageContent& content, std::uint64_t now,
                       KeySource& keys = system_key_source());

}  // namespace hippocrate::e2ee
