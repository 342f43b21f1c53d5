// The one place where an Error and an HTTP status meet, both ways: the server answers an
// Error with status_for (server/http_status.h adds the JSON body), a client turns the answer
// back into an Error with error_from_response. Both read the same table, so a status cannot
// mean one kind to the server and another to a client.
//
// Wire format of every error (docs/api.md "Errors"):
//   {"error":{"code":"stable_snake_case","message":"plain words"}}
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace hippocrate::http {

// The status of `error`: the more precise status of its code if it has one (e.g.
// "payload_too_large" → 413), else its kind's (invalid_argument 400, unauthenticated 401,
// permission_denied 403, not_found 404, conflict and failed_precondition 409,
// resource_exhausted 429, unavailable 503, internal and data_loss 500).
int status_for(const Error& error);

// The Error with `code` and `message` whose kind is the one `status` stands for: the first
// kind of that status (409 → conflict, 500 → internal), or the kind of the code with that
// precise status (413, 431 → resource_exhausted; 405, 415 → invalid_argument; 408 →
// unavailable); any other status → internal.
Error error_for_status(int status, std::string code, std::string message);

// The Error an HTTP error answer stands for: the code and message of its JSON error body
// (without one, "http_<status>" and "the server answered HTTP <status>"), the kind of its
// status (error_for_status).
Error error_from_response(int status, std::string_view body);

}  // namespace hippocrate::http
