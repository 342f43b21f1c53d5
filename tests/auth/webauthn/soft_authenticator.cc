#include "soft_authenticator.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdexcept>

#include "cbor_writer.h"
#include "crypto/ed25519.h"
#include "crypto/hash.h"

namespace hippocrate::auth::webauthn::testing {
namespace {

[[noreturn]] void fail(const char* what) { throw std::runtime_error(what); }

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};

Bytes bn_bytes(const BIGNUM* bn) {
  Bytes out(32);
  if (BN_bn2binpad(bn, out.data(), 32) != 32) fail("BN_bn2binpad");
  return out;
}

}  // namespace

struct SoftCredential::Impl {
  std::unique_ptr<EVP_PKEY, PkeyFree> ec;  // ES256
  Bytes x, y;                              // ES256 public point
  crypto::Ed25519KeyPair ed{SecretBytes(), {}};
};

SoftCredential::SoftCredential(std::unique_ptr<Impl> impl, CoseAlgorithm alg)
    : impl_(std::move(impl)), alg_(alg) {}
SoftCredential::SoftCredential(SoftCredential&&) noexcept = default;
SoftCredential& SoftCredential::operator=(SoftCredential&&) noexcept = default;
SoftCredential::~SoftCredential() = default;

SoftCredential SoftCredential::fresh_es256() {
  auto impl = std::make_unique<Impl>();
  impl->ec.reset(EVP_EC_gen("P-256"));
  if (!impl->ec) fail("EVP_EC_gen");
  BIGNUM* x = nullptr;
  BIGNUM* y = nullptr;
  if (EVP_PKEY_get_bn_param(impl->ec.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
      EVP_PKEY_get_bn_param(impl->ec.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1) {
    fail("EVP_PKEY_get_bn_param");
  }
  std::unique_ptr<BIGNUM, BnFree> xf(x), yf(y);
  impl->x = bn_bytes(x);
  impl->y = bn_bytes(y);
  return SoftCredential(std::move(impl), CoseAlgorithm::kEs256);
}

SoftCredential SoftCredential::es256_from_private(const Bytes& d) {
  auto impl = std::make_unique<Impl>();
  // Q = d·G (not a deprecated EC_KEY call: EC_GROUP/EC_POINT stay in OpenSSL 3).
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  EC_POINT* q = EC_POINT_new(group);
  std::unique_ptr<BIGNUM, BnFree> scalar(BN_bin2bn(d.data(), static_cast<int>(d.size()), nullptr));
  if (EC_POINT_mul(group, q, scalar.get(), nullptr, nullptr, nullptr) != 1) fail("EC_POINT_mul");
  unsigned char point[65];
  if (EC_POINT_point2oct(group, q, POINT_CONVERSION_UNCOMPRESSED, point, sizeof point, nullptr) !=
      65) {
    fail("EC_POINT_point2oct");
  }
  EC_POINT_free(q);
  EC_GROUP_free(group);
  impl->x.assign(point + 1, point + 33);
  impl->y.assign(point + 33, point + 65);
  char group_name[] = "prime256v1";
  // An OSSL_PARAM unsigned integer is in native byte order (little-endian here); d is
  // big-endian.
  Bytes le(d.rbegin(), d.rend());
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0),
      OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, le.data(), le.size()),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point),
      OSSL_PARAM_construct_end(),
  };
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_KEYPAIR, params) != 1) {
    fail("EVP_PKEY_fromdata");
  }
  impl->ec.reset(key);
  return SoftCredential(std::move(impl), CoseAlgorithm::kEs256);
}

SoftCredential SoftCredential::fresh_ed25519() {
  auto impl = std::make_unique<Impl>();
  impl->ed = crypto::ed25519_generate();
  return SoftCredential(std::move(impl), CoseAlgorithm::kEdDsa);
}

