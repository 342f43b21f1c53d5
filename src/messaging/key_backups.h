// Key backups (docs/messaging.md "Key backup"): each account may keep one backup of its
// account key, sealed on the client under a recovery key the server never sees
// (docs/protocol.md §2.6), so that a person who lost every device can restore their identity
// on a new one. To the server it is an opaque blob with a version and a size; it never
// links e2ee/ and never looks inside.
//
// Contract:
//   - only the caller's own backup is ever read, stored or deleted (no account parameter);
//   - store: 1..kMaxKeyBackupBytes bytes, a version strictly greater than the stored one
//     (409 stale_key_backup_version); replacing an existing backup needs a recent step-up
//     (403 step_up_required), so a stolen session alone cannot swap in a backup under its
//     own recovery key or destroy the user's; the first one does not (it is made at
//     messaging set-up, right after sign-in);
//   - read and remove need a recent step-up (403 step_up_required): a stolen session alone
//     cannot download the ciphertext to attack it offline;
//   - every read, write and refusal is audited (key_backup.store / .read / .delete on
//     account:<id>, detail "version=…,size=…" or "reason=…"), in the same transaction as the
//     change; never the blob.
// Thread-safe (the store serialises writes).
#pragma once

#include <cstddef>
#include <cstdint>

#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/encoding.h"
#include "base/result.h"
#include "messaging/messaging_types.h"
#include "store/store.h"

namespace hippocrate::messaging {

// The e2ee backup is 114 bytes (format 0x01); room for later formats, still small.
constexpr std::size_t kMaxKeyBackupBytes = 1024;

struct KeyBackup {
  std::int64_t version = 0;
  Bytes backup;
  std::int64_t updated_at = 0;  // Unix seconds
};

class KeyBackups {
 public:
  // All must outlive this.
  KeyBackups(store::Store& store, const Clock& clock, const audit::AuditLog& audit)
      : store_(store), clock_(clock), audit_(audit) {}

  // `step_up_until`: the session's (auth::SessionInfo), Unix seconds. Returns the stored
  // version. Errors: invalid_field (size, version < 1), stale_key_backup_version,
  // step_up_required.
  Result<std::int64_t> store(const Actor& actor, std::int64_t step_up_until, const Bytes& backup,
                             std::int64_t version);
  // Errors: step_up_required, key_backup_not_found.
  Result<KeyBackup> read(const Actor& actor, std::int64_t step_up_until);
  // Errors: step_up_required, key_backup_not_found.
  Status remove(const Actor& actor, std::int64_t step_up_until);

 private:
  bool stepped_up(std::int64_t step_up_until) const;
  // Appends the refusal's audit record in its own transaction and returns the error.
  Error refuse(const Actor& actor, const char* action, Error error);

  store::Store& store_;
  const Clock& clock_;
  const audit::AuditLog& audit_;
};

}  // namespace hippocrate::messaging
