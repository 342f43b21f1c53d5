// Opaque bearer tokens (sessions, invitations): 256 random bits, shown to the client once
// as base64url (43 characters, never starting with '-', so a token is never taken for a
// command-line option); the server stores only their SHA-256.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::auth {

using TokenHash = std::array<std::uint8_t, 32>;

struct IssuedToken {
  SecretBytes text;  // base64url, for the client only
  TokenHash hash;    // for the database
};

IssuedToken issue_token();
// Hash of a presented token; "invalid_token" when it is not 43 base64url characters.
Result<TokenHash> hash_presented_token(std::string_view presented);

}  // namespace hippocrate::auth
