#include "auth/webauthn/rp_id.h"

#include "auth/webauthn/errors.h"
#include "base/encoding.h"
#include "crypto/compare.h"
#include "crypto/hash.h"

namespace hippocrate::auth::webauthn {

Status verify_rp_id_hash(const std::array<std::uint8_t, 32>& rp_id_hash, std::string_view rp_id) {
  if (rp_id.empty()) return refusal(kRpId, "no RP ID is configured");
  const crypto::Sha256Digest expected = crypto::sha256(as_bytes(rp_id));
  if (!crypto::constant_time_equals(expected, rp_id_hash)) {
    return refusal(kRpId, "the credential is scoped to another RP ID");
  }
  return ok_status();
}

}  // namespace hippocrate::auth::webauthn
