// Signature verification with a credential public key, for packed self attestation
// (WebAuthn §8.2) and assertions (§7.2): both sign authenticatorData ‖ SHA-256(clientDataJSON).
//
//   ES256: `signature` is an ASN.1 DER Ecdsa-Sig-Value (WebAuthn §6.5.5, RFC 3279 §2.2.3)
//          over SHA-256 of the message; OpenSSL refuses BER that is not DER and trailing
//          bytes (it re-encodes the parsed signature and compares).
//   EdDSA: `signature` is the raw 64-byte Ed25519 signature of the message itself (RFC 8032
//          §5.1.7, no pre-hash), checked by libsodium (non-canonical S and small-order
//          points refused).
// Anything else — wrong length, a forged or altered signature, another message — is
// "webauthn_signature". Pure; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "auth/webauthn/cose_key.h"
#include "base/result.h"

namespace hippocrate::auth::webauthn {

// The largest signature looked at: a P-256 DER signature is at most 72 bytes.
inline constexpr std::size_t kMaxSignatureBytes = 128;

Status verify_signature(const CoseKey& key, std::span<const std::uint8_t> message,
                        std::span<const std::uint8_t> signature);

// What packed attestation (§8.2) and assertions (§7.2) sign: "the concatenation of
// authenticatorData and clientDataHash" (clientDataHash = SHA-256(clientDataJSON)).
Status verify_authenticator_signature(const CoseKey& key,
                                      std::span<const std::uint8_t> authenticator_data,
                                      std::span<const std::uint8_t> client_data_hash,
                                      std::span<const std::uint8_t> signature);

}  // namespace hippocrate::auth::webauthn
