// Care relationships: the practitioner ↔ patient link that grants a practitioner access to a
// patient's data. Lifecycle: invited (the practitioner invited the patient) → active (the
// patient accepted) → ended (either side ended it; the practitioner's access stops at once,
// since every request re-reads the relationship).
#pragma once

#include <string>
#include <vector>

#include "auth/auth_service.h"
#include "store/store.h"

namespace hippocrate::audit {
class AuditLog;
}

namespace hippocrate::access {

struct CareRelationship {
  std::string id;
  std::string status;  // invited | active | ended
  std::string practitioner_id;
  std::string practitioner_name;
  // The practitioner's organisation: a patient may be linked to practitioners of several
  // organisations and sees whose practice a request comes from before accepting it.
  std::string practitioner_organisation;
  // Its RPPS number as attested by an administrator of that organisation; empty when none.
  std::string practitioner_rpps;
  std::string patient_id;  // empty while invited
  std::string patient_name;
  std::string patient_email;
  std::int64_t created_at = 0;
  std::int64_t activated_at = 0;
  std::int64_t ended_at = 0;
};

class CareRelationships {
 public:
  // `store`, `clock` and `audit` are not owned and must outlive the service. Every change
  // of a relationship, and every refused request, is recorded in `audit` in the same
  // transaction as the change.
  CareRelationships(store::Store& store, const Clock& clock, const audit::AuditLog& audit)
      : store_(store), clock_(clock), audit_(audit) {}

  // A practitioner's patients (active relationships only unless `include_ended`); for an
  // assistant, the active patients of the practitioners who delegated to it. Appends one
  // audit record per patient ("patients.list" on "patient:<id>") in the same transaction
  // as the read, which is what the patient's access log shows.
  Result<std::vector<CareRelationship>> patients_of(const auth::SessionInfo& practitioner,
                                                    bool include_ended = false,
                                                    const std::string& source_address = "");
  // A patient's practitioners.
  Result<std::vector<CareRelationship>> practitioners_of(const auth::SessionInfo& patient,
                                                         bool include_ended = false);
  // Ends a relationship the caller is a party to. Someone else's relationship is
  // "care_relationship_not_found" (404), never a hint that it exists.
  Status end(const auth::SessionInfo& party, std::string_view relationship_id,
             const std::string& source_address = "");
  // A practitioner asks to care for an EXISTING patient account (link request): the
  // relationship starts "invited" with the patient known; the patient accepts it (active)
  // or ends it. The answer is the same whether or not a patient account exists for the
  // e-mail address (other organisations' accounts are not revealed); an ongoing or pending
  // relationship with the same patient is "care_relationship_exists" (409).
  Status request_link(const auth::SessionInfo& practitioner, std::string_view patient_email,
                      const std::string& source_address = "");
  // The patient accepts a pending request addressed to it; otherwise
  // "care_request_not_found" (404).
  Status accept(const auth::SessionInfo& patient, std::string_view relationship_id,
                const std::string& source_address = "");
  // Whether `practitioner_id` has an active relationship with `patient_id` now.
  Result<bool> is_active(const std::string& practitioner_id, const std::string& patient_id);

 private:
  Result<std::vector<CareRelationship>> list(std::string_view column, const std::string& id,
                                             bool include_ended);
  Result<std::vector<CareRelationship>> list_in(store::Transaction& tx, std::string_view column,
                                                const std::string& id, bool include_ended);
  // Appends the audit record of a relationship change.
  Status audit_change(store::Transaction& tx, const auth::SessionInfo& actor,
                      std::string_view action, std::string_view relationship_id,
                      std::string_view new_status, const std::string& source_address);
  store::Store& store_;
  const Clock& clock_;
  const audit::AuditLog& audit_;
};

}  // namespace hippocrate::access
