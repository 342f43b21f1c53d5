// Headers added to every response (docs/security.md):
//   Strict-Transport-Security: max-age=31536000; includeSubDomains
//   X-Content-Type-Options: nosniff
//   Referrer-Policy: no-referrer
//   Permissions-Policy: camera and microphone for the own origin only, nothing else
//   Content-Security-Policy: default-src 'none'; frame-ancestors 'none'   (API responses)
//   Cache-Control: no-store                                                (API responses)
// A handler may set its own Content-Security-Policy (the web app will); Cache-Control is
// forced to no-store on /api/ and /healthz whatever the handler set.
#pragma once

#include <string_view>

#include "server/http_types.h"

namespace hippocrate::server {

void apply_security_headers(std::string_view path, HttpResponse& response);

}  // namespace hippocrate::server
