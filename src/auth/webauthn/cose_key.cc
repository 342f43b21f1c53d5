#include "auth/webauthn/cose_key.h"

#include <sodium.h>

#include <algorithm>

#include "auth/webauthn/errors.h"
#include "auth/webauthn/p256.h"

namespace hippocrate::auth::webauthn {
namespace {

// RFC 9052 §7.1 / RFC 9053 §7: COSE_Key labels and values.
constexpr std::int64_t kLabelKty = 1;
constexpr std::int64_t kLabelAlg = 3;
constexpr std::int64_t kLabelCrv = -1;
constexpr std::int64_t kLabelX = -2;
constexpr std::int64_t kLabelY = -3;
constexpr std::int64_t kKtyOkp = 1;
constexpr std::int64_t kKtyEc2 = 2;
constexpr std::int64_t kCrvP256 = 1;
constexpr std::int64_t kCrvEd25519 = 6;

Error unsupported() {
  return refusal(kAlgorithm, "the credential key is neither ES256 (P-256) nor EdDSA (Ed25519)");
}
Error malformed(std::string message) { return refusal(kMalformed, std::move(message)); }

Result<std::int64_t> integer_param(const CborValue& key, std::int64_t label) {
  const CborValue* v = key.find(label);
  if (v == nullptr) return unsupported();  // kty, alg and crv decide the algorithm
  if (!v->is_integer()) return malformed("a COSE key parameter has the wrong type");
  return v->as_integer();
}

Status coordinate(const CborValue& key, std::int64_t label, std::array<std::uint8_t, 32>& out) {
  const CborValue* v = key.find(label);
  if (v == nullptr || !v->is_bytes() || v->as_bytes().size() != out.size()) {
    return malformed("a COSE key coordinate is missing or not 32 bytes");
  }
  std::copy(v->as_bytes().begin(), v->as_bytes().end(), out.begin());
  return ok_status();
}

}  // namespace

Result<CoseKey> parse_cose_key(const CborValue& cose_key) {
  if (!cose_key.is_map()) return malformed("the credential public key is not a COSE_Key map");
  // kty and alg decide what the other labels mean (-1 is crv for EC2 and OKP, n for RSA).
  HIPPO_ASSIGN_OR_RETURN(const std::int64_t kty, integer_param(cose_key, kLabelKty));
  HIPPO_ASSIGN_OR_RETURN(const std::int64_t alg, integer_param(cose_key, kLabelAlg));
  CoseKey key;
  std::int64_t expected_crv = 0;
  std::size_t expected_params = 0;
  if (kty == kKtyEc2 && alg == static_cast<std::int64_t>(CoseAlgorithm::kEs256)) {
    key.alg = CoseAlgorithm::kEs256;
    expected_crv = kCrvP256;
    expected_params = 5;
  } else if (kty == kKtyOkp && alg == static_cast<std::int64_t>(CoseAlgorithm::kEdDsa)) {
    key.alg = CoseAlgorithm::kEdDsa;
    expected_crv = kCrvEd25519;
    expected_params = 4;
  } else {
    return unsupported();
  }
  HIPPO_ASSIGN_OR_RETURN(const std::int64_t crv, integer_param(cose_key, kLabelCrv));
  if (crv != expected_crv) return unsupported();  // e.g. EdDSA on Ed448 (crv 7)
  HIPPO_RETURN_IF_ERROR(coordinate(cose_key, kLabelX, key.x));
  if (key.alg == CoseAlgorithm::kEs256) HIPPO_RETURN_IF_ERROR(coordinate(cose_key, kLabelY, key.y));
  // WebAuthn §6.5.1: alg and the parameters the key type requires, nothing else (a kid, a
  // key_ops, the private d...).
  if (cose_key.as_map().size() != expected_params) {
    return malformed("the COSE key holds parameters other than kty, alg, crv and its point");
  }
  if (key.alg == CoseAlgorithm::kEs256) {
    // RFC 9053 §7.1.1 / SEC 1 §3.2.2.1: a public key must be a point of the curve.
    HIPPO_RETURN_IF_ERROR(p256_public_key(key.x, key.y));
  } else if (crypto_core_ed25519_is_valid_point(key.x.data()) != 1) {
    // RFC 8032 §5.1.3 decoding, plus libsodium's refusal of small-order points.
    return malformed("the credential public key is not a valid Ed25519 point");
  }
  return key;
}

Result<CoseKey> decode_cose_key(std::span<const std::uint8_t> cose_key) {
  CborLimits limits;
  limits.max_bytes = 1024;
  limits.max_depth = 1;
  HIPPO_ASSIGN_OR_RETURN(auto value, cbor_decode(cose_key, limits));
  return parse_cose_key(value);
}

}  // namespace hippocrate::auth::webauthn
