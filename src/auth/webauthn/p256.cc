#include "auth/webauthn/p256.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>

#include "auth/webauthn/errors.h"

namespace hippocrate::auth::webauthn {
namespace {

struct EvpPkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxDeleter>;

Error not_a_key() {
  ERR_clear_error();
  return refusal(kMalformed, "the credential public key is not a valid P-256 point");
}

}  // namespace

Result<EvpPkeyPtr> p256_public_key(std::span<const std::uint8_t> x,
                                   std::span<const std::uint8_t> y) {
  if (x.size() != 32 || y.size() != 32) return not_a_key();
  std::array<unsigned char, 65> point{};
  point[0] = 0x04;  // SEC 1 §2.3.3: uncompressed
  std::copy(x.begin(), x.end(), point.begin() + 1);
  std::copy(y.begin(), y.end(), point.begin() + 33);
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return not_a_key();
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1 || raw == nullptr) {
    return not_a_key();
  }
  EvpPkeyPtr key(raw);
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return not_a_key();
  return key;
}

}  // namespace hippocrate::auth::webauthn
