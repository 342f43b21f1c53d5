#include "server/json_fields.h"

#include <sodium.h>

#include <boost/json.hpp>

#include "base/ids.h"

namespace hippocrate::server {
namespace {

Error missing(std::string_view key) {
  return Error::invalid_argument("missing_field",
                                 "the field '" + std::string(key) + "' is required");
}
// base64url text length for `n` bytes (no padding), to bound a field before decoding.
constexpr std::size_t b64_length(std::size_t n) { return (n * 4 + 2) / 3; }

}  // namespace

Error invalid_field(std::string_view key, std::string_view what) {
  return Error::invalid_argument("invalid_field",
                                 "the field '" + std::string(key) + "' " + std::string(what));
}

Result<std::optional<std::string>> optional_string(const boost::json::object& body,
                                                   std::string_view key, std::size_t max_bytes) {
  const auto* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return invalid_field(key, "must be a string");
  const auto& s = v->get_string();
  if (s.size() > max_bytes) return invalid_field(key, "is too long");
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
  if (!v->is_string()) return invalid_field(key, "must be a string");
  auto& s = v->get_string();
  if (s.empty()) return missing(key);
  SecretBytes out = SecretBytes::from(std::string_view(s.data(), s.size()));
  sodium_memzero(s.data(), s.size());
  return out;
}

Result<std::int64_t> required_int(const boost::json::object& body, std::string_view key) {
  const auto* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return missing(key);
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  return invalid_field(key, "must be an integer");
}

Result<Bytes> required_blob(const boost::json::object& body, std::string_view key,
                            std::size_t max_bytes) {
  HIPPO_ASSIGN_OR_RETURN(std::string text, required_string(body, key, b64_length(max_bytes)));
  auto bytes = base64url_decode(text);
  if (!bytes) return invalid_field(key, "must be base64url without padding");
  return std::move(*bytes);
}

Result<std::optional<Bytes>> optional_blob(const boost::json::object& body, std::string_view key,
                                           std::size_t max_bytes) {
  if (const auto* v = body.if_contains(key); v == nullptr || v->is_null()) {
    return std::optional<Bytes>();
  }
  HIPPO_ASSIGN_OR_RETURN(Bytes b, required_blob(body, key, max_bytes));
  return std::optional<Bytes>(std::move(b));
}

Result<std::optional<std::vector<std::string>>> optional_ids(const boost::json::object& body,
                                                             std::string_view key,
                                                             std::size_t max) {
  const auto* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::vector<std::string>>();
  if (!v->is_array()) return invalid_field(key, "must be an array of ids");
  const auto& a = v->get_array();
  if (a.size() > max) return invalid_field(key, "holds too many ids");
  std::vector<std::string> out;
  for (const auto& e : a) {
    if (!e.is_string() || e.get_string().size() != kIdHexLength) {
      return invalid_field(key, "must hold 32-hex ids");
    }
    out.emplace_back(e.get_string().data(), e.get_string().size());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::vector<std::string>> required_ids(const boost::json::object& body, std::string_view key,
                                              std::size_t max) {
  HIPPO_ASSIGN_OR_RETURN(auto ids, optional_ids(body, key, max));
  if (!ids) return missing(key);
  return std::move(*ids);
}

}  // namespace hippocrate::server
