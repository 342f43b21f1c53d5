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
// `before_write`: envelopes of the same acknowledgement that were never written (the
// mailbox's Mailbox::acknowledge_before_write), counted in the result and in the record
// ("count=N" in all, then ",before_write=K" when K > 0). Returns how many rows were
// deleted plus `before_write`; "device_not_found" when the device is not the actor's or
// is revoked.
inline Result<std::int64_t> delete_acknowledged(store::Transaction& tx,
                                                const audit::AuditLog& audit, const Actor& actor,
                                                const std::string& device_id,
                                                const std::vector<std::string>& message_ids,
                                                std::string_view delete_one, std::string action,
                                                std::int64_t before_write = 0) {
  HIPPO_RETURN_IF_ERROR(require_own_device(tx, actor, device_id));
  std::int64_t acknowledged = before_write;
  for (const auto& id : message_ids) {
    HIPPO_ASSIGN_OR_RETURN(std::int64_t n, tx.execute(delete_one, {device_id, id}));
    acknowledged += n;
  }
  std::string detail = "count=" + std::to_string(acknowledged);
  if (before_write > 0) detail += ",before_write=" + std::to_string(before_write);
  HIPPO_RETURN_IF_ERROR(
      audit.append(tx, record(actor, std::move(action), device_resource(device_id), "succeeded",
                              std::move(detail), device_id)));
  return acknowledged;
}

}  // namespace hippocrate::messaging::detail
