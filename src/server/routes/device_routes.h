// Device and prekey routes (docs/messaging.md), adapters of src/messaging/devices.h and
// prekeys.h:
//   PUT  /api/v1/devices/{device_id}                    register a device + signed list
//   PUT  /api/v1/me/device-list                         upload a new signed device list
//   GET  /api/v1/me/devices                             one's devices
//   GET  /api/v1/accounts/{account_id}/devices          a contact's current devices
//   GET  /api/v1/contacts                               the accounts one may message
//   POST /api/v1/devices/{device_id}/revoke             revoke one's device
//   PUT  /api/v1/devices/{device_id}/prekeys            upload prekeys
//   GET  /api/v1/devices/{device_id}/prekeys/count      how many one-time prekeys are left
//   POST /api/v1/accounts/{account_id}/prekey-bundles   claim bundles (one-time keys once)
#pragma once

#include "auth/auth_service.h"
#include "messaging/messaging_service.h"
#include "server/router.h"

namespace hippocrate::server {

// `auth` and `svc` must outlive the router.
void add_device_routes(Router& router, auth::AuthService& auth, messaging::MessagingService& svc);

}  // namespace hippocrate::server
