#include "access/organisation_accounts.h"

#include <functional>
#include <optional>

#include "access/audit_entry.h"
#include "access/resource.h"
#include "audit/audit_log.h"
#include "store/row_decode.h"

namespace hippocrate::access {
namespace {

constexpr const char* kColumns =
    "a.id, a.email, a.display_name, a.role, a.status, "
    "(SELECT COUNT(*) FROM totp_factors t WHERE t.account_id = a.id AND t.confirmed_at IS NOT "
    "NULL), a.created_at, COALESCE(a.rpps, '')";

// A row of kColumns (the factor count reads as whether one is confirmed).
Status decode(const store::Row& row, AccountSummary& a) {
  return store::read_columns(row, a.id, a.email, a.display_name, a.role, a.status, a.second_factor,
                             a.created_at, a.rpps);
}

Result<AccountSummary> load(store::Transaction& tx, const std::string& id) {
  HIPPO_ASSIGN_OR_RETURN(
      auto row,
      tx.query_one(std::string("SELECT ") + kColumns + " FROM accounts a WHERE a.id = ?", {id}));
  if (!row) return Error::not_found("account_not_found", "no such account in your organisation");
  AccountSummary a;
  HIPPO_RETURN_IF_ERROR(decode(*row, a));
  return a;
}

Error account_not_found() {
  return Error::not_found("account_not_found", "no such account in your organisation");
}

// The audit record of an administrator's `action` on account `id`, in `tx`.
Status record(const audit::AuditLog& audit, store::Transaction& tx, const Clock& clock,
              const auth::SessionInfo& admin, const std::string& source_address,
              std::string_view action, const std::string& id, std::string_view result,
              std::string detail) {
  return append_audit_entry(audit, tx, clock, admin, source_address, action, account_resource(id),
                            result, std::move(detail));
}

// What an administrator's change of an account checks before it applies: a refusal of the
// operation's own (std::nullopt when none), once the policy has allowed it.
using RefusalCheck =
    std::function<Result<std::optional<Error>>(store::Transaction&, const Resource& target)>;

// An administrator's `action` on account `id`, in one write transaction: the policy's
// decision, then `refusal_of`; a refusal is recorded ("denied", with the policy's reason
// or the refusal's code) and returned once that record has committed. Otherwise `apply`
// makes the change and records it, and the account as it is after the change is returned.
Result<AccountSummary> change_account(store::Store& store, const audit::AuditLog& audit,
                                      const Clock& clock, const auth::SessionInfo& admin,
                                      const std::string& source_address, std::string_view action,
                                      const std::string& id, const RefusalCheck& refusal_of,
                                      const std::function<Status(store::Transaction&)>& apply) {
  struct Outcome {
    std::optional<AccountSummary> account;
    std::optional<Error> refusal;
  };
  HIPPO_ASSIGN_OR_RETURN(
      Outcome outcome, store.write([&](store::Transaction& tx) -> Result<Outcome> {
        HIPPO_ASSIGN_OR_RETURN(Resource target, resolve_account(tx, id));
        const Decision decision = authorize(subject_of(admin), action, target);
        std::optional<Error> refusal;
        if (!decision) {
          refusal = account_not_found();
        } else {
          HIPPO_ASSIGN_OR_RETURN(refusal, refusal_of(tx, target));
        }
        if (refusal) {
          HIPPO_RETURN_IF_ERROR(record(audit, tx, clock, admin, source_address, action, id,
                                       "denied",
                                       decision ? std::string(refusal->code()) : decision.reason));
          return Outcome{std::nullopt, std::move(refusal)};
        }
        HIPPO_RETURN_IF_ERROR(apply(tx));
        HIPPO_ASSIGN_OR_RETURN(AccountSummary after, load(tx, id));
        return Outcome{std::move(after), std::nullopt};
      }));
  if (outcome.refusal) return std::move(*outcome.refusal);
  return std::move(*outcome.account);
}

}  // namespace

Result<std::vector<AccountSummary>> OrganisationAccounts::list(const auth::SessionInfo& admin) {
  return store_.read([&](store::Transaction& tx) -> Result<std::vector<AccountSummary>> {
    HIPPO_ASSIGN_OR_RETURN(
        auto rows, tx.query(std::string("SELECT ") + kColumns +
                                " FROM accounts a WHERE a.organisation_id = ? ORDER BY a.email",
                            {admin.account.organisation_id}));
    return store::decode_rows<AccountSummary>(rows, decode);
  });
}

Result<AccountSummary> OrganisationAccounts::read(const auth::SessionInfo& admin,
                                                  std::string_view account_id,
                                                  const std::string& source_address) {
  const std::string id(account_id);
  HIPPO_ASSIGN_OR_RETURN(
      std::optional<AccountSummary> found,
      store_.write([&](store::Transaction& tx) -> Result<std::optional<AccountSummary>> {
        HIPPO_ASSIGN_OR_RETURN(Resource target, resolve_account(tx, id));
        const Decision decision = authorize(subject_of(admin), "account.read", target);
        HIPPO_RETURN_IF_ERROR(record(audit_, tx, clock_, admin, source_address, "account.read", id,
                                     decision ? "allowed" : "denied", decision.reason));
        if (!decision) return std::optional<AccountSummary>();
        HIPPO_ASSIGN_OR_RETURN(AccountSummary a, load(tx, id));
        return std::optional<AccountSummary>(std::move(a));
      }));
  if (!found) return account_not_found();
  return std::move(*found);
}

Result<AccountSummary> OrganisationAccounts::set_enabled(const auth::SessionInfo& admin,
                                                         std::string_view account_id, bool enable,
                                                         const std::string& source_address) {
  const std::string id(account_id);
  const std::string_view action = enable ? "account.enable" : "account.disable";
  const std::int64_t now = unix_seconds(clock_.now());
  return change_account(
      store_, audit_, clock_, admin, source_address, action, id,
      [&](store::Transaction&, const Resource&) -> Result<std::optional<Error>> {
        if (enable || id != admin.account.id) return std::optional<Error>();
        return std::optional<Error>(Error::conflict(
            "cannot_disable_self", "an administrator cannot disable its own account"));
      },
      [&](store::Transaction& tx) -> Status {
        HIPPO_ASSIGN_OR_RETURN(AccountSummary before, load(tx, id));
        if (enable) {
          // Re-enabling a disabled account; a locked one is re-opened with account unlock.
          HIPPO_RETURN_IF_ERROR(tx.execute(
              "UPDATE accounts SET status = 'active' WHERE id = ? AND status = 'disabled'", {id}));
        } else {
          HIPPO_RETURN_IF_ERROR(
              tx.execute("UPDATE accounts SET status = 'disabled' WHERE id = ?", {id}));
          HIPPO_RETURN_IF_ERROR(tx.execute(
              "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
              {now, id}));
        }
        HIPPO_ASSIGN_OR_RETURN(AccountSummary after, load(tx, id));
        return record(audit_, tx, clock_, admin, source_address, action, id, "succeeded",
                      "status=" + before.status + "->" + after.status);
      });
}

bool is_rpps_shaped(std::string_view rpps) {
  if (rpps.size() != 11) return false;
  for (char c : rpps) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<AccountSummary> OrganisationAccounts::set_rpps(const auth::SessionInfo& admin,
                                                      std::string_view account_id,
                                                      std::string_view rpps,
                                                      const std::string& source_address) {
  if (!is_rpps_shaped(rpps)) {
    return Error::invalid_argument("invalid_rpps", "an RPPS number has exactly 11 digits");
  }
  const std::string id(account_id);
  const std::string number(rpps);
  constexpr std::string_view kAction = "account.set_rpps";
  return change_account(
      store_, audit_, clock_, admin, source_address, kAction, id,
      [&](store::Transaction& tx, const Resource& target) -> Result<std::optional<Error>> {
        if (target.role != auth::Role::kPractitioner) {
          return std::optional<Error>(Error::conflict(
              "not_a_practitioner", "only a practitioner's account has an RPPS number"));
        }
        HIPPO_ASSIGN_OR_RETURN(
            auto other,
            tx.query_one("SELECT 1 FROM accounts WHERE rpps = ? AND id <> ?", {number, id}));
        if (!other) return std::optional<Error>();
        return std::optional<Error>(
            Error::conflict("rpps_taken", "another account has this RPPS number"));
      },
      [&](store::Transaction& tx) -> Status {
        HIPPO_RETURN_IF_ERROR(
            tx.execute("UPDATE accounts SET rpps = ?, rpps_attested_by = ?, rpps_attested_at = ? "
                       "WHERE id = ?",
                       {number, admin.account.id, unix_seconds(clock_.now()), id}));
        return record(audit_, tx, clock_, admin, source_address, kAction, id, "succeeded",
                      "rpps=" + number);
      });
}

}  // namespace hippocrate::access
