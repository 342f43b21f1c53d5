// A software authenticator for the tests: makes ES256 credentials with OpenSSL (a fresh key,
// or the private key of a W3C §16 vector) and EdDSA credentials with libsodium, and produces
// the bytes a browser hands the relying party — clientDataJSON, authenticatorData,
// attestationObject ("none" or "packed" self attestation), assertion signatures — so that
// tests can build valid ceremonies and then change one thing at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "auth/webauthn/cose_key.h"
#include "base/encoding.h"
#include "base/secret_bytes.h"

namespace hippocrate::auth::webauthn::testing {

class SoftCredential {
 public:
  static SoftCredential fresh_es256();
  // The P-256 private scalar `d` (32 bytes, e.g. a vector's credential_private_key).
  static SoftCredential es256_from_private(const Bytes& d);
  static SoftCredential fresh_ed25519();

  SoftCredential(SoftCredential&&) noexcept;
  SoftCredential& operator=(SoftCredential&&) noexcept;
  ~SoftCredential();

  CoseAlgorithm alg() const { return alg_; }
  // The COSE_Key in CTAP2 canonical CBOR.
  Bytes cose_key() const;
  // A signature of `message` (ES256: DER ECDSA over SHA-256; EdDSA: 64 bytes).
  Bytes sign(const Bytes& message) const;

 private:
  struct Impl;
  explicit SoftCredential(std::unique_ptr<Impl> impl, CoseAlgorithm alg);
  std::unique_ptr<Impl> impl_;
  CoseAlgorithm alg_;
};

// clientDataJSON as browsers serialise it (§5.8.1.1), for tests only.
std::string client_data_json(std::string_view type, const Bytes& challenge, std::string_view origin,
                             std::string_view extra_members = {});

// rpIdHash ‖ flags ‖ signCount [‖ aaguid ‖ idLength ‖ id ‖ coseKey] [‖ extensions].
Bytes authenticator_data(std::string_view rp_id, std::uint8_t flags, std::uint32_t sign_count,
                         const Bytes& credential_id = {}, const Bytes& cose_key = {},
                         const Bytes& extensions = {});

// {"fmt": fmt, "attStmt": att_stmt, "authData": auth_data} in canonical order.
Bytes attestation_object(std::string_view fmt, const Bytes& att_stmt, const Bytes& auth_data);
// The packed self-attestation statement {"alg": alg, "sig": sig}.
Bytes packed_self_statement(CoseAlgorithm alg, const Bytes& sig);

// authData ‖ SHA-256(clientDataJSON): what attestation and assertion signatures cover.
Bytes signed_data(const Bytes& auth_data, std::string_view client_data);

}  // namespace hippocrate::auth::webauthn::testing
