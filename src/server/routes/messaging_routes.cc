#include "server/routes/messaging_routes.h"

#include "server/routes/device_routes.h"
#include "server/routes/device_socket.h"
#include "server/routes/message_routes.h"

namespace hippocrate::server {

void add_messaging_routes(Router& router, auth::AuthService& auth,
                          messaging::MessagingService& svc) {
  // A live socket lives no longer than the session it was opened with.
  auth.add_sessions_ended_listener([&svc](const auth::SessionsEnded& ended) {
    svc.live().disconnect_sessions(ended.account_id, ended.session_id, ended.except_session_id);
  });
  add_device_routes(router, auth, svc);
  add_message_routes(router, auth, svc);
  // Live delivery.
  router.add(device_socket_route(auth, svc));
}

}  // namespace hippocrate::server
