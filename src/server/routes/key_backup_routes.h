// Key backup routes (docs/api.md "Key backup", docs/messaging.md "Key backup"): the caller's
// own backup of its account key, an opaque blob sealed on the client.
//   PUT    /api/v1/me/key-backup   {"backup": b64url, "version": int} → 200 {"version"}
//   GET    /api/v1/me/key-backup   → 200 {"backup","version","updated_at"} (recent step-up)
//   DELETE /api/v1/me/key-backup   → 204 (recent step-up)
#pragma once

#include "auth/auth_service.h"
#include "messaging/key_backups.h"
#include "server/router.h"

namespace hippocrate::server {

void add_key_backup_routes(Router& router, auth::AuthService& auth, messaging::KeyBackups& backups);

}  // namespace hippocrate::server
