// Account administration within ONE organisation (tenant isolation): an administrator lists,
// reads, disables and re-enables the accounts of its own organisation only. Another
// organisation's account answers "account_not_found" (404) — its existence is never
// revealed — and the attempt is audited. Administrators see account metadata (name, e-mail,
// role, status, second factor), never patient content nor care relationships.
//
// Disabling an account ends its sessions at once and refuses its logins until re-enabled.
// An administrator cannot disable itself ("cannot_disable_self"), so an organisation never
// locks out its last administrator by accident. Every change is audited in the same
// transaction; reads of a single account are audited too.
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

struct AccountSummary {
  std::string id;
  std::string email;
  std::string display_name;
  std::string role;
  std::string status;  // active | locked | disabled
  bool second_factor = false;
  std::int64_t created_at = 0;
  std::string rpps;  // a practitioner's attested RPPS number; empty when none
};

// Whether `rpps` has the shape of an RPPS number: exactly 11 ASCII digits. (Some RPPS
// numbers fail a Luhn check, so none is applied: the administrator who attests the number
// checks it against the national directory, Annuaire Santé.)
bool is_rpps_shaped(std::string_view rpps);

class OrganisationAccounts {
 public:
  OrganisationAccounts(store::Store& store, const Clock& clock, const audit::AuditLog& audit)
      : store_(store), clock_(clock), audit_(audit) {}

  Result<std::vector<AccountSummary>> list(const auth::SessionInfo& admin);
  Result<AccountSummary> read(const auth::SessionInfo& admin, std::string_view account_id,
                              const std::string& source_address);
  // `enable` = false disables (and revokes every session), true re-enables.
  Result<AccountSummary> set_enabled(const auth::SessionInfo& admin, std::string_view account_id,
                                     bool enable, const std::string& source_address);
  // An administrator attests the RPPS number of a practitioner of its organisation (after
  // checking it in the national directory); patients see it, with the organisation, before
  // accepting the practitioner's care request. Errors: "account_not_found" (404, as for
  // the other routes), "invalid_rpps" (400: not 11 digits), "not_a_practitioner" (409),
  // "rpps_taken" (409: another account has it). Audited "account.set_rpps".
  Result<AccountSummary> set_rpps(const auth::SessionInfo& admin, std::string_view account_id,
                                  std::string_view rpps, const std::string& source_address);

 private:
  store::Store& store_;
  const Clock& clock_;
  const audit::AuditLog& audit_;
};

}  // namespace hippocrate::access
