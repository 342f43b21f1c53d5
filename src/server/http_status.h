// The JSON error response of an Error. Its status comes from http/status.h, the one table
// of statuses the HTTPS client reads answers back with.
//
// Wire format of every error (docs/api.md):
//   {"error":{"code":"stable_snake_case","message":"plain words"}}
#pragma once

#include "base/error.h"
#include "server/http_types.h"

namespace hippocrate::server {

// A complete JSON error response for `error` (status from http::status_for: its kind's,
// unless the error code has a more precise status, e.g. "payload_too_large" → 413).
HttpResponse error_response(const Error& error);

}  // namespace hippocrate::server
