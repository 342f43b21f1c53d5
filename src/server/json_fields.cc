#include "server/json_fields.h"

#include <sodium.h>

#include <boost/json.hpp>

namespace hippocrate::server {
namespace {

Error missing(std::string_view key) {
  return Error::invalid_argument("missing_field",
                                 "the field '" + std::string(key) + "' is required");
}
Error invalid(std::string_view key, std::string_view what) {
  return Error::invalid_argument("invalid_field",
                                 "the field '" + std::string(key) + "' " + std::string(what));
}

}  // namespace

Result<std::optional<std::string>> optional_string(const boost::json::object& body,
                                                   std::string_view key,
                                                   std::size_t max_bytes) {
  const auto* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return invalid(key, "must be a string");
  const auto& s = v->get_string();
  if (s.size() > max_bytes) return invalid(key, "is too long");
  return std::optional<std::string>(std::string(s.data(), s.size()));
}

Result<std::string> required_string(const boost::json::object& body, std::string_view key,
                                    std::size_t max_bytes) {
  HIPPO_ASSIGN_OR_RETURN(auto value, optional_string(body, key, max_bytes));
  if (!value || value->empty()) return missing(key);
  return std::move(*value);
}

Result<SecretBytes> take_secret(boost::json::object& body, std::string_view key) {
  auto* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return missing(key);
  if (!v->is_string()) return invalid(key, "must be a string");
  auto& s = v->get_string();
  if (s.empty()) return missing(key);
  SecretBytes out = SecretBytes::from(std::string_view(s.data(), s.size()));
  sodium_memzero(s.data(), s.size());
  return out;
}

}  // namespace hippocrate::server
