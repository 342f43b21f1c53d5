#include "access/care_relationships.h"

#include <optional>

#include "access/access_log.h"
#include "access/audit_entry.h"
#include "access/resource.h"
#include "audit/audit_log.h"
#include "base/ids.h"

namespace hippocrate::access {
namespace {

// Whose relationships a listing shows. An assistant sees the active relationships of the
// practitioners who currently delegate to it. A practitioner does not see a pending link
// request (`care request`, no invitation): listing it would tell an address with a
// patient account from one without, for which no row exists; it appears once accepted.
std::string where_for(std::string_view column) {
  if (column == "patient_id") return "c.patient_id = ?";
  if (column == "assistant_id") {
    return "c.status = 'active' AND c.practitioner_id IN (SELECT practitioner_id FROM "
           "delegations WHERE assistant_id = ? AND revoked_at IS NULL)";
  }
  return "c.practitioner_id = ? AND NOT (c.status = 'invited' AND c.invitation_id IS NULL)";
}

}  // namespace

Result<std::vector<CareRelationship>> CareRelationships::list(std::string_view column,
                                                              const std::string& id,
                                                              bool include_ended) {
  return store_.read([&](store::Transaction& tx) { return list_in(tx, column, id, include_ended); });
}

Result<std::vector<CareRelationship>> CareRelationships::list_in(store::Transaction& tx,
                                                                 std::string_view column,
                                                                 const std::string& id,
                                                                 bool include_ended) {
  const std::string sql =
      // While invited, the patient is shown as the invitation's address only (a
      // practitioner's invitation to an existing patient account links it already).
      "SELECT c.id, c.status, c.practitioner_id, pr.display_name, "
      "CASE WHEN c.status = 'invited' THEN '' ELSE COALESCE(c.patient_id, '') END, "
      "CASE WHEN c.status = 'invited' THEN '' ELSE COALESCE(pa.display_name, '') END, "
      "CASE WHEN c.status = 'invited' THEN COALESCE(i.email, '') "
      "ELSE COALESCE(pa.email, i.email) END, c.created_at, "
      "COALESCE(c.activated_at, 0), COALESCE(c.ended_at, 0), po.name, COALESCE(pr.rpps, '') "
      "FROM care_relationships c JOIN accounts pr ON pr.id = c.practitioner_id "
      "JOIN organisations po ON po.id = pr.organisation_id "
      "LEFT JOIN accounts pa ON pa.id = c.patient_id "
      "LEFT JOIN invitations i ON i.id = c.invitation_id "
      "WHERE " + where_for(column) + " AND (? = 1 OR c.status <> 'ended') ORDER BY c.created_at";
  {
    HIPPO_ASSIGN_OR_RETURN(auto rows,
                           tx.query(sql, {id, std::int64_t{include_ended ? 1 : 0}}));
    std::vector<CareRelationship> out;
    for (const auto& row : rows) {
      CareRelationship c;
      HIPPO_ASSIGN_OR_RETURN(c.id, row.text(0));
      HIPPO_ASSIGN_OR_RETURN(c.status, row.text(1));
      HIPPO_ASSIGN_OR_RETURN(c.practitioner_id, row.text(2));
      HIPPO_ASSIGN_OR_RETURN(c.practitioner_name, row.text(3));
      HIPPO_ASSIGN_OR_RETURN(c.patient_id, row.text(4));
      HIPPO_ASSIGN_OR_RETURN(c.patient_name, row.text(5));
      HIPPO_ASSIGN_OR_RETURN(c.patient_email, row.text(6));
      HIPPO_ASSIGN_OR_RETURN(c.created_at, row.int64(7));
      HIPPO_ASSIGN_OR_RETURN(c.activated_at, row.int64(8));
      HIPPO_ASSIGN_OR_RETURN(c.ended_at, row.int64(9));
      HIPPO_ASSIGN_OR_RETURN(c.practitioner_organisation, row.text(10));
      HIPPO_ASSIGN_OR_RETURN(c.practitioner_rpps, row.text(11));
      out.push_back(std::move(c));
    }
    return out;
  }
}

Result<std::vector<CareRelationship>> CareRelationships::patients_of(
    const auth::SessionInfo& practitioner, bool include_ended,
    const std::string& source_address) {
  const std::string_view column =
      practitioner.account.role == auth::Role::kAssistant ? "assistant_id" : "practitioner_id";
  if (audit_ == nullptr) return list(column, practitioner.account.id, include_ended);
  // The read and its audit records commit together: no read without its record.
  return store_.write([&](store::Transaction& tx) -> Result<std::vector<CareRelationship>> {
    HIPPO_ASSIGN_OR_RETURN(auto list,
                           list_in(tx, column, practitioner.account.id, include_ended));
    for (const auto& c : list) {
      if (c.patient_id.empty()) continue;
      audit::AuditRecord r;
      r.at = clock_.now();
      r.account_id = practitioner.account.id;
      r.session_id = practitioner.session_id;
      r.source_address = source_address;
      r.action = "patients.list";
      r.resource = patient_resource(c.patient_id);
      r.result = "allowed";
      HIPPO_RETURN_IF_ERROR(audit_->append(tx, r));
    }
    return list;
  });
}

Result<std::vector<CareRelationship>> CareRelationships::practitioners_of(
    const auth::SessionInfo& patient, bool include_ended) {
  auto all = list("patient_id", patient.account.id, include_ended);
  if (!all) return all;
  // A patient sees the practitioner's name, not the e-mail the invitation was sent to.
  for (auto& c : *all) c.patient_email.clear();
  return all;
}

Status CareRelationships::end(const auth::SessionInfo& party, std::string_view relationship_id,
                              const std::string& source_address) {
  const std::int64_t now = unix_seconds(clock_.now());
  return store_.write([&](store::Transaction& tx) -> Status {
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t n,
        tx.execute("UPDATE care_relationships SET status = 'ended', ended_at = ?, ended_by = ? "
                   "WHERE id = ? AND status <> 'ended' AND (practitioner_id = ? OR patient_id = ?)",
                   {now, party.account.id, std::string(relationship_id), party.account.id,
                    party.account.id}));
    if (n != 1) {
      return Error::not_found("care_relationship_not_found",
                              "no such ongoing care relationship of yours");
    }
    return audit_change(tx, party, "care.end", relationship_id, "ended", source_address);
  });
}

