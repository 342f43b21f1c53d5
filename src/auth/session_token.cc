#include "auth/session_token.h"

#include "base/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace hippocrate::auth {

IssuedToken issue_token() {
  // Never a token starting with '-' (first 6 bits = 62): pasted as a command-line argument
  // (`hippocrate accept-invite TOKEN`) it would read as an option. Drawing again costs
  // log2(64/63) ≈ 0.02 bits of the 256.
  SecretBytes raw = crypto::random_secret(32);
  while ((raw.span()[0] >> 2) == 62) raw = crypto::random_secret(32);
  std::string encoded = base64url_encode(raw.span());
  IssuedToken out{SecretBytes::from(encoded), {}};
  out.hash = crypto::sha256(as_bytes(encoded));
  std::fill(encoded.begin(), encoded.end(), '\0');
  return out;
}

Result<TokenHash> hash_presented_token(std::string_view presented) {
  if (presented.size() != 43) {
    return Error::unauthenticated("invalid_token", "the token is not valid");
  }
  for (char c : presented) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return Error::unauthenticated("invalid_token", "the token is not valid");
  }
  return crypto::sha256(as_bytes(presented));
}

}  // namespace hippocrate::auth
