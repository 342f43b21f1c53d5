// Origins (RFC 6454) allowed to use a browser session: `server.allowed_origins`.
//
// A browser attaches the session cookie to a request whatever page sends it, and a
// WebSocket handshake is not subject to CORS: a page of another origin — even a sibling on
// the same site, which SameSite=Strict does not separate — could open the messaging socket
// with the user's cookie and receive their messages (cross-site WebSocket hijacking). The
// session guard therefore refuses (403 "origin_not_allowed") a cookie-authenticated
// WebSocket upgrade whose Origin is missing or not listed, and a cookie-authenticated
// state-changing request whose Origin is present and not listed (session_guard.h).
// Bearer-token requests are not concerned: a page cannot make a browser send a token.
//
// Origins are compared in their serialized form (RFC 6454 §6.2): lower-case
// "https://host" or "https://host:port", the port left out when it is 443.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hippocrate::server {

// An origin as configured ("https://Care.Example.org:443") in its serialized form
// ("https://care.example.org"). Errors: "invalid_origin" (not https, a path, a user, a bad
// host or port).
Result<std::string> normalize_origin(std::string_view text);

// The server's own origin for its listen address and bound port: "https://127.0.0.1:8443",
// "https://[::1]:8443"; the wildcard addresses 0.0.0.0 and :: give the loopback address
// (as the start-up banner does).
std::string own_origin(std::string_view listen_address, std::uint16_t port);

// The origins allowed when server.allowed_origins is not set: own_origin, plus
// https://localhost:PORT when the listen address is a loopback or wildcard one — the name a
// local user types, and the only local origin where browsers allow passkeys (WebAuthn
// refuses an IP-address host); the development certificate names localhost too.
std::vector<std::string> default_origins(std::string_view listen_address, std::uint16_t port);

// Whether the Origin header value `origin` is one of `allowed` (normalized origins). "null"
// and anything that is not an https origin are never allowed.
bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin);

}  // namespace hippocrate::server
