// Internal: an acknowledgement by one of the actor's own active devices, inside the
// caller's write transaction — each listed row of that device deleted, then one audit
// record with the count. Shared by the mailbox's ack and the undelivered notices' ack.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "messaging/audit_records.h"
#include "messaging/devices.h"
#include "store/store.h"

namespace hippocrate::messaging::detail {

// `delete_one`: a DELETE taking (device id, message id). Unknown ids delete nothing.
// Returns how many rows were deleted; "device_not_found" when the device is not the
// actor's or is revoked.
inline Result<std::int64_t> delete_acknowledged(store::Transaction& tx,
                                                const audit::AuditLog& audit,
                                                const Actor& actor, const std::string& device_id,
                                                const std::vector<std::string>& message_ids,
                                                std::string_view delete_one,
                                                std::string action) {
  HIPPO_RETURN_IF_ERROR(require_own_device(tx, actor, device_id));
  std::int64_t deleted = 0;
  for (const auto& id : message_ids) {
    HIPPO_ASSIGN_OR_RETURN(std::int64_t n, tx.execute(delete_one, {device_id, id}));
    deleted += n;
  }
  HIPPO_RETURN_IF_ERROR(audit.append(
      tx, record(actor, std::move(action), device_resource(device_id), "succeeded",
                 "count=" + std::to_string(deleted), device_id)));
  return deleted;
}

}  // namespace hippocrate::messaging::detail
