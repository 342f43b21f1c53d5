// The auditors' read path (docs/api.md "Audit trail"):
//   GET /api/v1/audit/records?account=ID&action=A&resource=R&result=X&from=T&to=T&limit=N
// Records of the auditor's own organisation (acting accounts that belong to it), newest
// first; times are RFC 3339 UTC. Each search is itself an audit record ("audit.search").
#pragma once

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "server/router.h"

namespace hippocrate::server {

void add_audit_routes(Router& router, auth::AuthService& auth, store::Store& store,
                      const audit::AuditLog& audit_log);

}  // namespace hippocrate::server
