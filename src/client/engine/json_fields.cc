#include "client/engine/json_fields.h"

namespace hippocrate::client {

std::string json_string(const boost::json::object& object, std::string_view key,
                        std::string_view fallback) {
  const auto* v = object.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::string(fallback);
  return std::string(v->get_string());
}

std::int64_t json_int(const boost::json::object& object, std::string_view key,
                      std::int64_t fallback) {
  const auto* v = object.if_contains(key);
  if (v == nullptr) return fallback;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  return fallback;
}

bool json_bool(const boost::json::object& object, std::string_view key, bool fallback) {
  const auto* v = object.if_contains(key);
  return v != nullptr && v->is_bool() ? v->get_bool() : fallback;
}

const boost::json::object& json_object(const boost::json::object& object, std::string_view key) {
  static const boost::json::object kEmpty;
  const auto* v = object.if_contains(key);
  return v != nullptr && v->is_object() ? v->get_object() : kEmpty;
}

const boost::json::array& json_array(const boost::json::object& object, std::string_view key) {
  static const boost::json::array kEmpty;
  const auto* v = object.if_contains(key);
  return v != nullptr && v->is_array() ? v->get_array() : kEmpty;
}

}  // namespace hippocrate::client
