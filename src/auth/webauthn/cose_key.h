// The credential public key: a COSE_Key (RFC 9052 §7) as WebAuthn §6.5.1 carries it in the
// attested credential data, restricted to the two algorithms Hippocrate accepts.
//
//   ES256 (RFC 9053 §2.1): {1: 2 (kty EC2), 3: -7 (alg), -1: 1 (crv P-256), -2: x, -3: y},
//         x and y 32 bytes each (RFC 9053 §7.1.1: leading zero octets kept); the point must
//         be on P-256 (checked by OpenSSL, which also refuses coordinates >= p and the point
//         at infinity) — a key off the curve is refused before any signature uses it.
//   EdDSA (RFC 9053 §2.2): {1: 1 (kty OKP), 3: -8 (alg), -1: 6 (crv Ed25519), -2: x},
//         x 32 bytes, a canonical encoding of a point of the prime-order subgroup
//         (libsodium's crypto_core_ed25519_is_valid_point).
//
// Refused: any other kty, alg or crv — RSA, ES384, ES512, Ed448, the fully-specified
// identifiers (-9, -19...) — with "webauthn_algorithm"; a missing parameter, a parameter of
// the wrong CBOR type or length, any other parameter (§6.5.1: the key "MUST NOT contain any
// other OPTIONAL parameters"), or a point that is not a valid public key, with
// "webauthn_malformed". Pure; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "auth/webauthn/cbor.h"
#include "base/result.h"

namespace hippocrate::auth::webauthn {

// COSE algorithm identifiers (IANA "COSE Algorithms" registry).
enum class CoseAlgorithm : std::int64_t {
  kEs256 = -7,  // ECDSA w/ SHA-256 on P-256 (as WebAuthn uses it: crv 1)
  kEdDsa = -8,  // EdDSA, here Ed25519 only (crv 6)
};

struct CoseKey {
  CoseAlgorithm alg = CoseAlgorithm::kEs256;
  std::array<std::uint8_t, 32> x{};  // ES256: the x coordinate; EdDSA: the public key
  std::array<std::uint8_t, 32> y{};  // ES256 only: the y coordinate; zero for EdDSA
};

// The key in a decoded COSE_Key map.
Result<CoseKey> parse_cose_key(const CborValue& cose_key);
// The key in COSE_Key bytes (CTAP2 canonical CBOR, nothing after the map), as stored.
Result<CoseKey> decode_cose_key(std::span<const std::uint8_t> cose_key);

}  // namespace hippocrate::auth::webauthn
