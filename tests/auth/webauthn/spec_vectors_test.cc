// The W3C WebAuthn Level 3 §16 test vectors, every one of them: registrations Hippocrate
// accepts (none, packed self attestation, ES256, long credential id), those it refuses by
// policy (crossOrigin/topOrigin: never embedded; x5c, TPM, Android, Apple and U2F
// attestation; ES384, ES512, RS256, Ed448 keys), and each authentication against the
// credential its registration carries — including the Ed25519 assertion of §16 "Packed
// Attestation with Ed25519 Credential".
#include <gtest/gtest.h>

#include <set>

#include "auth/webauthn/assertion.h"
#include "auth/webauthn/registration.h"
#include "soft_authenticator.h"
#include "spec_vectors.h"
#include "support/result_matchers.h"

namespace hippocrate::auth::webauthn::testing {
namespace {

struct Expected {
  const char* anchor;
  const char* registration;    // "" = accepted, else the refusal's code
  const char* authentication;  // the same for the authentication vector
};

// §16 in order. Why each refusal: errors.h and registration.h.
constexpr Expected kExpected[] = {
    {"none-es256", "", ""},
    {"packed-self-es256", "", ""},
    {"none-es256-crossOrigin", "webauthn_cross_origin", "webauthn_cross_origin"},
    {"none-es256-topOrigin", "webauthn_cross_origin", "webauthn_cross_origin"},
    {"none-es256-long-credential-id", "", ""},
    {"packed-es256", "webauthn_attestation_format", ""},
    {"packed-es384", "webauthn_algorithm", "webauthn_algorithm"},
    {"packed-es512", "webauthn_algorithm", "webauthn_algorithm"},
    {"packed-rs256", "webauthn_algorithm", "webauthn_algorithm"},
    {"packed-eddsa", "webauthn_attestation_format", ""},
    {"packed-ed448", "webauthn_algorithm", "webauthn_algorithm"},
    {"tpm-es256", "webauthn_attestation_format", ""},
    {"android-key-es256", "webauthn_attestation_format", ""},
    {"apple-es256", "webauthn_attestation_format", ""},
    {"fido-u2f-es256", "webauthn_attestation_format", ""},
};

Result<Registration> register_vector(std::string_view anchor) {
  const auto& c = spec_case(anchor, "registration");
  const Bytes client_data = c.hex("clientDataJSON");
  const Bytes object = c.hex("attestationObject");
  const Bytes challenge = c.hex("challenge");
  RegistrationInput in;
  in.client_data_json = client_data;
  in.attestation_object = object;
  in.expected_challenge = challenge;
  in.allowed_origins = kSpecOrigins;
  in.rp_id = kSpecRpId;
  return verify_registration(in);
}

Result<Assertion> authenticate_vector(std::string_view anchor) {
  const auto& c = spec_case(anchor, "authentication");
  const SpecCredential credential = spec_credential(anchor);
  const Bytes client_data = c.hex("clientDataJSON");
  const Bytes auth_data = c.hex("authenticatorData");
  const Bytes signature = c.hex("signature");
  const Bytes challenge = c.hex("challenge");
  AssertionInput in;
  in.credential_id = credential.id;
  in.client_data_json = client_data;
  in.authenticator_data = auth_data;
  in.signature = signature;
  in.credential = {credential.id, credential.public_key, 0, credential.backup_eligible};
  in.expected_challenge = challenge;
  in.allowed_origins = kSpecOrigins;
  in.rp_id = kSpecRpId;
  return verify_assertion(in);
}

TEST(WebAuthnSpecVectors, TheFileHoldsEverySection) {
  std::set<std::string> expected;
  for (const auto& e : kExpected) {
    expected.insert(std::string(e.anchor) + ".registration");
    expected.insert(std::string(e.anchor) + ".authentication");
  }
  expected.insert("attestation-root-cert.certificate");
  std::set<std::string> found;
  for (const auto& c : spec_vectors()) found.insert(c.name);
  EXPECT_EQ(found, expected);
}

TEST(WebAuthnSpecVectors, EachRegistrationAsExpected) {
  for (const auto& e : kExpected) {
    SCOPED_TRACE(e.anchor);
    auto r = register_vector(e.anchor);
    if (std::string_view(e.registration).empty()) {
      EXPECT_OK(r);
    } else {
      EXPECT_ERROR_CODE(r, e.registration);
      if (!r.ok()) {
        EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidArgument);
      }
    }
  }
}

TEST(WebAuthnSpecVectors, EachAuthenticationAsExpected) {
  for (const auto& e : kExpected) {
    SCOPED_TRACE(e.anchor);
    auto r = authenticate_vector(e.anchor);
    if (std::string_view(e.authentication).empty()) {
      EXPECT_OK(r);
    } else {
      EXPECT_ERROR_CODE(r, e.authentication);
      if (!r.ok()) {
        EXPECT_EQ(r.error().kind(), ErrorKind::kUnauthenticated);
      }
    }
  }
}

// §16.2 none.ES256: the record holds the vector's own values.
TEST(WebAuthnSpecVectors, NoneEs256Record) {
  const auto& c = spec_case("none-es256", "registration");
  ASSERT_OK_AND_ASSIGN(const Registration r, register_vector("none-es256"));
  EXPECT_EQ(r.credential_id, c.hex("credential_id"));
  EXPECT_EQ(Bytes(r.aaguid.begin(), r.aaguid.end()), c.hex("aaguid"));
  EXPECT_EQ(r.attestation, AttestationFormat::kNone);
  EXPECT_EQ(r.key.alg, CoseAlgorithm::kEs256);
  EXPECT_EQ(r.sign_count, 0u);
  // flags 0x59: UP, BE, BS, AT; no UV.
  EXPECT_TRUE(r.backup_eligible);
  EXPECT_TRUE(r.backup_state);
  EXPECT_FALSE(r.user_verified);
  // The stored key is the one the vector's credential_private_key makes.
  EXPECT_EQ(r.public_key,
            SoftCredential::es256_from_private(c.hex("credential_private_key")).cose_key());

  const auto& a = spec_case("none-es256", "authentication");
  const Bytes client_data = a.hex("clientDataJSON");
  const Bytes auth_data = a.hex("authenticatorData");
  const Bytes signature = a.hex("signature");
  const Bytes challenge = a.hex("challenge");
  AssertionInput in;
  in.credential_id = r.credential_id;
  in.client_data_json = client_data;
  in.authenticator_data = auth_data;
  in.signature = signature;
  in.credential = {r.credential_id, r.public_key, r.sign_count, r.backup_eligible};
  in.expected_challenge = challenge;
  in.allowed_origins = kSpecOrigins;
  in.rp_id = kSpecRpId;
  ASSERT_OK_AND_ASSIGN(const Assertion out, verify_assertion(in));
  EXPECT_EQ(out.sign_count, 0u);  // 0 after 0: synced passkeys do this
  EXPECT_TRUE(out.backup_state);  // flags 0x19
  EXPECT_FALSE(out.user_verified);
}

// §16.3 packed-self.ES256: self attestation verified; UV set (flags 0x5d).
TEST(WebAuthnSpecVectors, PackedSelfEs256Record) {
  ASSERT_OK_AND_ASSIGN(const Registration r, register_vector("packed-self-es256"));
  EXPECT_EQ(r.attestation, AttestationFormat::kPackedSelf);
  EXPECT_TRUE(r.user_verified);
  EXPECT_EQ(r.credential_id, spec_case("packed-self-es256", "registration").hex("credential_id"));
}

// §16.6: a 1023-byte credential id, the longest §6.5.1 allows.
TEST(WebAuthnSpecVectors, LongCredentialId) {
  ASSERT_OK_AND_ASSIGN(const Registration r, register_vector("none-es256-long-credential-id"));
  EXPECT_EQ(r.credential_id.size(), 1023u);
}

// §16.4/§16.5 refused for crossOrigin; the topOrigin vector's client data without its
// crossOrigin member is refused for its topOrigin, unless https://example.com is allowed.
TEST(WebAuthnSpecVectors, TopOriginIsCheckedAgainstTheAllowList) {
  const auto& c = spec_case("none-es256-topOrigin", "registration");
  std::string client_data = [&] {
    const Bytes b = c.hex("clientDataJSON");
    return std::string(b.begin(), b.end());
  }();
  const std::string member = "\"crossOrigin\":true,";
  ASSERT_NE(client_data.find(member), std::string::npos);
  client_data.erase(client_data.find(member), member.size());
  const Bytes cdj = to_bytes(client_data);
  const Bytes object = c.hex("attestationObject");
  const Bytes challenge = c.hex("challenge");
  RegistrationInput in;
  in.client_data_json = cdj;
  in.attestation_object = object;
  in.expected_challenge = challenge;
  in.allowed_origins = kSpecOrigins;
  in.rp_id = kSpecRpId;
  EXPECT_ERROR_CODE(verify_registration(in), "webauthn_top_origin");
  const std::vector<std::string> both = {"https://example.org", "https://example.com"};
  in.allowed_origins = both;
  EXPECT_OK(verify_registration(in));
}

}  // namespace
}  // namespace hippocrate::auth::webauthn::testing
