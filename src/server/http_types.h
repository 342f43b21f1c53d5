// Plain HTTP request/response values handed to route handlers.
//
// Handlers never see Boost.Beast types: only the server core (connection.cc,
// http_server.cc and tls_stream.cc) includes Beast/Asio, which keeps those heavy headers in few translation
// units and keeps handlers testable without sockets. The header fields are the plain
// Headers value the HTTPS client uses too (http/headers.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/headers.h"

namespace hippocrate::server {

using http::Headers;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target, e.g. "/api/v1/x?y=1" — never logged
  std::string path;    // target without the query string
  std::string query;   // after '?', without it
  Headers headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1" or "::1"
  // The origins a cookie session may come from (server/allowed_origins.h), set by the
  // server core; owned by the server, which outlives the request. Null (a request not
  // from the server core): no origin is allowed.
  const std::vector<std::string>* allowed_origins = nullptr;
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;
};

// Splits a request-target into path and query.
std::pair<std::string, std::string> split_target(std::string_view target);

}  // namespace hippocrate::server
