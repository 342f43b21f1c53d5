// A patient's view of who accessed their data (SECURITY-REQUIREMENTS "Audit": a patient can
// read who accessed their data and when): the audit records whose resource is
// "patient:<id>" written by someone other than the patient, with the actor's name, role
// and organisation, and what happened in plain words (`what`: a stable key a translated
// page maps to its own words; `description`: the English). A name shown in someone's list
// (their patients, their contacts) is one entry per person, list and day, not one per
// listing: a practitioner's software lists contacts often, and each listing is no more
// than the day's first. The audit trail itself keeps every record.
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
  std::string what;         // e.g. "listed_among_patients", "record_opened", "refused"
  std::string description;  // e.g. "saw your name in their list of patients"
};

// The plain words of an audited `action` with `result` on a patient's data.
struct AccessWords {
  std::string what;
  std::string description;
};
AccessWords describe_access(std::string_view action, std::string_view result);

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
