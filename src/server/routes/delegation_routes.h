// Delegation routes (docs/api.md "Delegation"):
//   GET  /api/v1/delegations               a practitioner's assistants / an assistant's practitioners
//   POST /api/v1/delegations               a practitioner delegates to an assistant {assistant_email}
//   POST /api/v1/delegations/{id}/revoke   the practitioner revokes it
#pragma once

#include "access/delegations.h"
#include "auth/auth_service.h"
#include "server/router.h"

namespace hippocrate::server {

void add_delegation_routes(Router& router, auth::AuthService& auth,
                           access::Delegations& delegations);

}  // namespace hippocrate::server
