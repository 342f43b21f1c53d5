// JSON request parsing and JSON responses for handlers.
//
// A request body is read one way only. RFC 8259 §4 says the names in an object SHOULD be
// unique and leaves duplicates to each implementation (Boost.JSON keeps the last one, other
// parsers the first), and a field the server ignores may mean something to a proxy, a WAF
// or a later version: so a body with a duplicate name at any depth, or with a field its
// route does not declare, is refused before the route reads anything. Every route states
// the fields it accepts in one place, as the required argument of parse_json_body:
//
//   constexpr JsonField kEnvelope[] = {"device_id", "ciphertext"};
//   parse_json_body(request, {"message_id", "recipient", {"envelopes", kEnvelope}});
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <initializer_list>
#include <span>
#include <string_view>

#include "base/result.h"
#include "server/http_types.h"

namespace hippocrate::server {

// One accepted field of an object. With `fields`, the value is an object, or an array of
// objects, whose own fields are checked the same way; without, the field's members are not
// checked here (the route reads a scalar or an array of scalars, and refuses another type).
struct JsonField {
  // Implicit: a route lists its fields as string literals, {"email", "password"}.
  constexpr JsonField(const char* field_name)  // NOLINT(google-explicit-constructor)
      : name(field_name) {}
  constexpr JsonField(std::string_view field_name, std::span<const JsonField> nested)
      : name(field_name), fields(nested) {}
  std::string_view name;
  std::span<const JsonField> fields;
};

// Parses the request body as a JSON object holding only the `accepted` fields. Errors (all
// invalid_argument, 400 unless said otherwise):
//   "unsupported_media_type" (415) when the Content-Type is not application/json;
//   "malformed_json" when the body does not parse, nests deeper than 32 levels, or is not
//     an object;
//   "duplicate_field" when an object, at any depth, holds a name twice (the message names
//     it, as a path such as "envelopes[1].device_id");
//   "unknown_field" when an object holds a field its shape does not accept (named alike).
// Names are echoed only when they are at most 64 printable ASCII characters; others are
// described by their length. The parse allocates from a resource that wipes every block
// before freeing it (the strings may be passwords or codes), whether the body is refused or
// the result destroyed later; take_secret (json_fields.h) still wipes a secret early.
Result<boost::json::object> parse_json_body(const HttpRequest& request,
                                            std::initializer_list<JsonField> accepted);

// The same checks on JSON text, without the Content-Type. The blocks of the parse and of the
// result are wiped, then handed back to `upstream` (nullptr: the default resource), which
// must outlive the result.
Result<boost::json::object> parse_json_object(std::string_view text,
                                              std::span<const JsonField> accepted,
                                              boost::json::memory_resource* upstream = nullptr);

HttpResponse json_response(int status, const boost::json::value& body);

}  // namespace hippocrate::server
