// What the messaging routes share (device_routes, message_routes, device_socket,
// key_backup_routes): the messaging Actor a session acts as, and the 409 answer of a change
// whose devices do not match the current device lists.
#pragma once

#include "auth/auth_service.h"
#include "messaging/messaging_types.h"
#include "server/router.h"

namespace hippocrate::server {

messaging::Actor actor_of(const RequestContext& ctx, const auth::SessionInfo& session);

// 409 {"error":{"code":"device_list_mismatch",...},"devices":{account: [device ids]}}: the
// current devices of each account concerned.
HttpResponse mismatch_response(const messaging::DeviceMap& devices);

}  // namespace hippocrate::server
