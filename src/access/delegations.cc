#include "access/delegations.h"

#include <optional>

#include "access/audit_entry.h"
#include "access/resource.h"
#include "audit/audit_log.h"
#include "base/ids.h"
#include "store/row_decode.h"

namespace hippocrate::access {
namespace {

Error assistant_not_found() {
  return Error::not_found("assistant_not_found",
                          "no assistant account with this e-mail address in your organisation");
}

}  // namespace

Result<Delegation> Delegations::grant(const auth::SessionInfo& practitioner,
                                      std::string_view assistant_email,
                                      const std::string& source_address) {
  HIPPO_ASSIGN_OR_RETURN(std::string email, auth::normalize_email(assistant_email));
  const std::int64_t now = unix_seconds(clock_.now());
  // Outcome of the transaction: a delegation, or the error to return after the refusal's
  // audit record has committed.
  struct Outcome {
    std::optional<Delegation> delegation;
    std::optional<Error> refusal;
  };
  HIPPO_ASSIGN_OR_RETURN(
      Outcome outcome, store_.write([&](store::Transaction& tx) -> Result<Outcome> {
        const Subject subject = subject_of(practitioner);
        HIPPO_ASSIGN_OR_RETURN(Resource assistant, resolve_account_by_email(tx, email));
        const Decision decision = authorize(subject, "delegation.grant", assistant);
        std::optional<Error> refusal;
        if (!decision || assistant.role != auth::Role::kAssistant) {
          // Another organisation's account, no account, or a colleague of another role: one
          // answer, so a grant cannot probe addresses or roles (the audit record says which).
          refusal = assistant_not_found();
        } else {
          HIPPO_ASSIGN_OR_RETURN(auto existing,
                                 tx.query_one("SELECT 1 FROM delegations WHERE practitioner_id = ? "
                                              "AND assistant_id = ? AND revoked_at IS NULL",
                                              {practitioner.account.id, assistant.id}));
          if (existing) {
            refusal = Error::conflict("delegation_exists", "this assistant already acts for you");
          }
        }
        const std::string resource =
            assistant.exists && decision ? account_resource(assistant.id) : "account:unknown";
        if (refusal) {
          std::string reason = decision.reason;
          if (decision) {
            reason = assistant.role != auth::Role::kAssistant ? std::string("not_an_assistant")
                                                              : std::string(refusal->code());
          }
          HIPPO_RETURN_IF_ERROR(append_audit_entry(audit_, tx, clock_, practitioner, source_address,
                                                   "delegation.grant", resource, "denied",
                                                   std::move(reason)));
          return Outcome{std::nullopt, std::move(refusal)};
        }
        Delegation d;
        d.id = random_id();
        d.practitioner_id = practitioner.account.id;
        d.practitioner_name = practitioner.account.display_name;
        d.assistant_id = assistant.id;
        d.assistant_email = email;
        d.created_at = now;
        HIPPO_ASSIGN_OR_RETURN(auto name, tx.query_one("SELECT display_name FROM accounts "
                                                       "WHERE id = ?",
                                                       {assistant.id}));
        if (name) {
          HIPPO_ASSIGN_OR_RETURN(d.assistant_name, name->text(0));
        }
        HIPPO_RETURN_IF_ERROR(tx.execute(
            "INSERT INTO delegations (id, organisation_id, practitioner_id, assistant_id, "
            "created_at) VALUES (?, ?, ?, ?, ?)",
            {d.id, practitioner.account.organisation_id, d.practitioner_id, d.assistant_id, now}));
        HIPPO_RETURN_IF_ERROR(append_audit_entry(audit_, tx, clock_, practitioner, source_address,
                                                 "delegation.grant", resource, "succeeded",
                                                 "delegation=" + d.id));
        return Outcome{std::move(d), std::nullopt};
      }));
  if (outcome.refusal) return std::move(*outcome.refusal);
  return std::move(*outcome.delegation);
}

Status Delegations::revoke(const auth::SessionInfo& practitioner, std::string_view delegation_id,
                           const std::string& source_address) {
  const std::int64_t now = unix_seconds(clock_.now());
  return store_.write([&](store::Transaction& tx) -> Status {
    HIPPO_ASSIGN_OR_RETURN(auto row,
                           tx.query_one("SELECT assistant_id FROM delegations WHERE id = ? AND "
                                        "practitioner_id = ? AND revoked_at IS NULL",
                                        {std::string(delegation_id), practitioner.account.id}));
    if (!row) {
      return Error::not_found("delegation_not_found", "no such current delegation of yours");
    }
    HIPPO_ASSIGN_OR_RETURN(std::string assistant_id, row->text(0));
    HIPPO_RETURN_IF_ERROR(tx.execute("UPDATE delegations SET revoked_at = ? WHERE id = ?",
                                     {now, std::string(delegation_id)}));
    return append_audit_entry(audit_, tx, clock_, practitioner, source_address, "delegation.revoke",
                              account_resource(assistant_id), "succeeded",
                              "delegation=" + std::string(delegation_id));
  });
}

Result<std::vector<Delegation>> Delegations::list(const auth::SessionInfo& party) {
  const bool as_assistant = party.account.role == auth::Role::kAssistant;
  const std::string sql =
      std::string(
          "SELECT d.id, d.practitioner_id, p.display_name, d.assistant_id, "
          "a.display_name, a.email, d.created_at FROM delegations d "
          "JOIN accounts p ON p.id = d.practitioner_id "
          "JOIN accounts a ON a.id = d.assistant_id WHERE d.revoked_at IS NULL AND ") +
      (as_assistant ? "d.assistant_id" : "d.practitioner_id") + " = ? ORDER BY d.created_at";
  return store_.read([&](store::Transaction& tx) -> Result<std::vector<Delegation>> {
    HIPPO_ASSIGN_OR_RETURN(auto rows, tx.query(sql, {party.account.id}));
    return store::decode_rows<Delegation>(rows, [](const store::Row& row, Delegation& d) {
      return store::read_columns(row, d.id, d.practitioner_id, d.practitioner_name, d.assistant_id,
                                 d.assistant_name, d.assistant_email, d.created_at);
    });
  });
}

}  // namespace hippocrate::access
