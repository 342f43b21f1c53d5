// Dispatcher: turns one parsed HttpRequest into an HttpResponse, independent of sockets.
//
// Routing (404/405 with Allow), the handler call (an escaping exception becomes a 500
// "internal_error" whose message reveals nothing), the security headers, and the
// X-Request-Id header. Thread-safe (the router is read-only once serving).
#pragma once

#include <string>

#include "server/http_types.h"
#include "server/router.h"

namespace hippocrate::server {

struct Dispatched {
  HttpResponse response;
  std::string route_template;  // "-" when nothing matched
};

class Dispatcher {
 public:
  explicit Dispatcher(const Router& router) : router_(router) {}

  Dispatched dispatch(const HttpRequest& request, std::string_view request_id) const;

  // For upgrade requests: the WebSocket handler, or the error response to send instead.
  struct Upgrade {
    std::shared_ptr<WebSocketHandler> handler;  // null when `refusal` applies
    Dispatched refusal;
  };
  Upgrade upgrade(const HttpRequest& request, std::string_view request_id) const;

  // Adds the headers every response carries (security headers, X-Request-Id).
  static void finish(const HttpRequest& request, std::string_view request_id,
                     HttpResponse& response);

 private:
  const Router& router_;
};

}  // namespace hippocrate::server
