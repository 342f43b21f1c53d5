// Internal: the audit records the messaging components append (metadata only — ids, counts,
// stable reasons; never a key, a device list or a ciphertext).
#pragma once

#include <string>

#include "access/audit_entry.h"
#include "audit/audit_log.h"
#include "base/ids.h"
#include "messaging/messaging_types.h"

namespace hippocrate::messaging::detail {

inline audit::AuditRecord record(const Actor& actor, std::string action, std::string resource,
                                 std::string result, std::string detail = {},
                                 std::string device_id = {}) {
  audit::AuditRecord r;
  r.account_id = actor.account_id;
  r.session_id = actor.session_id;
  r.device_id = std::move(device_id);
  r.source_address = actor.source_address;
  r.action = std::move(action);
  r.resource = std::move(resource);
  r.result = std::move(result);
  r.detail = std::move(detail);
  return r;
}

// A record of the server's own maintenance (the retention sweeps): no actor.
inline audit::AuditRecord sweep_record(std::string action, std::string detail) {
  audit::AuditRecord r;
  r.action = std::move(action);
  r.result = "succeeded";
  r.detail = std::move(detail);
  return r;
}

// Only well-formed ids reach the trail (a path parameter can be anything).
inline std::string safe_id(std::string_view id) {
  return is_valid_id(id) ? std::string(id) : std::string("invalid");
}
inline std::string account_resource(std::string_view id) { return access::account_resource(id); }
inline std::string device_resource(std::string_view id) { return "device:" + safe_id(id); }

}  // namespace hippocrate::messaging::detail
