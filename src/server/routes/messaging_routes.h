// Messaging routes (docs/messaging.md): devices, prekeys, send / fetch / ack, and the
// per-device WebSocket for live delivery. These files are only the HTTP/WebSocket adapter:
// the rules live in src/messaging/ (which never depends on the server).
//   device_routes.h    devices, the device list, contacts, revocation, prekeys
//   message_routes.h   send, fetch, ack, refuse, undelivered notices
//   device_socket.h    GET /api/v1/devices/{device_id}/socket (push + send/ack frames)
//   messaging_helpers.h  what they share (the Actor of a session, the mismatch answer)
#pragma once

#include "auth/auth_service.h"
#include "messaging/messaging_service.h"
#include "server/router.h"

namespace hippocrate::server {

// `auth` and `svc` must outlive the router and every connection it serves.
void add_messaging_routes(Router& router, auth::AuthService& auth,
                          messaging::MessagingService& svc);

}  // namespace hippocrate::server
