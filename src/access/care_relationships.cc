#include "access/care_relationships.h"

#include "access/access_log.h"
#include "access/audit_entry.h"
#include "access/resource.h"
#include "audit/audit_log.h"
#include "base/ids.h"
#include "store/row_decode.h"

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
  return store_.read(
      [&](store::Transaction& tx) { return list_in(tx, column, id, include_ended); });
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
      "WHERE " +
      where_for(column) + " AND (? = 1 OR c.status <> 'ended') ORDER BY c.created_at";
  HIPPO_ASSIGN_OR_RETURN(auto rows, tx.query(sql, {id, std::int64_t{include_ended ? 1 : 0}}));
  return store::decode_rows<CareRelationship>(rows, [](const store::Row& row, CareRelationship& c) {
    return store::read_columns(row, c.id, c.status, c.practitioner_id, c.practitioner_name,
                               c.patient_id, c.patient_name, c.patient_email, c.created_at,
                               c.activated_at, c.ended_at, c.practitioner_organisation,
                               c.practitioner_rpps);
  });
}

Result<std::vector<CareRelationship>> CareRelationships::patients_of(
    const auth::SessionInfo& practitioner, bool include_ended, const std::string& source_address) {
  const std::string_view column =
      practitioner.account.role == auth::Role::kAssistant ? "assistant_id" : "practitioner_id";
  // The read and its audit records commit together: no read without its record.
  return store_.write([&](store::Transaction& tx) -> Result<std::vector<CareRelationship>> {
    HIPPO_ASSIGN_OR_RETURN(auto list, list_in(tx, column, practitioner.account.id, include_ended));
    for (const auto& c : list) {
      if (c.patient_id.empty()) continue;
      HIPPO_RETURN_IF_ERROR(append_audit_entry(audit_, tx, clock_, practitioner, source_address,
                                               "patients.list", patient_resource(c.patient_id),
                                               "allowed"));
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
  HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COALESCE(patient_id, '') FROM "
                                                "care_relationships WHERE id = ?",
                                                {std::string(relationship_id)}));
  std::string patient_id;
  if (row) {
    HIPPO_ASSIGN_OR_RETURN(patient_id, row->text(0));
  }
  return append_audit_entry(
      audit_, tx, clock_, actor, source_address, action,
      patient_id.empty() ? "care:" + std::string(relationship_id) : patient_resource(patient_id),
      "succeeded", "care=" + std::string(relationship_id) + " status=" + std::string(new_status));
}

Status CareRelationships::request_link(const auth::SessionInfo& practitioner,
                                       std::string_view patient_email,
                                       const std::string& source_address) {
  HIPPO_ASSIGN_OR_RETURN(std::string email, auth::normalize_email(patient_email));
  const std::int64_t now = unix_seconds(clock_.now());
  // Every outcome commits (its audit record must stay) and answers the same.
  return store_.write([&](store::Transaction& tx) -> Status {
    HIPPO_ASSIGN_OR_RETURN(Resource patient, resolve_account_by_email(tx, email));
    if (!patient.exists || patient.role != auth::Role::kPatient) {
      // The same answer as a request that was created: which e-mail addresses have a
      // patient account (in any organisation) is not the practitioner's to learn.
      HIPPO_RETURN_IF_ERROR(append_audit_entry(audit_, tx, clock_, practitioner, source_address,
                                               "care.request", "patient:unknown", "failed",
                                               "no_patient_account"));
      return ok_status();
    }
    HIPPO_ASSIGN_OR_RETURN(
        auto existing,
        tx.query_one("SELECT status FROM care_relationships WHERE practitioner_id = ? AND "
                     "patient_id = ? AND status <> 'ended' LIMIT 1",
                     {practitioner.account.id, patient.id}));
    if (existing) {
      // Nothing changes, and the answer is still the one of a request that was created: a
      // second request must not tell an address with an account from one without.
      HIPPO_RETURN_IF_ERROR(append_audit_entry(audit_, tx, clock_, practitioner, source_address,
                                               "care.request", patient_resource(patient.id),
                                               "failed", "care_relationship_exists"));
      return ok_status();
    }
    const std::string id = random_id();
    HIPPO_RETURN_IF_ERROR(tx.execute(
        "INSERT INTO care_relationships (id, organisation_id, practitioner_id, patient_id, "
        "invitation_id, status, created_at, activated_at, ended_at, ended_by) "
        "VALUES (?, ?, ?, ?, NULL, 'invited', ?, NULL, NULL, NULL)",
        {id, practitioner.account.organisation_id, practitioner.account.id, patient.id, now}));
    return audit_change(tx, practitioner, "care.request", id, "invited", source_address);
  });
}

Status CareRelationships::accept(const auth::SessionInfo& patient, std::string_view relationship_id,
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
    HIPPO_ASSIGN_OR_RETURN(auto row,
                           tx.query_one("SELECT 1 FROM care_relationships WHERE practitioner_id "
                                        "= ? AND patient_id = ? AND status = 'active' LIMIT 1",
                                        {practitioner_id, patient_id}));
    return row.has_value();
  });
}

}  // namespace hippocrate::access
