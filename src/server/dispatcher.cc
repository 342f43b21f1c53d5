#include "server/dispatcher.h"

#include <cstdio>
#include <exception>

#include "server/http_status.h"
#include "server/security_headers.h"

namespace hippocrate::server {
namespace {

Dispatched routing_error(const Router& router, const HttpRequest& request, const Error& error) {
  Dispatched out{error_response(error), "-"};
  if (error.code() == "method_not_allowed") {
    out.response.headers.set("allow", router.allowed_methods(request.path));
  }
  return out;
}

Error internal_error() {
  return Error::internal("internal_error", "an unexpected error occurred; it has been logged");
}

}  // namespace

void Dispatcher::finish(const HttpRequest& request, std::string_view request_id,
                        HttpResponse& response) {
  apply_security_headers(request.path, response);
  response.headers.set("x-request-id", std::string(request_id));
}

Dispatched Dispatcher::dispatch(const HttpRequest& request, std::string_view request_id) const {
  Dispatched out;
  auto match = router_.match(request.method, request.path);
  if (!match) {
    out = routing_error(router_, request, match.error());
  } else if (!match->route->handler) {
    out = {error_response(Error::invalid_argument("upgrade_required",
                                                  "this resource is a WebSocket endpoint")),
           match->route->path_template};
    out.response.status = 426;
    out.response.headers.set("upgrade", "websocket");
  } else {
    out.route_template = match->route->path_template;
    const RequestContext ctx{request, match->params, out.route_template, request_id};
    try {
      out.response = match->route->handler(ctx);
    } catch (const std::exception&) {
      // The exception text may hold internal details: only the route reaches the log.
      std::fprintf(stderr, "error: handler for %s %s threw; request %.*s\n", request.method.c_str(),
                   out.route_template.c_str(), static_cast<int>(request_id.size()),
                   request_id.data());
      out.response = error_response(internal_error());
    }
  }
  finish(request, request_id, out.response);
  return out;
}

Dispatcher::Upgrade Dispatcher::upgrade(const HttpRequest& request,
                                        std::string_view request_id) const {
  Upgrade out;
  auto match = router_.match(request.method, request.path);
  if (!match) {
    out.refusal = routing_error(router_, request, match.error());
  } else if (!match->route->websocket) {
    out.refusal = {error_response(Error::invalid_argument(
                       "not_a_websocket_endpoint", "this resource does not accept WebSocket")),
                   match->route->path_template};
  } else {
    out.refusal.route_template = match->route->path_template;
    const RequestContext ctx{request, match->params, out.refusal.route_template, request_id};
    try {
      auto handler = match->route->websocket(ctx);
      if (handler) {
        out.handler = std::move(*handler);
        return out;
      }
      out.refusal.response = error_response(handler.error());
    } catch (const std::exception&) {
      out.refusal.response = error_response(internal_error());
    }
  }
  finish(request, request_id, out.refusal.response);
  return out;
}

}  // namespace hippocrate::server
