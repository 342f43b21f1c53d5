#include "auth/webauthn/signature.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>

#include "auth/webauthn/errors.h"
#include "auth/webauthn/p256.h"
#include "base/encoding.h"
#include "crypto/ed25519.h"

namespace hippocrate::auth::webauthn {
namespace {

struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

Error bad_signature() {
  ERR_clear_error();
  return refusal(kSignature, "the signature does not verify with the credential key");
}

Status verify_es256(const CoseKey& key, std::span<const std::uint8_t> message,
                    std::span<const std::uint8_t> signature) {
  auto pkey = p256_public_key(key.x, key.y);
  if (!pkey) return bad_signature();
  std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter> md(EVP_MD_CTX_new());
  if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, pkey->get()) != 1) {
    return bad_signature();
  }
  if (EVP_DigestVerify(md.get(), signature.data(), signature.size(), message.data(),
                       message.size()) != 1) {
    return bad_signature();
  }
  return ok_status();
}

}  // namespace

Status verify_signature(const CoseKey& key, std::span<const std::uint8_t> message,
                        std::span<const std::uint8_t> signature) {
  if (signature.empty() || signature.size() > kMaxSignatureBytes) return bad_signature();
  switch (key.alg) {
    case CoseAlgorithm::kEs256: return verify_es256(key, message, signature);
    case CoseAlgorithm::kEdDsa:
      if (!crypto::ed25519_verify(key.x, message, signature)) return bad_signature();
      return ok_status();
  }
  return bad_signature();
}

Status verify_authenticator_signature(const CoseKey& key,
                                      std::span<const std::uint8_t> authenticator_data,
                                      std::span<const std::uint8_t> client_data_hash,
                                      std::span<const std::uint8_t> signature) {
  Bytes message(authenticator_data.begin(), authenticator_data.end());
  message.insert(message.end(), client_data_hash.begin(), client_data_hash.end());
  return verify_signature(key, message, signature);
}

}  // namespace hippocrate::auth::webauthn
