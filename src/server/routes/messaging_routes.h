// Messaging routes (docs/messaging.md): devices, prekeys, send / fetch / ack, and the
// per-device WebSocket for live delivery. This file is only the HTTP/WebSocket adapter:
// the rules live in src/messaging/ (which never depends on the server).
//   PUT  /api/v1/devices/{device_id}                    register a device + signed list
//   PUT  /api/v1/me/device-list                         upload a new signed device list
//   GET  /api/v1/me/devices                             one's devices
//   GET  /api/v1/accounts/{account_id}/devices          a contact's current devices
//   GET  /api/v1/contacts                               the accounts one may message
//   POST /api/v1/devices/{device_id}/revoke             revoke one's device
//   PUT  /api/v1/devices/{device_id}/prekeys            upload prekeys
//   GET  /api/v1/devices/{device_id}/prekeys/count      how many one-time prekeys are left
//   POST /api/v1/accounts/{account_id}/prekey-bundles   claim bundles (one-time keys once)
//   POST /api/v1/messages                               send
//   GET  /api/v1/devices/{device_id}/messages           fetch pending envelopes
//   POST /api/v1/devices/{device_id}/messages/ack       acknowledge (deletes them)
//   GET  /api/v1/devices/{device_id}/socket             WebSocket: push + send/ack frames
#pragma once

#include "auth/auth_service.h"
#include "messaging/messaging_service.h"
#include "server/router.h"

namespace hippocrate::server {

// `auth` and `messaging` must outlive the router and every connection it serves.
void add_messaging_routes(Router& router, auth::AuthService& auth,
                          messaging::MessagingService& messaging);

}  // namespace hippocrate::server
