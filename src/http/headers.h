// Headers: the header fields of an HTTP request or response, as the server's handlers
// (server/http_types.h) and the HTTPS client (client/https_client.h) see them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hippocrate::http {

// Header names are stored lower-case; lookups are case-insensitive.
class Headers {
 public:
  void add(std::string_view name, std::string value);
  // Replaces every header of that name.
  void set(std::string_view name, std::string value);
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& all() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

}  // namespace hippocrate::http
