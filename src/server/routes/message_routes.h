// Message routes (docs/messaging.md), adapters of src/messaging/mailbox.h and
// undelivered_notices.h:
//   POST /api/v1/messages                               send
//   GET  /api/v1/devices/{device_id}/messages           fetch pending envelopes
//   POST /api/v1/devices/{device_id}/messages/ack       acknowledge (deletes them)
//   POST /api/v1/devices/{device_id}/messages/refuse    refuse what can never be read
//   GET  /api/v1/devices/{device_id}/undelivered        one's messages never received
//   POST /api/v1/devices/{device_id}/undelivered/ack    acknowledge those notices
#pragma once

#include "auth/auth_service.h"
#include "messaging/messaging_service.h"
#include "server/router.h"

namespace hippocrate::server {

// `auth` and `svc` must outlive the router.
void add_message_routes(Router& router, auth::AuthService& auth, messaging::MessagingService& svc);

}  // namespace hippocrate::server
