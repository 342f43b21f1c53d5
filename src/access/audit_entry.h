// The audit record of an action taken by an authenticated account (audit/record.h says what
// may and may not go into one). Every service in access/ records its actions through this,
// inside the transaction of the action itself (append_audit_entry).
#pragma once

#include <string>
#include <string_view>

#include "audit/audit_log.h"
#include "audit/record.h"
#include "auth/auth_service.h"
#include "base/clock.h"
#include "base/ids.h"
#include "store/store.h"

namespace hippocrate::access {

inline audit::AuditRecord audit_entry(const auth::SessionInfo& actor,
                                      std::string_view source_address, std::string_view action,
                                      std::string resource, std::string_view result,
                                      std::string detail = {}) {
  audit::AuditRecord r;
  r.account_id = actor.account.id;
  r.session_id = actor.session_id;
  r.source_address = std::string(source_address);
  r.action = std::string(action);
  r.resource = std::move(resource);
  r.result = std::string(result);
  r.detail = std::move(detail);
  return r;
}

// That record, stamped with `clock`'s time, appended to `audit` inside `tx` (the
// transaction of the action it records).
inline Status append_audit_entry(const audit::AuditLog& audit, store::Transaction& tx,
                                 const Clock& clock, const auth::SessionInfo& actor,
                                 std::string_view source_address, std::string_view action,
                                 std::string resource, std::string_view result,
                                 std::string detail = {}) {
  audit::AuditRecord r =
      audit_entry(actor, source_address, action, std::move(resource), result, std::move(detail));
  r.at = clock.now();
  return audit.append(tx, r);
}

// "account:<id>"; an ill-formed id is named "invalid" (see patient_resource).
inline std::string account_resource(std::string_view account_id) {
  return "account:" + std::string(is_valid_id(account_id) ? account_id : "invalid");
}

}  // namespace hippocrate::access
