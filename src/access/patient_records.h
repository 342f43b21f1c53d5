// Reading one patient by id: the object-level path every patient-data route follows.
//
// In ONE write transaction: resolve the patient's facts (access/resource.h), ask the policy
// decision point (action "patient.read"), and append the audit record — "allowed" with the
// read, or "denied" with the reason — so no read happens without its record and every
// refusal is on file. A refusal answers "patient_not_found" (404) whatever the reason, so a
// practitioner cannot tell a stranger's patient from an id that does not exist.
//
// What each reader sees (least privilege): the patient itself and its practitioners (active
// care) see the care relationships that concern them; an assistant sees administrative
// details only (name, e-mail, which of its delegating practitioners care for the patient).
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

struct PatientCareView {
  std::string relationship_id;
  std::string practitioner_id;
  std::string practitioner_name;
  std::string status;  // invited | active | ended
  std::int64_t activated_at = 0;
};

struct PatientView {
  std::string id;
  std::string display_name;
  std::string email;
  std::string organisation_name;
  std::vector<PatientCareView> care;
};

class PatientRecords {
 public:
  // `store`, `clock` and `audit` must outlive this object.
  PatientRecords(store::Store& store, const Clock& clock, const audit::AuditLog& audit)
      : store_(store), clock_(clock), audit_(audit) {}

  Result<PatientView> read(const auth::SessionInfo& reader, std::string_view patient_id,
                           const std::string& source_address);

 private:
  store::Store& store_;
  const Clock& clock_;
  const audit::AuditLog& audit_;
};

}  // namespace hippocrate::access
