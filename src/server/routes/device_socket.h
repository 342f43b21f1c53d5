// The per-device WebSocket of live delivery (docs/messaging.md):
//   GET /api/v1/devices/{device_id}/socket   push of envelopes and notices, send/ack frames
// (binary frames of messaging/wire_frame.h). The upgrade goes through the same guard as
// every protected route (session_guard.h, action "message.socket"); a session not yet bound
// to a device becomes this device's, a bound one may only open its own device's socket.
#pragma once

#include "auth/auth_service.h"
#include "messaging/messaging_service.h"
#include "server/router.h"

namespace hippocrate::server {

// `auth` and `service` must outlive the router and every socket it opens.
Route device_socket_route(auth::AuthService& auth, messaging::MessagingService& service);

}  // namespace hippocrate::server
