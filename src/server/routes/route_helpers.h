// Small pieces every JSON route uses: 204 responses and body-taking handlers whose Errors
// become their JSON error responses (http_status.h maps codes to statuses).
#pragma once

#include <boost/json.hpp>

#include "server/http_status.h"
#include "server/json_body.h"
#include "server/router.h"

namespace hippocrate::server {

inline HttpResponse no_content() {
  HttpResponse r;
  r.status = 204;
  return r;
}

// Parses the JSON body, holding only the `accepted` fields (parse_json_body), then runs
// `f(body)`; any Error becomes its JSON response.
template <typename F>
HttpResponse with_body(const RequestContext& ctx, std::initializer_list<JsonField> accepted,
                       F&& f) {
  auto body = parse_json_body(ctx.request, accepted);
  if (!body) return error_response(body.error());
  Result<HttpResponse> r = f(*body);
  if (!r) return error_response(r.error());
  return std::move(*r);
}

// Runs `f()`; any Error becomes its JSON response.
template <typename F>
HttpResponse or_error(F&& f) {
  Result<HttpResponse> r = f();
  if (!r) return error_response(r.error());
  return std::move(*r);
}

}  // namespace hippocrate::server
