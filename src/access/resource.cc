#include "access/resource.h"

#include <string>

namespace hippocrate::access {
namespace {

Result<Resource> resolve_account_where(store::Transaction& tx, std::string_view column,
                                       std::string_view value) {
  Resource r;
  r.kind = "account";
  const std::string sql = std::string("SELECT id, organisation_id, role FROM accounts WHERE ") +
                          (column == "email" ? "email" : "id") + " = ?";
  HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one(sql, {std::string(value)}));
  if (!row) {
    if (column != "email") r.id = std::string(value);
    return r;
  }
  HIPPO_ASSIGN_OR_RETURN(r.id, row->text(0));
  HIPPO_ASSIGN_OR_RETURN(r.organisation_id, row->text(1));
  HIPPO_ASSIGN_OR_RETURN(std::string role, row->text(2));
  auto parsed = auth::parse_role(role);
  if (!parsed) return Error::data_loss("account_role_invalid", "an account has an unknown role");
  r.role = *parsed;
  r.exists = true;
  return r;
}

CareState parse_care_state(std::string_view status) {
  if (status == "active") return CareState::kActive;
  if (status == "invited") return CareState::kInvited;
  if (status == "ended") return CareState::kEnded;
  return CareState::kNone;
}

}  // namespace

Subject subject_of(const auth::SessionInfo& session) {
  return {session.account.id, session.account.organisation_id, session.account.role,
          session.enrolment_only};
}

Result<Resource> resolve_account(store::Transaction& tx, std::string_view account_id) {
  return resolve_account_where(tx, "id", account_id);
}

Result<Resource> resolve_account_by_email(store::Transaction& tx, std::string_view email) {
  return resolve_account_where(tx, "email", email);
}

Result<Resource> resolve_patient(store::Transaction& tx, const Subject& subject,
                                 std::string_view patient_id) {
  HIPPO_ASSIGN_OR_RETURN(Resource r, resolve_account(tx, patient_id));
  r.kind = "patient";
  if (!r.exists || r.role != auth::Role::kPatient) {
    r.exists = false;
    return r;
  }
  // The subject's own relationship: the most significant state wins (a past, ended
  // relationship does not hide a current one).
  HIPPO_ASSIGN_OR_RETURN(
      auto rows, tx.query("SELECT status FROM care_relationships WHERE practitioner_id = ? AND "
                          "patient_id = ?",
                          {subject.account_id, r.id}));
  for (const auto& row : rows) {
    HIPPO_ASSIGN_OR_RETURN(std::string status, row.text(0));
    const CareState s = parse_care_state(status);
    auto rank = [](CareState c) {
      return c == CareState::kActive    ? 3
             : c == CareState::kInvited ? 2
             : c == CareState::kEnded   ? 1
                                        : 0;
    };
    if (rank(s) > rank(r.care)) r.care = s;
  }
  if (subject.role == auth::Role::kAssistant) {
    HIPPO_ASSIGN_OR_RETURN(
        auto delegated,
        tx.query_one("SELECT 1 FROM delegations d JOIN care_relationships c ON "
                     "c.practitioner_id = d.practitioner_id WHERE d.assistant_id = ? AND "
                     "d.revoked_at IS NULL AND c.patient_id = ? AND c.status = 'active' LIMIT 1",
                     {subject.account_id, r.id}));
    r.delegated_care = delegated.has_value();
  }
  return r;
}

}  // namespace hippocrate::access
