#include "access/patient_records.h"

#include <optional>

#include "access/access_log.h"
#include "access/audit_entry.h"
#include "access/resource.h"
#include "audit/audit_log.h"
#include "store/row_decode.h"

namespace hippocrate::access {
namespace {

constexpr std::string_view kAction = "patient.read";

// The care relationships `reader` may see, as a WHERE fragment over care_relationships c.
std::string visible_care_condition(auth::Role role) {
  switch (role) {
    case auth::Role::kPatient:
      return "? <> ''";  // all of its own (binds the reader id to keep one parameter list)
    case auth::Role::kPractitioner: return "c.practitioner_id = ?";
    default:  // assistants: active relationships of the practitioners who delegated to them
      return "c.status = 'active' AND c.practitioner_id IN (SELECT practitioner_id FROM "
             "delegations WHERE assistant_id = ? AND revoked_at IS NULL)";
  }
}

Result<PatientView> load_view(store::Transaction& tx, const auth::SessionInfo& reader,
                              const std::string& patient_id) {
  PatientView v;
  HIPPO_ASSIGN_OR_RETURN(
      auto row, tx.query_one("SELECT a.id, a.display_name, a.email, o.name FROM accounts a JOIN "
                             "organisations o ON o.id = a.organisation_id WHERE a.id = ?",
                             {patient_id}));
  if (!row) return Error::not_found("patient_not_found", "no such patient of yours");
  HIPPO_RETURN_IF_ERROR(
      store::read_columns(*row, v.id, v.display_name, v.email, v.organisation_name));
  const std::string sql =
      "SELECT c.id, c.practitioner_id, p.display_name, c.status, COALESCE(c.activated_at, 0) "
      "FROM care_relationships c JOIN accounts p ON p.id = c.practitioner_id "
      "WHERE c.patient_id = ? AND " +
      visible_care_condition(reader.account.role) + " ORDER BY c.created_at";
  HIPPO_ASSIGN_OR_RETURN(auto rows, tx.query(sql, {patient_id, reader.account.id}));
  HIPPO_ASSIGN_OR_RETURN(
      v.care,
      store::decode_rows<PatientCareView>(rows, [](const store::Row& r, PatientCareView& c) {
        return store::read_columns(r, c.relationship_id, c.practitioner_id, c.practitioner_name,
                                   c.status, c.activated_at);
      }));
  return v;
}

}  // namespace

Result<PatientView> PatientRecords::read(const auth::SessionInfo& reader,
                                         std::string_view patient_id,
                                         const std::string& source_address) {
  const std::string id(patient_id);
  // The transaction commits in both outcomes: the denial record must stay.
  HIPPO_ASSIGN_OR_RETURN(
      std::optional<PatientView> view,
      store_.write([&](store::Transaction& tx) -> Result<std::optional<PatientView>> {
        const Subject subject = subject_of(reader);
        HIPPO_ASSIGN_OR_RETURN(Resource resource, resolve_patient(tx, subject, id));
        const Decision decision = authorize(subject, kAction, resource);
        HIPPO_RETURN_IF_ERROR(append_audit_entry(audit_, tx, clock_, reader, source_address,
                                                 kAction, patient_resource(id),
                                                 decision ? "allowed" : "denied", decision.reason));
        if (!decision) return std::optional<PatientView>();
        HIPPO_ASSIGN_OR_RETURN(PatientView v, load_view(tx, reader, id));
        return std::optional<PatientView>(std::move(v));
      }));
  if (!view) return Error::not_found("patient_not_found", "no such patient of yours");
  return std::move(*view);
}

}  // namespace hippocrate::access
