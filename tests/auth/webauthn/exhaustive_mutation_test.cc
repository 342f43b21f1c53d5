// Every single-byte change of a signed ceremony is refused. An assertion signs all of its
// authenticator data and the hash of all of its client data, and packed self attestation
// signs the registration's, so for the §16 vectors whose signature Hippocrate verifies, no
// change of one bit anywhere — nor a byte cut or added — may pass, whichever step catches
// it. Unsigned inputs ("none" registrations) get random changes that must never crash nor
// return a partial result.
#include <gtest/gtest.h>

#include <random>

#include "auth/webauthn/assertion.h"
#include "auth/webauthn/registration.h"
#include "spec_vectors.h"
#include "support/result_matchers.h"

namespace hippocrate::auth::webauthn::testing {
namespace {

// The §16 authentications Hippocrate verifies (their keys are ES256 or Ed25519).
constexpr const char* kVerifiedAssertions[] = {
    "none-es256",        "packed-self-es256", "none-es256-long-credential-id",
    "packed-es256",      "packed-eddsa",      "tpm-es256",
    "android-key-es256", "apple-es256",       "fido-u2f-es256"};

struct Assertion3 {
  Bytes client_data, auth_data, signature, challenge;
  SpecCredential credential;
};

Result<Assertion> run(const Assertion3& a) {
  AssertionInput in;
  in.credential_id = a.credential.id;
  in.client_data_json = a.client_data;
  in.authenticator_data = a.auth_data;
  in.signature = a.signature;
  in.credential = {a.credential.id, a.credential.public_key, 0, a.credential.backup_eligible};
  in.expected_challenge = a.challenge;
  in.allowed_origins = kSpecOrigins;
  in.rp_id = kSpecRpId;
  return verify_assertion(in);
}

// Each bit of each byte flipped, each input cut by one byte and grown by one.
template <typename Run>
std::size_t expect_every_change_refused(Bytes& input, const Run& run_it) {
  std::size_t runs = 0;
  for (std::size_t i = 0; i < input.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      input[i] ^= static_cast<std::uint8_t>(1 << bit);
      const bool passed = run_it();
      input[i] ^= static_cast<std::uint8_t>(1 << bit);
      EXPECT_FALSE(passed) << "byte " << i << " bit " << bit;
      ++runs;
    }
  }
  const std::uint8_t last = input.back();
  input.pop_back();
  EXPECT_FALSE(run_it()) << "cut by one byte";
  input.push_back(last);
  input.push_back(0x00);
  EXPECT_FALSE(run_it()) << "one byte added";
  input.pop_back();
  return runs + 2;
}

TEST(WebAuthnExhaustive, NoSingleBitChangeOfASignedAssertionPasses) {
  std::size_t runs = 0;
  for (const char* anchor : kVerifiedAssertions) {
    SCOPED_TRACE(anchor);
    const auto& c = spec_case(anchor, "authentication");
    Assertion3 a{c.hex("clientDataJSON"), c.hex("authenticatorData"), c.hex("signature"),
                 c.hex("challenge"), spec_credential(anchor)};
    ASSERT_OK(run(a));
    auto passes = [&] { return run(a).ok(); };
    runs += expect_every_change_refused(a.auth_data, passes);
    runs += expect_every_change_refused(a.client_data, passes);
    runs += expect_every_change_refused(a.signature, passes);
    runs += expect_every_change_refused(a.credential.public_key, passes);
    ASSERT_OK(run(a));  // every change was undone
  }
  EXPECT_GT(runs, 25000u);  // 25,440 single changes
}

TEST(WebAuthnExhaustive, NoSingleBitChangeOfAPackedSelfRegistrationPasses) {
  const auto& c = spec_case("packed-self-es256", "registration");
  Bytes client_data = c.hex("clientDataJSON");
  Bytes object = c.hex("attestationObject");
  const Bytes challenge = c.hex("challenge");
  auto passes = [&] {
    RegistrationInput in;
    in.client_data_json = client_data;
    in.attestation_object = object;
    in.expected_challenge = challenge;
    in.allowed_origins = kSpecOrigins;
    in.rp_id = kSpecRpId;
    return verify_registration(in).ok();
  };
  ASSERT_TRUE(passes());
  expect_every_change_refused(object, passes);
  expect_every_change_refused(client_data, passes);
  ASSERT_TRUE(passes());
}

TEST(WebAuthnExhaustive, RandomChangesOfUnsignedInputsNeverCrash) {
  std::mt19937 random(20261208);  // fixed seed: the same inputs every run
  std::size_t accepted = 0;
  for (const auto& vector : spec_vectors()) {
    if (!vector.has("attestationObject")) continue;
    const Bytes original = vector.hex("attestationObject");
    const Bytes client_data = vector.hex("clientDataJSON");
    const Bytes challenge = vector.hex("challenge");
    for (int round = 0; round < 300; ++round) {
      Bytes object = original;
      const int changes = 1 + static_cast<int>(random() % 4);
      for (int k = 0; k < changes; ++k) {
        const std::size_t at = random() % object.size();
        switch (random() % 3) {
          case 0: object[at] = static_cast<std::uint8_t>(random()); break;
          case 1: object.erase(object.begin() + static_cast<std::ptrdiff_t>(at)); break;
          default:
            object.insert(object.begin() + static_cast<std::ptrdiff_t>(at),
                          static_cast<std::uint8_t>(random()));
        }
        if (object.empty()) object.push_back(0);
      }
      RegistrationInput in;
      in.client_data_json = client_data;
      in.attestation_object = object;
      in.expected_challenge = challenge;
      in.allowed_origins = kSpecOrigins;
      in.rp_id = kSpecRpId;
      auto r = verify_registration(in);
      if (r.ok()) {
        // Only a "none" registration can survive a change (nothing signs it), and then
        // every step passed on what it holds.
        ++accepted;
        EXPECT_EQ(r->attestation, AttestationFormat::kNone) << vector.name;
        EXPECT_LE(r->credential_id.size(), 1023u);
      } else {
        EXPECT_TRUE(r.error().code().rfind("webauthn_", 0) == 0) << r.error().code();
      }
    }
  }
  RecordProperty("accepted", static_cast<int>(accepted));
}

}  // namespace
}  // namespace hippocrate::auth::webauthn::testing
