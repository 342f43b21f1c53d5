#include "auth/webauthn/attestation.h"

#include "auth/webauthn/errors.h"
#include "auth/webauthn/signature.h"

namespace hippocrate::auth::webauthn {
namespace {

Error malformed(std::string message) { return refusal(kMalformed, std::move(message)); }
Error unsupported_format() {
  return refusal(kAttestationFormat, "only 'none' and 'packed' self attestation are accepted");
}

}  // namespace

Result<AttestationObject> decode_attestation_object(std::span<const std::uint8_t> bytes) {
  if (bytes.size() > kMaxAttestationObjectBytes) {
    return malformed("the attestation object is too large");
  }
  CborLimits limits;
  limits.max_bytes = kMaxAttestationObjectBytes;
  HIPPO_ASSIGN_OR_RETURN(auto value, cbor_decode(bytes, limits));
  if (!value.is_map()) return malformed("the attestation object is not a CBOR map");
  const CborValue* fmt = value.find("fmt");
  const CborValue* att_stmt = value.find("attStmt");
  const CborValue* auth_data = value.find("authData");
  if (value.as_map().size() != 3 || fmt == nullptr || !fmt->is_text() || att_stmt == nullptr ||
      !att_stmt->is_map() || auth_data == nullptr || !auth_data->is_bytes()) {
    return malformed("the attestation object is not {fmt, attStmt, authData}");
  }
  return AttestationObject{fmt->as_text(), *att_stmt, auth_data->as_bytes()};
}

Result<AttestationFormat> verify_attestation_statement(
    const AttestationObject& attestation, const CoseKey& credential_key,
    std::span<const std::uint8_t> client_data_hash) {
  const CborValue& stmt = attestation.att_stmt;
  if (attestation.fmt == "none") {
    // §8.7: attStmt is emptyMap.
    if (!stmt.as_map().empty()) return unsupported_format();
    return AttestationFormat::kNone;
  }
  if (attestation.fmt != "packed") return unsupported_format();

  // §8.2 verification procedure. x5c present: basic/AttCA attestation, not accepted here.
  if (stmt.find("x5c") != nullptr) {
    return refusal(kAttestationFormat,
                   "packed attestation with a certificate chain (x5c) is not accepted");
  }
  const CborValue* alg = stmt.find("alg");
  const CborValue* sig = stmt.find("sig");
  if (stmt.as_map().size() != 2 || alg == nullptr || sig == nullptr || !alg->is_integer() ||
      !sig->is_bytes()) {
    return unsupported_format();
  }
  // Self attestation: "Validate that alg matches the algorithm of the credentialPublicKey".
  if (alg->as_integer() != static_cast<std::int64_t>(credential_key.alg)) {
    return refusal(kAlgorithm, "the attestation's algorithm is not the credential key's");
  }
  // "Verify that sig is a valid signature over the concatenation of authenticatorData and
  // clientDataHash using the credential public key with alg."
  HIPPO_RETURN_IF_ERROR(verify_authenticator_signature(credential_key, attestation.auth_data,
                                                       client_data_hash, sig->as_bytes()));
  return AttestationFormat::kPackedSelf;
}

}  // namespace hippocrate::auth::webauthn
