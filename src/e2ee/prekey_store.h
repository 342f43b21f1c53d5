// The private halves of this device's prekeys (docs/protocol.md §2.3, §2.4) and their
// life cycle: rotation of the signed prekey every 7 days (the replaced ones kept while
// senders may still use them), replenishment of the one-time pool (100, below 20), and
// deletion of a one-time prekey once a session used it (X3DH §3.4).
//
// Contract: PrekeyStore is a value (see keys.h); refresh_prekeys returns a new store plus the
// public halves to upload, and leaves its input untouched. Persist the new store (keystore)
// BEFORE uploading the public halves, so no uploaded prekey lacks its private key.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/result.h"
#include "e2ee/identity.h"
#include "e2ee/keys.h"
#include "e2ee/prekeys.h"

namespace hippocrate::e2ee {

struct PrekeyStore {
  std::vector<SignedPrekey> signed_prekeys;  // oldest first; the last one is current
  std::vector<OneTimePrekey> one_time_prekeys;
  std::uint32_t next_signed_prekey_id = 1;
  std::uint32_t next_one_time_prekey_id = 1;
};

const SignedPrekey* find_signed_prekey(const PrekeyStore& store, std::uint32_t id);
const OneTimePrekey* find_one_time_prekey(const PrekeyStore& store, std::uint32_t id);
// The current (newest) signed prekey, or null before the first refresh.
const SignedPrekey* current_signed_prekey(const PrekeyStore& store);

// A copy of `store` without one-time prekey `id` (its private key is wiped when the last
// copy holding it goes).
PrekeyStore without_one_time_prekey(const PrekeyStore& store, std::uint32_t id);

struct PrekeyRefresh {
  PrekeyStore store;
  std::optional<SignedPrekeyPublic> new_signed_prekey;    // to upload, if rotated
  std::vector<OneTimePrekeyPublic> new_one_time_prekeys;  // to upload
};

// Rotates the signed prekey when missing or 7 days old, drops replaced ones older than the
// 30-day acceptance window (+1 day), and generates one_time_prekeys_to_generate(
// `one_time_remaining_on_server`) one-time prekeys.
Result<PrekeyRefresh> refresh_prekeys(const DeviceIdentity& device, const PrekeyStore& store,
                                      std::size_t one_time_remaining_on_server, std::uint64_t now,
                                      KeySource& keys);

}  // namespace hippocrate::e2ee
