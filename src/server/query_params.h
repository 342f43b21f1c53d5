// Query strings (RFC 3986 §3.4, application/x-www-form-urlencoded): "a=1&b=x%20y" → {a: "1",
// b: "x y"}. Errors "invalid_query" (400): bad percent-encoding, a repeated or unknown key
// (when `allowed` is given), a key or value over 256 bytes, more than 32 pairs. Values are
// decoded bytes: handlers still validate them.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hippocrate::server {

using QueryParams = std::map<std::string, std::string, std::less<>>;

Result<QueryParams> parse_query(std::string_view query,
                                const std::vector<std::string_view>& allowed = {});

}  // namespace hippocrate::server