Status CareRelationships::audit_change(store::Transaction& tx, const auth::SessionInfo& actor,
                                       std::string_view action, std::string_view relationship_id,
                                       std::string_view new_status,
                                       const std::string& source_address) {
  if (audit_ == nullptr) return ok_status();
  HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COALESCE(patient_id, '') FROM "
                                                "care_relationships WHERE id = ?",
                                                {std::string(relationship_id)}));
  std::string patient_id;
  if (row) {
    HIPPO_ASSIGN_OR_RETURN(patient_id, row->text(0));
  }
  auto r = audit_entry(actor, source_address, action,
                       patient_id.empty() ? "care:" + std::string(relationship_id)
                                          : patient_resource(patient_id),
                       "succeeded",
                       "care=" + std::string(relationship_id) + " status=" + std::string(new_status));
  r.at = clock_.now();
  return audit_->append(tx, r);
}

Status CareRelationships::request_link(const auth::SessionInfo& practitioner,
                                       std::string_view patient_email,
                                       const std::string& source_address) {
  HIPPO_ASSIGN_OR_RETURN(std::string email, auth::normalize_email(patient_email));
  const std::int64_t now = unix_seconds(clock_.now());
  struct Outcome {
    std::optional<Error> refusal;
  };
  HIPPO_ASSIGN_OR_RETURN(Outcome outcome, store_.write([&](store::Transaction& tx) -> Result<Outcome> {
    HIPPO_ASSIGN_OR_RETURN(Resource patient, resolve_account_by_email(tx, email));
    if (!patient.exists || patient.role != auth::Role::kPatient) {
      // The same answer as a request that was created: which e-mail addresses have a
      // patient account (in any organisation) is not the practitioner's to learn.
      if (audit_ != nullptr) {
        auto r = audit_entry(practitioner, source_address, "care.request", "patient:unknown",
                             "failed", "no_patient_account");
        r.at = clock_.now();
        HIPPO_RETURN_IF_ERROR(audit_->append(tx, r));
      }
      return Outcome{};
    }
    HIPPO_ASSIGN_OR_RETURN(
        auto existing,
        tx.query_one("SELECT status FROM care_relationships WHERE practitioner_id = ? AND "
                     "patient_id = ? AND status <> 'ended' LIMIT 1",
                     {practitioner.account.id, patient.id}));
    if (existing) {
      // Nothing changes, and the answer is still the one of a request that was created: a
      // second request must not tell an address with an account from one without.
      if (audit_ != nullptr) {
        auto r = audit_entry(practitioner, source_address, "care.request",
                             patient_resource(patient.id), "failed",
                             "care_relationship_exists");
        r.at = clock_.now();
        HIPPO_RETURN_IF_ERROR(audit_->append(tx, r));
      }
      return Outcome{};
    }
    const std::string id = random_id();
    HIPPO_RETURN_IF_ERROR(tx.execute(
        "INSERT INTO care_relationships (id, organisation_id, practitioner_id, patient_id, "
        "invitation_id, status, created_at, activated_at, ended_at, ended_by) "
        "VALUES (?, ?, ?, ?, NULL, 'invited', ?, NULL, NULL, NULL)",
        {id, practitioner.account.organisation_id, practitioner.account.id, patient.id, now}));
    HIPPO_RETURN_IF_ERROR(
        audit_change(tx, practitioner, "care.request", id, "invited", source_address));
    return Outcome{};
  }));
  if (outcome.refusal) return std::move(*outcome.refusal);
  return ok_status();
}

Status CareRelationships::accept(const auth::SessionInfo& patient,
                                 std::string_view relationship_id,
                                 const std::string& source_address) {
  const std::int64_t now = unix_seconds(clock_.now());
  return store_.write([&](store::Transaction& tx) -> Status {
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t n,
        tx.execute("UPDATE care_relationships SET status = 'active', activated_at = ? "
                   "WHERE id = ? AND patient_id = ? AND status = 'invited'",
                   {now, std::string(relationship_id), patient.account.id}));
    if (n != 1) {
      return Error::not_found("care_request_not_found", "no such pending care request for you");
    }
    return audit_change(tx, patient, "care.accept", relationship_id, "active", source_address);
  });
}

Result<bool> CareRelationships::is_active(const std::string& practitioner_id,
                                          const std::string& patient_id) {
  return store_.read([&](store::Transaction& tx) -> Result<bool> {
    HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one(
                                         "SELECT 1 FROM care_relationships WHERE practitioner_id "
                                         "= ? AND patient_id = ? AND status = 'active' LIMIT 1",
                                         {practitioner_id, patient_id}));
    return row.has_value();
  });
}

}  // namespace hippocrate::access
