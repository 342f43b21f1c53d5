#include "server/allowed_origins.h"

#include <algorithm>
#include <charconv>

namespace hippocrate::server {
namespace {

Error bad(std::string_view text, std::string_view why) {
  return Error::invalid_argument("invalid_origin", "'" + std::string(text) +
                                                       "' is not an origin like "
                                                       "https://care.example.org: " +
                                                       std::string(why));
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

Result<std::string> normalize_origin(std::string_view text) {
  std::string s(text);
  std::transform(s.begin(), s.end(), s.begin(), lower);
  constexpr std::string_view kScheme = "https://";
  if (!std::string_view(s).starts_with(kScheme)) return bad(text, "it must start with https://");
  std::string_view rest = std::string_view(s).substr(kScheme.size());
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return bad(text, "no path, query, fragment or user name");
  }
  std::string_view host;
  std::string_view port;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return bad(text, "unclosed [");
    host = rest.substr(0, close + 1);
    const auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad(text, "unexpected text after ]");
      port = after.substr(1);
    }
    for (char c : host.substr(1, host.size() - 2)) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.')) {
        return bad(text, "not an IPv6 address");
      }
    }
  } else {
    const auto colon = rest.find(':');
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
    for (char c : host) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '.')) {
        return bad(text, "the host has a character a DNS name or IP address cannot have");
      }
    }
  }
  if (host.empty() || host == "[]") return bad(text, "no host");
  std::string out = std::string(kScheme) + std::string(host);
  if (!port.empty() || (rest.size() > host.size())) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return bad(text, "the port is not a number from 1 to 65535");
    }
    if (value != 443) out += ":" + std::to_string(value);
  }
  return out;
}

std::string own_origin(std::string_view listen_address, std::uint16_t port) {
  std::string host = listen_address == "0.0.0.0" ? "127.0.0.1"
                     : listen_address == "::"    ? "[::1]"
                     : listen_address.find(':') != std::string_view::npos
                         ? "[" + std::string(listen_address) + "]"
                         : std::string(listen_address);
  std::transform(host.begin(), host.end(), host.begin(), lower);
  return "https://" + host + (port == 443 ? "" : ":" + std::to_string(port));
}

std::vector<std::string> default_origins(std::string_view listen_address, std::uint16_t port) {
  std::vector<std::string> out{own_origin(listen_address, port)};
  const bool local = listen_address.starts_with("127.") || listen_address == "::1" ||
                     listen_address == "0.0.0.0" || listen_address == "::";
  if (local) out.push_back("https://localhost" + (port == 443 ? "" : ":" + std::to_string(port)));
  return out;
}

bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin) {
  auto normalized = normalize_origin(origin);
  if (!normalized) return false;
  return std::find(allowed.begin(), allowed.end(), *normalized) != allowed.end();
}

}  // namespace hippocrate::server
