#include "server/query_params.h"

#include <algorithm>

namespace hippocrate::server {
namespace {

constexpr std::size_t kMaxPairs = 32;
constexpr std::size_t kMaxBytes = 256;

Error invalid(std::string message) {
  return Error::invalid_argument("invalid_query", std::move(message));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> decode(std::string_view text) {
  if (text.size() > 3 * kMaxBytes) return invalid("a query parameter is too long");
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      const int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) return invalid("bad percent-encoding in the query string");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  if (out.size() > kMaxBytes) return invalid("a query parameter is too long");
  return out;
}

}  // namespace

Result<QueryParams> parse_query(std::string_view query,
                                const std::vector<std::string_view>& allowed) {
  QueryParams out;
  std::size_t pairs = 0;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    if (++pairs > kMaxPairs) return invalid("too many query parameters");
    const std::size_t eq = pair.find('=');
    HIPPO_ASSIGN_OR_RETURN(std::string key, decode(pair.substr(0, eq)));
    HIPPO_ASSIGN_OR_RETURN(
        std::string value,
        decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1)));
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return invalid("unknown query parameter '" + key + "'");
    }
    if (!out.emplace(std::move(key), std::move(value)).second) {
      return invalid("a query parameter is repeated");
    }
  }
  return out;
}

}  // namespace hippocrate::server
