// Account key and signed device list (docs/protocol.md §2.2): the account's Ed25519 key
// signs the list of its devices (version, account id, each device's identity), so that
// verifying a person's account key once covers every device they add later.
//
// Contract: sign_device_list encodes canonically (entries sorted by device id) and signs;
// verify_device_list is the only way to turn bytes from the server into a DeviceList: it
// checks, in order, the encoding, the account id, the account signature, every device's own
// signature and that the version is not lower than `last_seen_version` (0: none seen yet).
// Pure functions; the caller stores the accepted version (keystore) and pins the key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "e2ee/identity.h"
#include "e2ee/keys.h"

namespace hippocrate::e2ee {

constexpr std::size_t kMaxDevicesPerAccount = 32;

struct AccountKey {
  std::string account_id;
  PublicKey public_key{};
  SharedSecret secret_key;  // Ed25519, 64 bytes; null when this device does not hold it
};

// A new random account key.
Result<AccountKey> generate_account_key(std::string_view account_id);
// The account key of a 32-byte Ed25519 seed (keystore, vectors).
Result<AccountKey> account_key_from_seed(std::string_view account_id, const SecretBytes& seed);

struct DeviceList {
  std::string account_id;
  std::uint64_t version = 0;
  std::uint64_t issued_at = 0;  // Unix seconds
  std::vector<DevicePublicIdentity> devices;

  bool operator==(const DeviceList&) const = default;
};

// Encodes and signs (§2.2). Errors: e2ee_malformed (ids, version 0, 0 or > 32 devices,
// duplicate device, a device of another account), e2ee_bad_key (no secret key).
Result<Bytes> sign_device_list(const AccountKey& account_key, const DeviceList& list);

// Decodes and verifies signed list bytes against the pinned account key (§2.2 steps 1-5).
Result<DeviceList> verify_device_list(std::span<const std::uint8_t> signed_list,
                                      const PublicKey& account_key,
                                      std::string_view expected_account_id,
                                      std::uint64_t last_seen_version);

// The entry of `device_id`, or null.
const DevicePublicIdentity* find_device(const DeviceList& list, std::string_view device_id);

}  // namespace hippocrate::e2ee
