// The one place where an Error becomes an HTTP status and a JSON error body.
//
// Wire format of every error (docs/api.md):
//   {"error":{"code":"stable_snake_case","message":"plain words"}}
#pragma once

#include "base/error.h"
#include "server/http_types.h"

namespace hippocrate::server {

int http_status_for(const Error& error);

// A complete JSON error response for `error` (status from http_status_for, unless the
// error code has a more precise status, e.g. "payload_too_large" → 413).
HttpResponse error_response(const Error& error);

}  // namespace hippocrate::server
