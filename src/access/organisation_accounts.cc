#include "access/organisation_accounts.h"

#include <optional>

#include "access/audit_entry.h"
#include "access/resource.h"
#include "audit/audit_log.h"

namespace hippocrate::access {
namespace {

constexpr const char* kColumns =
    "a.id, a.email, a.display_name, a.role, a.status, "
    "(SELECT COUNT(*) FROM totp_factors t WHERE t.account_id = a.id AND t.confirmed_at IS NOT "
    "NULL), a.created_at, COALESCE(a.rpps, '')";

Result<AccountSummary> decode(const store::Row& row) {
  AccountSummary a;
  HIPPO_ASSIGN_OR_RETURN(a.id, row.text(0));
  HIPPO_ASSIGN_OR_RETURN(a.email, row.text(1));
  HIPPO_ASSIGN_OR_RETURN(a.display_name, row.text(2));
  HIPPO_ASSIGN_OR_RETURN(a.role, row.text(3));
  HIPPO_ASSIGN_OR_RETURN(a.status, row.text(4));
  HIPPO_ASSIGN_OR_RETURN(std::int64_t factors, row.int64(5));
  a.second_factor = factors > 0;
  HIPPO_ASSIGN_OR_RETURN(a.created_at, row.int64(6));
  HIPPO_ASSIGN_OR_RETURN(a.rpps, row.text(7));
  return a;
}

Result<AccountSummary> load(store::Transaction& tx, const std::string& id) {
  HIPPO_ASSIGN_OR_RETURN(
      auto row,
      tx.query_one(std::string("SELECT ") + kColumns + " FROM accounts a WHERE a.id = ?", {id}));
  if (!row) return Error::not_found("account_not_found", "no such account in your organisation");
  return decode(*row);
}

Error account_not_found() {
  return Error::not_found("account_not_found", "no such account in your organisation");
}

// The audit record of an administrator's `action` on account `id`, in `tx`.
Status record(const audit::AuditLog& audit, store::Transaction& tx, const Clock& clock,
              const auth::SessionInfo& admin, const std::string& source_address,
              std::string_view action, const std::string& id, std::string_view result,
              std::string detail) {
  auto r = audit_entry(admin, source_address, action, account_resource(id), result,
                       std::move(detail));
  r.at = clock.now();
  return audit.append(tx, r);
}

}  // namespace

Result<std::vector<AccountSummary>> OrganisationAccounts::list(const auth::SessionInfo& admin) {
  return store_.read([&](store::Transaction& tx) -> Result<std::vector<AccountSummary>> {
    HIPPO_ASSIGN_OR_RETURN(
        auto rows, tx.query(std::string("SELECT ") + kColumns +
                                " FROM accounts a WHERE a.organisation_id = ? ORDER BY a.email",
                            {admin.account.organisation_id}));
    std::vector<AccountSummary> out;
    for (const auto& row : rows) {
      HIPPO_ASSIGN_OR_RETURN(AccountSummary a, decode(row));
      out.push_back(std::move(a));
    }
    return out;
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
        HIPPO_RETURN_IF_ERROR(record(audit_, tx, clock_, admin, source_address, "account.read",
                                     id, decision ? "allowed" : "denied", decision.reason));
        if (!decision) return std::optional<AccountSummary>();
        HIPPO_ASSIGN_OR_RETURN(AccountSummary a, load(tx, id));
        return std::optional<AccountSummary>(std::move(a));
      }));
  if (!found) return account_not_found();
  return std::move(*found);
}

Result<AccountSummary> OrganisationAccounts::set_enabled(const auth::SessionInfo& admin,
                                                         std::string_view account_id,
                                                         bool enable,
                                                         const std::string& source_address) {
  const std::string id(account_id);
  const std::string_view action = enable ? "account.enable" : "account.disable";
  const std::int64_t now = unix_seconds(clock_.now());
  struct Outcome {
    std::optional<AccountSummary> account;
    std::optional<Error> refusal;
  };
  HIPPO_ASSIGN_OR_RETURN(
      Outcome outcome, store_.write([&](store::Transaction& tx) -> Result<Outcome> {
        HIPPO_ASSIGN_OR_RETURN(Resource target, resolve_account(tx, id));
        const Decision decision = authorize(subject_of(admin), action, target);
        std::optional<Error> refusal;
        if (!decision) {
          refusal = account_not_found();
        } else if (!enable && id == admin.account.id) {
          refusal = Error::conflict("cannot_disable_self",
                                    "an administrator cannot disable its own account");
        }
        if (refusal) {
          HIPPO_RETURN_IF_ERROR(record(audit_, tx, clock_, admin, source_address, action, id,
                                       "denied",
                                       decision ? std::string(refusal->code()) : decision.reason));
          return Outcome{std::nullopt, std::move(refusal)};
        }
        HIPPO_ASSIGN_OR_RETURN(AccountSummary before, load(tx, id));
        std::string detail = "status=" + before.status + "->";
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
        detail += after.status;
        HIPPO_RETURN_IF_ERROR(record(audit_, tx, clock_, admin, source_address, action, id,
                                     "succeeded", detail));
        return Outcome{std::move(after), std::nullopt};
      }));
  if (outcome.refusal) return std::move(*outcome.refusal);
  return std::move(*outcome.account);
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
  struct Outcome {
    std::optional<AccountSummary> account;
    std::optional<Error> refusal;
  };
  HIPPO_ASSIGN_OR_RETURN(
      Outcome outcome, store_.write([&](store::Transaction& tx) -> Result<Outcome> {
        HIPPO_ASSIGN_OR_RETURN(Resource target, resolve_account(tx, id));
        const Decision decision = authorize(subject_of(admin), kAction, target);
        std::optional<Error> refusal;
        if (!decision) {
          refusal = account_not_found();
        } else if (target.role != auth::Role::kPractitioner) {
          refusal = Error::conflict("not_a_practitioner",
                                    "only a practitioner's account has an RPPS number");
        } else {
          HIPPO_ASSIGN_OR_RETURN(
              auto other, tx.query_one("SELECT 1 FROM accounts WHERE rpps = ? AND id <> ?",
                                       {number, id}));
          if (other) {
            refusal = Error::conflict("rpps_taken", "another account has this RPPS number");
          }
        }
        if (refusal) {
          HIPPO_RETURN_IF_ERROR(record(audit_, tx, clock_, admin, source_address, kAction, id,
                                       "denied",
                                       decision ? std::string(refusal->code()) : decision.reason));
          return Outcome{std::nullopt, std::move(refusal)};
        }
        HIPPO_RETURN_IF_ERROR(tx.execute(
            "UPDATE accounts SET rpps = ?, rpps_attested_by = ?, rpps_attested_at = ? "
            "WHERE id = ?",
            {number, admin.account.id, unix_seconds(clock_.now()), id}));
        HIPPO_RETURN_IF_ERROR(record(audit_, tx, clock_, admin, source_address, kAction, id,
                                     "succeeded", "rpps=" + number));
        HIPPO_ASSIGN_OR_RETURN(AccountSummary after, load(tx, id));
        return Outcome{std::move(after), std::nullopt};
      }));
  if (outcome.refusal) return std::move(*outcome.refusal);
  return std::move(*outcome.account);
}

}  // namespace hippocrate::access
