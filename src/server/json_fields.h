// Typed access to fields of a parsed JSON request body, with stable errors:
// "missing_field" / "invalid_field" (400), naming the field.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>

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

}  // namespace hippocrate::server
