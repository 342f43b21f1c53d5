// JSON request parsing and JSON responses for handlers.
#pragma once

#include <boost/json/value.hpp>

#include "base/result.h"
#include "server/http_types.h"

namespace hippocrate::server {

// Parses the request body as JSON. Errors: "unsupported_media_type" (415) when the
// Content-Type is not application/json; "malformed_json" (400) when the body does not parse,
// nests deeper than 32 levels, or is not an object.
Result<boost::json::object> parse_json_body(const HttpRequest& request);

HttpResponse json_response(int status, const boost::json::value& body);

}  // namespace hippocrate::server
