// Lenient accessors for the server's JSON answers: a missing or mistyped field gives the
// fallback, so a newer server adding or changing a field never breaks a client. What a
// field must be for the protocol is checked where it is used (a device list that does not
// decode is refused there, not here).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace hippocrate::client {

std::string json_string(const boost::json::object& object, std::string_view key,
                        std::string_view fallback = "");
std::int64_t json_int(const boost::json::object& object, std::string_view key,
                      std::int64_t fallback = 0);
bool json_bool(const boost::json::object& object, std::string_view key, bool fallback = false);
// The array under `key`, or an empty one.
const boost::json::array& json_array(const boost::json::object& object, std::string_view key);
// The object under `key`, or an empty one.
const boost::json::object& json_object(const boost::json::object& object, std::string_view key);

}  // namespace hippocrate::client
