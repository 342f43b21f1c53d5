// Typed access to fields of a parsed JSON request body, with stable errors:
// "missing_field" / "invalid_field" (400), naming the field. A null field is an absent one.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::server {

Result<std::string> required_string(const boost::json::object& body, std::string_view key,
                                    std::size_t max_bytes = 1024);
Result<std::optional<std::string>> optional_string(const boost::json::object& body,
                                                   std::string_view key,
                                                   std::size_t max_bytes = 1024);
// Copies a secret (password, code) into SecretBytes and wipes it inside the JSON object.
// Values over `max_bytes` are still taken (policy code decides), up to the body limit.
Result<SecretBytes> take_secret(boost::json::object& body, std::string_view key);

// A signed 64-bit integer.
Result<std::int64_t> required_int(const boost::json::object& body, std::string_view key);
// Bytes as base64url without padding, at most `max_bytes` of them: the text is bounded before
// it is decoded.
Result<Bytes> required_blob(const boost::json::object& body, std::string_view key,
                            std::size_t max_bytes);
Result<std::optional<Bytes>> optional_blob(const boost::json::object& body, std::string_view key,
                                           std::size_t max_bytes);
// An array of at most `max` ids (32 hex characters each; the services check what they name).
Result<std::optional<std::vector<std::string>>> optional_ids(const boost::json::object& body,
                                                             std::string_view key, std::size_t max);
Result<std::vector<std::string>> required_ids(const boost::json::object& body, std::string_view key,
                                              std::size_t max);

// "invalid_field": "the field 'KEY' WHAT", for the checks a route makes itself.
Error invalid_field(std::string_view key, std::string_view what);

}  // namespace hippocrate::server