Bytes SoftCredential::cose_key() const {
  if (alg_ == CoseAlgorithm::kEs256) {
    // WebAuthn §6.5.1.1's example layout: 1, 3, -1, -2, -3.
    return cbor_map({{cbor_int(1), cbor_int(2)},
                     {cbor_int(3), cbor_int(-7)},
                     {cbor_int(-1), cbor_int(1)},
                     {cbor_int(-2), cbor_bytes(impl_->x)},
                     {cbor_int(-3), cbor_bytes(impl_->y)}});
  }
  const Bytes x(impl_->ed.public_key.begin(), impl_->ed.public_key.end());
  return cbor_map({{cbor_int(1), cbor_int(1)},
                   {cbor_int(3), cbor_int(-8)},
                   {cbor_int(-1), cbor_int(6)},
                   {cbor_int(-2), cbor_bytes(x)}});
}

Bytes SoftCredential::sign(const Bytes& message) const {
  if (alg_ == CoseAlgorithm::kEdDsa) {
    auto sig = crypto::ed25519_sign(impl_->ed.secret_key, message);
    if (!sig) fail("ed25519_sign");
    return Bytes(sig->begin(), sig->end());
  }
  std::unique_ptr<EVP_MD_CTX, MdFree> md(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, impl_->ec.get()) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &length, message.data(), message.size()) != 1) {
    fail("EVP_DigestSign");
  }
  Bytes sig(length);
  if (EVP_DigestSign(md.get(), sig.data(), &length, message.data(), message.size()) != 1) {
    fail("EVP_DigestSign");
  }
  sig.resize(length);
  return sig;
}

std::string client_data_json(std::string_view type, const Bytes& challenge, std::string_view origin,
                             std::string_view extra_members) {
  std::string out = "{\"type\":\"" + std::string(type) + "\",\"challenge\":\"" +
                    base64url_encode(challenge) + "\",\"origin\":\"" + std::string(origin) +
                    "\",\"crossOrigin\":false";
  if (!extra_members.empty()) out += "," + std::string(extra_members);
  return out + "}";
}

Bytes authenticator_data(std::string_view rp_id, std::uint8_t flags, std::uint32_t sign_count,
                         const Bytes& credential_id, const Bytes& cose_key,
                         const Bytes& extensions) {
  const auto hash = crypto::sha256(as_bytes(rp_id));
  Bytes out(hash.begin(), hash.end());
  out.push_back(flags);
  for (int k = 3; k >= 0; --k) out.push_back(static_cast<std::uint8_t>(sign_count >> (8 * k)));
  if (!credential_id.empty() || !cose_key.empty()) {
    for (int k = 0; k < 16; ++k) out.push_back(static_cast<std::uint8_t>(0xa0 + k));  // aaguid
    out.push_back(static_cast<std::uint8_t>(credential_id.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(credential_id.size()));
    out.insert(out.end(), credential_id.begin(), credential_id.end());
    out.insert(out.end(), cose_key.begin(), cose_key.end());
  }
  out.insert(out.end(), extensions.begin(), extensions.end());
  return out;
}

Bytes attestation_object(std::string_view fmt, const Bytes& att_stmt, const Bytes& auth_data) {
  return cbor_map({{cbor_text("fmt"), cbor_text(fmt)},
                   {cbor_text("attStmt"), att_stmt},
                   {cbor_text("authData"), cbor_bytes(auth_data)}});
}

Bytes packed_self_statement(CoseAlgorithm alg, const Bytes& sig) {
  return cbor_map({{cbor_text("alg"), cbor_int(static_cast<std::int64_t>(alg))},
                   {cbor_text("sig"), cbor_bytes(sig)}});
}

Bytes signed_data(const Bytes& auth_data, std::string_view client_data) {
  Bytes out = auth_data;
  const auto hash = crypto::sha256(as_bytes(client_data));
  out.insert(out.end(), hash.begin(), hash.end());
  return out;
}

}  // namespace hippocrate::auth::webauthn::testing
