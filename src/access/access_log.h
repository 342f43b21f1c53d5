// A patient's view of who accessed their data (SECURITY-REQUIREMENTS "Audit": a patient can
// read who accessed their data and when): the audit records whose resource is
// "patient:<id>" written by someone other than the patient, with the actor's name, role
// and organisation.
#pragma once

#include <string>
#include <vector>

#include "base/ids.h"
#include "store/store.h"

namespace hippocrate::access {

struct AccessEntry {
  std::int64_t at_ms = 0;
  std::string actor_name;
  std::string actor_role;
  std::string actor_organisation;
  std::string action;  // e.g. "patients.list"
  std::string result;
};

Result<std::vector<AccessEntry>> patient_access_log(store::Store& store,
                                                    const std::string& patient_id,
                                                    std::int64_t limit = 200);

// The resource name under which reads of a patient's data are audited. An id that is not
// a well-formed id (a path parameter can be anything) is named "invalid", so it can neither
// overflow nor forge an audit field.
inline std::string patient_resource(std::string_view patient_id) {
  return "patient:" + std::string(is_valid_id(patient_id) ? patient_id : "invalid");
}

}  // namespace hippocrate::access
