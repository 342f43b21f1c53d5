// Router: the registry of every HTTP and WebSocket route.
//
// Each route declares its method, a path template ("/api/v1/accounts/{id}"), the action
// that authorization will check, and its handler. The router refuses — at start-up, by
// throwing std::logic_error, because it is a programming error — a route without an action,
// a malformed template, or a duplicate. The registry is also what the authorization matrix
// test iterates over, so a new route cannot escape review.
//
// Thread-safety: routes are added before the server starts; matching is then read-only and
// may run on any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "server/http_types.h"
#include "server/websocket.h"

namespace hippocrate::server {

// The action of routes anyone may call without credentials.
inline constexpr std::string_view kPublicAction = "public";

using PathParams = std::map<std::string, std::string, std::less<>>;

struct RequestContext {
  const HttpRequest& request;
  const PathParams& params;
  std::string_view route_template;
  std::string_view request_id;
};

using Handler = std::function<HttpResponse(const RequestContext&)>;
// Called on an upgrade request; returns the handler for the new connection, or an Error
// that is answered as a normal HTTP error response (no upgrade).
using WebSocketFactory =
    std::function<Result<std::shared_ptr<WebSocketHandler>>(const RequestContext&)>;

struct Route {
  std::string method;          // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string path_template;   // literal segments and {name} captures
  std::string action;          // what authorization checks; kPublicAction for public routes
  Handler handler;             // for plain HTTP routes
  WebSocketFactory websocket;  // for WebSocket routes (method GET)
};

class Router {
 public:
  void add(Route route);

  struct Match {
    const Route* route;
    PathParams params;
  };
  // Errors: "not_found" (404) when no template matches the path (and the fallback does not
  // take it); "method_not_allowed" (405) when one matches but not for this method.
  Result<Match> match(std::string_view method, std::string_view path) const;
  // The route for a GET that no template matches and whose path is outside /api/ (the web
  // app: its files and its client-side routes). Its template names it in the access log
  // (e.g. "/{app}"); its action is kPublicAction. Set once, before serving.
  void set_fallback(Route route);
  const Route* fallback() const { return fallback_.get(); }
  // The methods registered for `path` (for the Allow header), e.g. "GET, POST".
  std::string allowed_methods(std::string_view path) const;

  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  std::vector<std::unique_ptr<Route>> routes_;
  std::unique_ptr<Route> fallback_;
};

}  // namespace hippocrate::server
