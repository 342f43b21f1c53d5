// COSE keys (cose_key.h) and signatures (signature.h): ES256 and EdDSA accepted, every other
// algorithm refused by name, malformed keys and points off the curve refused, signatures
// checked strictly (DER only for ECDSA).
#include "auth/webauthn/cose_key.h"

#include <gtest/gtest.h>

#include "auth/webauthn/signature.h"
#include "cbor_writer.h"
#include "soft_authenticator.h"
#include "spec_vectors.h"
#include "support/result_matchers.h"

namespace hippocrate::auth::webauthn::testing {
namespace {

Bytes b(const std::string& h) { return *hex_decode(h); }

// An EC2 key map with the given labels' values (canonical order 1, 3, -1, -2, -3).
Bytes ec2(std::int64_t kty, std::int64_t alg, std::int64_t crv, const Bytes& x, const Bytes& y) {
  return cbor_map({{cbor_int(1), cbor_int(kty)},
                   {cbor_int(3), cbor_int(alg)},
                   {cbor_int(-1), cbor_int(crv)},
                   {cbor_int(-2), cbor_bytes(x)},
                   {cbor_int(-3), cbor_bytes(y)}});
}
Bytes okp(std::int64_t alg, std::int64_t crv, const Bytes& x) {
  return cbor_map({{cbor_int(1), cbor_int(1)},
                   {cbor_int(3), cbor_int(alg)},
                   {cbor_int(-1), cbor_int(crv)},
                   {cbor_int(-2), cbor_bytes(x)}});
}

struct Point {
  Bytes x, y;
};
Point point_of(const SoftCredential& c) {
  auto key = decode_cose_key(c.cose_key());
  if (!key) throw std::runtime_error(key.error().to_string());
  return {Bytes(key->x.begin(), key->x.end()), Bytes(key->y.begin(), key->y.end())};
}

TEST(CoseKey, Es256AndEdDsaAreAccepted) {
  const auto es = SoftCredential::fresh_es256();
  ASSERT_OK_AND_ASSIGN(auto k1, decode_cose_key(es.cose_key()));
  EXPECT_EQ(k1.alg, CoseAlgorithm::kEs256);
  const auto ed = SoftCredential::fresh_ed25519();
  ASSERT_OK_AND_ASSIGN(auto k2, decode_cose_key(ed.cose_key()));
  EXPECT_EQ(k2.alg, CoseAlgorithm::kEdDsa);
}

TEST(CoseKey, TheSpecVectorsKeysOfOtherAlgorithmsAreRefused) {
  for (const char* anchor : {"packed-es384", "packed-es512", "packed-rs256", "packed-ed448"}) {
    SCOPED_TRACE(anchor);
    EXPECT_ERROR_CODE(decode_cose_key(spec_credential(anchor).public_key), "webauthn_algorithm");
  }
  for (const char* anchor : {"none-es256", "packed-eddsa", "fido-u2f-es256"}) {
    SCOPED_TRACE(anchor);
    EXPECT_OK(decode_cose_key(spec_credential(anchor).public_key));
  }
}

TEST(CoseKey, OtherCombinationsAreRefusedAsAlgorithms) {
  const Point p = point_of(SoftCredential::fresh_es256());
  EXPECT_ERROR_CODE(decode_cose_key(ec2(2, -7, 2, p.x, p.y)), "webauthn_algorithm");   // P-384
  EXPECT_ERROR_CODE(decode_cose_key(ec2(2, -9, 1, p.x, p.y)), "webauthn_algorithm");   // ESP256
  EXPECT_ERROR_CODE(decode_cose_key(ec2(2, -35, 1, p.x, p.y)), "webauthn_algorithm");  // ES384
  EXPECT_ERROR_CODE(decode_cose_key(ec2(1, -7, 1, p.x, p.y)), "webauthn_algorithm");   // kty OKP
  EXPECT_ERROR_CODE(decode_cose_key(ec2(3, -7, 1, p.x, p.y)), "webauthn_algorithm");   // kty RSA
  const Bytes x = point_of(SoftCredential::fresh_ed25519()).x;
  EXPECT_ERROR_CODE(decode_cose_key(okp(-19, 6, x)), "webauthn_algorithm");  // Ed25519 (new id)
  EXPECT_ERROR_CODE(decode_cose_key(okp(-8, 7, x)), "webauthn_algorithm");   // Ed448
  EXPECT_ERROR_CODE(decode_cose_key(okp(-8, 4, x)), "webauthn_algorithm");   // X25519
  // kty or alg missing.
  EXPECT_ERROR_CODE(decode_cose_key(cbor_map({{cbor_int(3), cbor_int(-7)}})), "webauthn_algorithm");
  EXPECT_ERROR_CODE(decode_cose_key(cbor_map({{cbor_int(1), cbor_int(2)}})), "webauthn_algorithm");
}

TEST(CoseKey, MalformedKeysAreRefused) {
  const Point p = point_of(SoftCredential::fresh_es256());
  Bytes short_x(p.x.begin() + 1, p.x.end());
  Bytes long_x = p.x;
  long_x.insert(long_x.begin(), 0);
  EXPECT_ERROR_CODE(decode_cose_key(ec2(2, -7, 1, short_x, p.y)), "webauthn_malformed");
  EXPECT_ERROR_CODE(decode_cose_key(ec2(2, -7, 1, long_x, p.y)), "webauthn_malformed");
  // y missing; x as text; kty as text.
  EXPECT_ERROR_CODE(decode_cose_key(cbor_map({{cbor_int(1), cbor_int(2)},
                                              {cbor_int(3), cbor_int(-7)},
                                              {cbor_int(-1), cbor_int(1)},
                                              {cbor_int(-2), cbor_bytes(p.x)}})),
                    "webauthn_malformed");
  EXPECT_ERROR_CODE(decode_cose_key(cbor_map({{cbor_int(1), cbor_int(1)},
                                              {cbor_int(3), cbor_int(-8)},
                                              {cbor_int(-1), cbor_int(6)},
                                              {cbor_int(-2), cbor_text("x")}})),
                    "webauthn_malformed");
  EXPECT_ERROR_CODE(decode_cose_key(cbor_map({{cbor_int(1), cbor_text("EC2")}})),
                    "webauthn_malformed");
  // §6.5.1: no other parameter — a kid (2) or a private d (-4).
  EXPECT_ERROR_CODE(decode_cose_key(cbor_map({{cbor_int(1), cbor_int(2)},
                                              {cbor_int(2), cbor_bytes({1})},
                                              {cbor_int(3), cbor_int(-7)},
                                              {cbor_int(-1), cbor_int(1)},
                                              {cbor_int(-2), cbor_bytes(p.x)},
                                              {cbor_int(-3), cbor_bytes(p.y)}})),
                    "webauthn_malformed");
  EXPECT_ERROR_CODE(decode_cose_key(cbor_map({{cbor_int(1), cbor_int(1)},
                                              {cbor_int(3), cbor_int(-8)},
                                              {cbor_int(-1), cbor_int(6)},
                                              {cbor_int(-2), cbor_bytes(Bytes(32, 9))},
                                              {cbor_int(-4), cbor_bytes(Bytes(32, 9))}})),
                    "webauthn_malformed");
  // Not a map; trailing bytes after the map.
  EXPECT_ERROR_CODE(decode_cose_key(cbor_int(1)), "webauthn_malformed");
  Bytes trailing = ec2(2, -7, 1, p.x, p.y);
  trailing.push_back(0);
  EXPECT_ERROR_CODE(decode_cose_key(trailing), "webauthn_malformed");
}

TEST(CoseKey, PointsOffTheCurveAreRefused) {
  const Point p = point_of(SoftCredential::fresh_es256());
  Bytes y = p.y;
  y.back() ^= 0x01;
  EXPECT_ERROR_CODE(decode_cose_key(ec2(2, -7, 1, p.x, y)), "webauthn_malformed");
  EXPECT_ERROR_CODE(decode_cose_key(ec2(2, -7, 1, Bytes(32, 0), Bytes(32, 0))),
                    "webauthn_malformed");
  // x = p, the field prime: not a field element.
  const Bytes prime = b("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
  EXPECT_ERROR_CODE(decode_cose_key(ec2(2, -7, 1, prime, p.y)), "webauthn_malformed");
  // Ed25519: the identity (small order) and a non-canonical y (= p).
  Bytes identity(32, 0);
  identity[0] = 1;
  EXPECT_ERROR_CODE(decode_cose_key(okp(-8, 6, identity)), "webauthn_malformed");
  const Bytes ed_prime = b("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  EXPECT_ERROR_CODE(decode_cose_key(okp(-8, 6, ed_prime)), "webauthn_malformed");
}

// A DER ECDSA-Sig-Value re-encoded with a non-minimal INTEGER for r (BER, not DER).
Bytes with_padded_r(const Bytes& der) {
  // 30 L 02 Lr r... 02 Ls s...
  Bytes out = {0x30, static_cast<std::uint8_t>(der[1] + 1), 0x02,
               static_cast<std::uint8_t>(der[3] + 1), 0x00};
  out.insert(out.end(), der.begin() + 4, der.end());
  return out;
}

TEST(Signature, Es256) {
  const auto c = SoftCredential::fresh_es256();
  ASSERT_OK_AND_ASSIGN(auto key, decode_cose_key(c.cose_key()));
  const Bytes message = to_bytes("authenticator data and a client data hash");
  const Bytes sig = c.sign(message);
  EXPECT_OK(verify_signature(key, message, sig));
  Bytes other = message;
  other[0] ^= 1;
  EXPECT_ERROR_CODE(verify_signature(key, other, sig), "webauthn_signature");
  for (std::size_t i = 0; i < sig.size(); ++i) {
    Bytes bad = sig;
    bad[i] ^= 0x01;
    {
      SCOPED_TRACE(::testing::Message() << i);
      EXPECT_ERROR_CODE(verify_signature(key, message, bad), "webauthn_signature");
    }
  }
  Bytes trailing = sig;
  trailing.push_back(0);
  EXPECT_ERROR_CODE(verify_signature(key, message, trailing), "webauthn_signature");
  EXPECT_ERROR_CODE(verify_signature(key, message, with_padded_r(sig)), "webauthn_signature");
  EXPECT_ERROR_CODE(verify_signature(key, message, {}), "webauthn_signature");
  EXPECT_ERROR_CODE(verify_signature(key, message, Bytes(64, 1)), "webauthn_signature");
  // Another key's signature.
  EXPECT_ERROR_CODE(verify_signature(key, message, SoftCredential::fresh_es256().sign(message)),
                    "webauthn_signature");
}

TEST(Signature, EdDsa) {
  const auto c = SoftCredential::fresh_ed25519();
  ASSERT_OK_AND_ASSIGN(auto key, decode_cose_key(c.cose_key()));
  const Bytes message = to_bytes("authenticator data and a client data hash");
  const Bytes sig = c.sign(message);
  ASSERT_EQ(sig.size(), 64u);
  EXPECT_OK(verify_signature(key, message, sig));
  for (std::size_t i = 0; i < sig.size(); ++i) {
    Bytes bad = sig;
    bad[i] ^= 0x80;
    {
      SCOPED_TRACE(::testing::Message() << i);
      EXPECT_ERROR_CODE(verify_signature(key, message, bad), "webauthn_signature");
    }
  }
  EXPECT_ERROR_CODE(verify_signature(key, message, std::span(sig).first(63)), "webauthn_signature");
  // An ES256 key never verifies an Ed25519 signature, nor the reverse.
  ASSERT_OK_AND_ASSIGN(auto es, decode_cose_key(SoftCredential::fresh_es256().cose_key()));
  EXPECT_ERROR_CODE(verify_signature(es, message, sig), "webauthn_signature");
}

}  // namespace
}  // namespace hippocrate::auth::webauthn::testing
