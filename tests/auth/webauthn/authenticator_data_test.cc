// Authenticator data (authenticator_data.h): the §16 vectors' layout read back, and every
// structural refusal.
#include "auth/webauthn/authenticator_data.h"

#include <gtest/gtest.h>

#include "auth/webauthn/attestation.h"
#include "cbor_writer.h"
#include "soft_authenticator.h"
#include "spec_vectors.h"
#include "support/result_matchers.h"

namespace hippocrate::auth::webauthn::testing {
namespace {

Bytes registration_auth_data(std::string_view anchor) {
  auto a = decode_attestation_object(spec_case(anchor, "registration").hex("attestationObject"));
  if (!a) throw std::runtime_error(a.error().to_string());
  return a->auth_data;
}

TEST(AuthenticatorData, SpecRegistrationLayout) {
  const auto& c = spec_case("none-es256", "registration");
  ASSERT_OK_AND_ASSIGN(auto d, parse_authenticator_data(registration_auth_data("none-es256")));
  EXPECT_EQ(d.flags, 0x59);  // UP, BE, BS, AT
  EXPECT_TRUE(d.user_present());
  EXPECT_FALSE(d.user_verified());
  EXPECT_TRUE(d.backup_eligible());
  EXPECT_TRUE(d.backup_state());
  EXPECT_EQ(d.sign_count, 0u);
  ASSERT_TRUE(d.attested.has_value());
  EXPECT_EQ(Bytes(d.attested->aaguid.begin(), d.attested->aaguid.end()), c.hex("aaguid"));
  EXPECT_EQ(d.attested->credential_id, c.hex("credential_id"));
  EXPECT_EQ(d.attested->public_key.size(), 77u);  // a5 01 02 03 26 20 01 21 58 20 x 22 58 20 y
  EXPECT_TRUE(d.extensions.empty());
}

TEST(AuthenticatorData, SpecAssertionLayout) {
  ASSERT_OK_AND_ASSIGN(
      auto d,
      parse_authenticator_data(spec_case("none-es256", "authentication").hex("authenticatorData")));
  EXPECT_EQ(d.flags, 0x19);
  EXPECT_FALSE(d.attested.has_value());
}

TEST(AuthenticatorData, SignCountIsBigEndian) {
  ASSERT_OK_AND_ASSIGN(auto d, parse_authenticator_data(authenticator_data("x", 0x01, 0x01020304)));
  EXPECT_EQ(d.sign_count, 0x01020304u);
}

TEST(AuthenticatorData, TooShortOrTooLongIsRefused) {
  Bytes d = authenticator_data("example.org", 0x01, 0);
  d.pop_back();
  EXPECT_ERROR_CODE(parse_authenticator_data(d), "webauthn_malformed");
  EXPECT_ERROR_CODE(parse_authenticator_data({}), "webauthn_malformed");
  EXPECT_ERROR_CODE(parse_authenticator_data(Bytes(kMaxAuthenticatorDataBytes + 1, 0)),
                    "webauthn_malformed");
}

TEST(AuthenticatorData, TrailingBytesAreRefused) {
  Bytes d = authenticator_data("example.org", 0x01, 0);
  d.push_back(0);
  EXPECT_ERROR_CODE(parse_authenticator_data(d), "webauthn_malformed");
  // After attested credential data too.
  Bytes r = registration_auth_data("none-es256");
  r.push_back(0xa0);
  EXPECT_ERROR_CODE(parse_authenticator_data(r), "webauthn_malformed");
}

TEST(AuthenticatorData, AttestedCredentialDataCutAnywhereIsRefused) {
  const Bytes full = registration_auth_data("none-es256");
  ASSERT_OK(parse_authenticator_data(full));
  for (std::size_t n = 37; n < full.size(); ++n) {
    SCOPED_TRACE(n);
    EXPECT_ERROR_CODE(parse_authenticator_data(std::span(full).first(n)), "webauthn_malformed");
  }
}

TEST(AuthenticatorData, CredentialIdLengthBounds) {
  const Bytes key = SoftCredential::fresh_es256().cose_key();
  EXPECT_OK(parse_authenticator_data(authenticator_data("x", 0x41, 0, Bytes(1023, 7), key)));
  EXPECT_ERROR_CODE(parse_authenticator_data(authenticator_data("x", 0x41, 0, Bytes(1024, 7), key)),
                    "webauthn_malformed");
  // A zero length: authenticator_data() writes the header with no id.
  Bytes empty_id = authenticator_data("x", 0x41, 0, {}, key);
  EXPECT_ERROR_CODE(parse_authenticator_data(empty_id), "webauthn_malformed");
  // A length pointing past the end.
  Bytes d = authenticator_data("x", 0x41, 0, Bytes(16, 7), key);
  d[37 + 16] = 0x03;  // credentialIdLength high byte: 0x0310 = 784
  EXPECT_ERROR_CODE(parse_authenticator_data(d), "webauthn_malformed");
}

TEST(AuthenticatorData, ThePublicKeyMustBeOneCanonicalMap) {
  const Bytes id(16, 7);
  EXPECT_ERROR_CODE(parse_authenticator_data(authenticator_data("x", 0x41, 0, id, cbor_int(1))),
                    "webauthn_malformed");
  // Unsorted labels.
  const Bytes unsorted = cbor_map({{cbor_int(3), cbor_int(-7)}, {cbor_int(1), cbor_int(2)}});
  EXPECT_ERROR_CODE(parse_authenticator_data(authenticator_data("x", 0x41, 0, id, unsorted)),
                    "webauthn_malformed");
  // A nested map inside the key (depth 2).
  const Bytes nested = cbor_map({{cbor_int(1), cbor_map({})}});
  EXPECT_ERROR_CODE(parse_authenticator_data(authenticator_data("x", 0x41, 0, id, nested)),
                    "webauthn_malformed");
}

TEST(AuthenticatorData, ExtensionsOnlyWithEd) {
  const Bytes ext = cbor_map({{cbor_text("credProtect"), cbor_int(2)}});
  ASSERT_OK_AND_ASSIGN(auto d,
                       parse_authenticator_data(authenticator_data("x", 0x81, 0, {}, {}, ext)));
  EXPECT_EQ(d.extensions, ext);
  // ED clear with extensions: trailing bytes.
  EXPECT_ERROR_CODE(parse_authenticator_data(authenticator_data("x", 0x01, 0, {}, {}, ext)),
                    "webauthn_malformed");
  // ED set without extensions, or with something other than a map of text keys.
  EXPECT_ERROR_CODE(parse_authenticator_data(authenticator_data("x", 0x81, 0)),
                    "webauthn_malformed");
  EXPECT_ERROR_CODE(parse_authenticator_data(authenticator_data("x", 0x81, 0, {}, {}, cbor_int(0))),
                    "webauthn_malformed");
  EXPECT_ERROR_CODE(parse_authenticator_data(authenticator_data(
                        "x", 0x81, 0, {}, {}, cbor_map({{cbor_int(1), cbor_int(2)}}))),
                    "webauthn_malformed");
  Bytes two = ext;
  two.push_back(0xa0);
  EXPECT_ERROR_CODE(parse_authenticator_data(authenticator_data("x", 0x81, 0, {}, {}, two)),
                    "webauthn_malformed");
  // Attested credential data and extensions together.
  const Bytes key = SoftCredential::fresh_ed25519().cose_key();
  ASSERT_OK_AND_ASSIGN(auto both, parse_authenticator_data(
                                      authenticator_data("x", 0xc1, 0, Bytes(16, 1), key, ext)));
  EXPECT_EQ(both.attested->public_key, key);
  EXPECT_EQ(both.extensions, ext);
}

TEST(AuthenticatorData, ReservedBitsAreCarriedNotRefused) {
  ASSERT_OK_AND_ASSIGN(auto d, parse_authenticator_data(authenticator_data("x", 0x23, 0)));
  EXPECT_EQ(d.flags, kFlagUserPresent | kFlagRfu1 | kFlagRfu2);
}

}  // namespace
}  // namespace hippocrate::auth::webauthn::testing
