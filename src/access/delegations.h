// Delegations: a practitioner lets an assistant of the SAME organisation act for it on
// scheduling and administrative metadata (never medical content: the policy refuses every
// medical action to assistants, access/policy.cc). Grant, revoke and list; each change is
// audited in its own transaction. A revoked delegation stops the assistant's access on its
// next request.
#pragma once

#include <string>
#include <vector>

#include "auth/auth_service.h"
#include "base/clock.h"
#include "store/store.h"

namespace hippocrate::audit {
class AuditLog;
}

namespace hippocrate::access {

struct Delegation {
  std::string id;
  std::string practitioner_id;
  std::string practitioner_name;
  std::string assistant_id;
  std::string assistant_name;
  std::string assistant_email;
  std::int64_t created_at = 0;
};

class Delegations {
 public:
  Delegations(store::Store& store, const Clock& clock, const audit::AuditLog& audit)
      : store_(store), clock_(clock), audit_(audit) {}

  // Errors: "assistant_not_found" (404: no such account in the practitioner's organisation —
  // another organisation's accounts are never revealed), "not_an_assistant" (422),
  // "delegation_exists" (409). Refusals are audited.
  Result<Delegation> grant(const auth::SessionInfo& practitioner, std::string_view assistant_email,
                           const std::string& source_address);
  // Only the granting practitioner; otherwise "delegation_not_found" (404).
  Status revoke(const auth::SessionInfo& practitioner, std::string_view delegation_id,
                const std::string& source_address);
  // Current delegations: a practitioner's assistants, or an assistant's practitioners.
  Result<std::vector<Delegation>> list(const auth::SessionInfo& party);

 private:
  store::Store& store_;
  const Clock& clock_;
  const audit::AuditLog& audit_;
};

}  // namespace hippocrate::access
