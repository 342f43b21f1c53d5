// Account administration within the administrator's organisation (docs/api.md "Accounts"):
//   GET  /api/v1/accounts                 the organisation's accounts
//   GET  /api/v1/accounts/{id}            one account (another organisation's: 404, audited)
//   POST /api/v1/accounts/{id}/disable    disable it and end its sessions
//   POST /api/v1/accounts/{id}/enable     re-enable a disabled account
#pragma once

#include "access/organisation_accounts.h"
#include "auth/auth_service.h"
#include "server/router.h"

namespace hippocrate::server {

void add_account_admin_routes(Router& router, auth::AuthService& auth,
                              access::OrganisationAccounts& accounts);

}  // namespace hippocrate::server
