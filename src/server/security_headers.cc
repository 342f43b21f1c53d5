#include "server/security_headers.h"

namespace hippocrate::server {

void apply_security_headers(std::string_view path, HttpResponse& response) {
  auto& h = response.headers;
  h.set("strict-transport-security", "max-age=31536000; includeSubDomains");
  h.set("x-content-type-options", "nosniff");
  h.set("referrer-policy", "no-referrer");
  // Camera and microphone for the app's own origin (video consultations), nothing else.
  h.set("permissions-policy",
        "camera=(self), microphone=(self), display-capture=(), geolocation=(), payment=(), "
        "usb=(), serial=(), midi=(), accelerometer=(), gyroscope=(), magnetometer=()");
  if (!h.has("content-security-policy")) {
    h.set("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
  }
  const bool api = path.starts_with("/api/") || path == "/healthz";
  if (api || !h.has("cache-control")) h.set("cache-control", "no-store");
}

}  // namespace hippocrate::server
