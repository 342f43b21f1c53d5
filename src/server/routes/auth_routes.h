// Authentication routes (docs/api.md "Authentication"): invitations, login/logout, the
// caller's account, second factor enrolment, step-up, password change, sessions, security
// events. `auth` must outlive the router.
#pragma once

#include "auth/auth_service.h"
#include "server/router.h"

namespace hippocrate::server {

void add_auth_routes(Router& router, auth::AuthService& auth);

}  // namespace hippocrate::server
