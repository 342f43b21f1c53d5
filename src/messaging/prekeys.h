// PrekeyStore: each device's signed prekey and pool of one-time prekeys, and the claim of
// prekey bundles (docs/messaging.md "Prekeys"). Blobs are opaque to the server.
//
// Each one-time prekey is handed out exactly once: a claim deletes the key in the same write
// transaction that reads it, and counts a key as claimed only if its DELETE removed a row,
// so concurrent claims (even with several writers) never return the same key.
//
// Errors: "device_not_found" (404), "duplicate_prekey_id", "too_many_prekeys" (409),
// "invalid_field" (400), "contact_not_permitted" (403, audited). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "base/clock.h"
#include "messaging/messaging_types.h"
#include "store/store.h"

namespace hippocrate::messaging {

struct OneTimePrekey {
  std::uint32_t id = 0;
  Bytes key;
};

struct PrekeyUpload {
  std::optional<Bytes> signed_prekey;  // replaces the stored one
  std::vector<OneTimePrekey> one_time;
};

struct PrekeyCount {
  std::int64_t one_time = 0;
  std::optional<std::int64_t> signed_prekey_uploaded_at;
};

struct PrekeyBundle {
  std::string device_id;
  Bytes identity;
  std::optional<Bytes> signed_prekey;
  std::optional<OneTimePrekey> one_time_prekey;  // none left: nullopt
};

struct BundleSet {
  std::string account_id;
  std::optional<Bytes> device_list;
  std::int64_t device_list_version = 0;
  std::vector<PrekeyBundle> bundles;
};

class PrekeyStore {
 public:
  PrekeyStore(store::Store& store, const Clock& clock, const audit::AuditLog& audit)
      : store_(store), clock_(clock), audit_(audit) {}

  // For one's own active device; returns how many one-time prekeys it now has.
  Result<std::int64_t> upload(const Actor& actor, const std::string& device_id,
                              const PrekeyUpload& upload);
  Result<PrekeyCount> count(const Actor& actor, const std::string& device_id);
  // A bundle for each current device of `account_id` (only those in `device_ids` when
  // given), each with at most one one-time prekey, which is deleted.
  Result<BundleSet> claim(const Actor& actor, const std::string& account_id,
                          const std::optional<std::vector<std::string>>& device_ids);

 private:
  store::Store& store_;
  const Clock& clock_;
  const audit::AuditLog& audit_;
};

}  // namespace hippocrate::messaging
