// Vocabulary shared by the messaging components (docs/messaging.md): who acts, the limits,
// and the "device list mismatch" answer that carries the current devices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "auth/role.h"
#include "base/encoding.h"

namespace hippocrate::messaging {

constexpr std::size_t kMaxIdentityBytes = 512;
constexpr std::size_t kMaxDeviceListBytes = 16 * 1024;
constexpr std::size_t kMaxDevicesPerAccount = 16;
constexpr std::size_t kMaxSignedPrekeyBytes = 512;
constexpr std::size_t kMaxOneTimePrekeyBytes = 256;
constexpr std::size_t kMaxPrekeysPerUpload = 200;
constexpr std::int64_t kMaxPrekeysStored = 1000;
constexpr std::size_t kMaxFetch = 100;
constexpr std::size_t kMaxAck = 100;

// The authenticated caller, as the route saw it (re-read from the store at each request).
struct Actor {
  std::string account_id;
  std::string organisation_id;
  auth::Role role = auth::Role::kPatient;
  std::string session_id;      // for the audit trail
  std::string source_address;  // for the audit trail
};

// account id → its current (active) device ids, sorted.
using DeviceMap = std::map<std::string, std::vector<std::string>>;

// A new signed device list for the caller's account.
struct DeviceListUpdate {
  Bytes blob;                           // opaque, 1..kMaxDeviceListBytes
  std::int64_t version = 0;             // strictly greater than the stored one
  std::vector<std::string> device_ids;  // what the list names; must match the server's set
};

}  // namespace hippocrate::messaging
