// P-256 public keys as OpenSSL objects, for cose_key.cc (validation) and signature.cc
// (ECDSA verification). Internal to src/auth/webauthn/.
//
// Contract: every failure path clears this thread's OpenSSL error queue, so that nothing is
// left behind for the TLS code running on the same thread to misread.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <span>

#include "base/result.h"

namespace hippocrate::auth::webauthn {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

// The public key (x, y) on P-256 (SEC 1 §2.3.4 uncompressed point 04 ‖ x ‖ y), after
// OpenSSL's full public-key check (EVP_PKEY_public_check: on the curve, not the point at
// infinity, of the group's order). x and y must be 32 bytes. Error "webauthn_malformed".
Result<EvpPkeyPtr> p256_public_key(std::span<const std::uint8_t> x,
                                   std::span<const std::uint8_t> y);

}  // namespace hippocrate::auth::webauthn
