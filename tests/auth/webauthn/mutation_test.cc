// Mutation tests: valid ceremonies — the W3C §16 vectors, re-signed with the vectors' own
// credential_private_key where a change must keep a valid signature, and credentials made
// here with OpenSSL (ES256) and libsodium (Ed25519) — each changed in one way and refused with
// the code of the step that catches it: every flag bit, every byte of rpIdHash, the origin,
// the type, the challenge, crossOrigin, the counter, the credential and user handle, the
// attestation statement.
//
// Note on "none" registrations: nothing signs their authenticator data (§8.7), so a flip that
// leaves a consistent registration (an RFU bit, UV set, BS cleared) is accepted — a
// registration of other flags, not a forgery. With packed self attestation and in assertions
// the same flips break the signature.
#include <gtest/gtest.h>

#include <functional>

#include "auth/webauthn/assertion.h"
#include "auth/webauthn/attestation.h"
#include "auth/webauthn/authenticator_data.h"
#include "auth/webauthn/registration.h"
#include "cbor_writer.h"
#include "soft_authenticator.h"
#include "spec_vectors.h"
#include "support/result_matchers.h"

namespace hippocrate::auth::webauthn::testing {
namespace {

constexpr std::size_t kFlagsOffset = 32;
constexpr std::size_t kCountOffset = 33;

std::string text_of(const Bytes& b) { return std::string(b.begin(), b.end()); }

Bytes replaced(const Bytes& in, const std::string& from, const std::string& to) {
  std::string s = text_of(in);
  const auto at = s.find(from);
  if (at == std::string::npos) throw std::runtime_error("test: '" + from + "' not found");
  s.replace(at, from.size(), to);
  return to_bytes(s);
}

// ---- Registration ------------------------------------------------------------------------

struct RegCase {
  Bytes client_data;
  std::string fmt;
  Bytes att_stmt;  // encoded
  Bytes auth_data;
  Bytes challenge;
  std::vector<std::string> origins = kSpecOrigins;
  std::string rp_id = std::string(kSpecRpId);
  bool uv_required = false;
  std::vector<CoseAlgorithm> algorithms = {CoseAlgorithm::kEs256, CoseAlgorithm::kEdDsa};

  Result<Registration> run() const {
    const Bytes object = attestation_object(fmt, att_stmt, auth_data);
    return run_object(object);
  }
  Result<Registration> run_object(const Bytes& object) const {
    RegistrationInput in;
    in.client_data_json = client_data;
    in.attestation_object = object;
    in.expected_challenge = challenge;
    in.allowed_origins = origins;
    in.rp_id = rp_id;
    in.user_verification_required = uv_required;
    in.allowed_algorithms = algorithms;
    return verify_registration(in);
  }
};

RegCase spec_registration(std::string_view anchor) {
  const auto& c = spec_case(anchor, "registration");
  auto object = decode_attestation_object(c.hex("attestationObject"));
  if (!object) throw std::runtime_error(object.error().to_string());
  RegCase r;
  r.client_data = c.hex("clientDataJSON");
  r.fmt = object->fmt;
  if (object->fmt == "packed") {
    r.att_stmt = packed_self_statement(
        static_cast<CoseAlgorithm>(object->att_stmt.find("alg")->as_integer()),
        object->att_stmt.find("sig")->as_bytes());
  } else {
    r.att_stmt = cbor_map({});
  }
  r.auth_data = object->auth_data;
  r.challenge = c.hex("challenge");
  return r;
}

// The packed-self.ES256 registration with its self attestation signed again over the current
// authData and client data with the vector's private key.
void resign_packed(RegCase& r, const SoftCredential& key) {
  r.att_stmt = packed_self_statement(CoseAlgorithm::kEs256,
                                     key.sign(signed_data(r.auth_data, text_of(r.client_data))));
}

TEST(WebAuthnMutation, RegistrationVectorsPassUnchanged) {
  EXPECT_OK(spec_registration("none-es256").run());
  EXPECT_OK(spec_registration("packed-self-es256").run());
}

TEST(WebAuthnMutation, RegistrationNoneEachFlagBit) {
  // none.ES256, flags 0x59 = UP | BE | BS | AT.
  const std::pair<std::uint8_t, const char*> cases[] = {
      {kFlagUserPresent, "webauthn_user_present"},
      {kFlagRfu1, ""},                                 // reserved: ignored (§6.1)
      {kFlagUserVerified, ""},                         // UV now set: still acceptable
      {kFlagBackupEligible, "webauthn_backup_state"},  // BS left without BE
      {kFlagBackupState, ""},                          // eligible, not backed up
      {kFlagRfu2, ""},
      {kFlagAttestedCredential, "webauthn_malformed"},  // the credential becomes trailing bytes
      {kFlagExtensions, "webauthn_malformed"},          // no extensions follow
  };
  for (const auto& [bit, code] : cases) {
    SCOPED_TRACE(static_cast<int>(bit));
    RegCase r = spec_registration("none-es256");
    r.auth_data[kFlagsOffset] ^= bit;
    if (std::string_view(code).empty()) {
      EXPECT_OK(r.run());
    } else {
      EXPECT_ERROR_CODE(r.run(), code);
    }
  }
  RegCase uv = spec_registration("none-es256");
  uv.uv_required = true;
  EXPECT_ERROR_CODE(uv.run(), "webauthn_user_verified");
  uv.auth_data[kFlagsOffset] |= kFlagUserVerified;
  EXPECT_OK(uv.run());
}

TEST(WebAuthnMutation, RegistrationPackedSelfEachFlagBit) {
  // packed-self.ES256, flags 0x5d = UP | UV | BE | BS | AT; the attestation signs authData.
  const auto key = SoftCredential::es256_from_private(
      spec_case("packed-self-es256", "registration").hex("credential_private_key"));
  struct Case {
    std::uint8_t bit;
    const char* as_sent;    // the vector's signature kept
    const char* re_signed;  // signed again over the changed authData
  };
  const Case cases[] = {
      {kFlagUserPresent, "webauthn_user_present", "webauthn_user_present"},
      {kFlagRfu1, "webauthn_signature", ""},
      {kFlagUserVerified, "webauthn_signature", ""},
      {kFlagBackupEligible, "webauthn_backup_state", "webauthn_backup_state"},
      {kFlagBackupState, "webauthn_signature", ""},
      {kFlagRfu2, "webauthn_signature", ""},
      {kFlagAttestedCredential, "webauthn_malformed", "webauthn_malformed"},
      {kFlagExtensions, "webauthn_malformed", "webauthn_malformed"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.bit));
    RegCase r = spec_registration("packed-self-es256");
    r.auth_data[kFlagsOffset] ^= c.bit;
    EXPECT_ERROR_CODE(r.run(), c.as_sent);
    resign_packed(r, key);
    if (std::string_view(c.re_signed).empty()) {
      EXPECT_OK(r.run());
    } else {
      EXPECT_ERROR_CODE(r.run(), c.re_signed);
    }
  }
  RegCase uv = spec_registration("packed-self-es256");
  uv.uv_required = true;
  EXPECT_OK(uv.run());
  uv.auth_data[kFlagsOffset] ^= kFlagUserVerified;
  resign_packed(uv, key);
  EXPECT_ERROR_CODE(uv.run(), "webauthn_user_verified");
}

TEST(WebAuthnMutation, RegistrationEachByteOfRpIdHash) {
  for (const char* anchor : {"none-es256", "packed-self-es256"}) {
    for (std::size_t i = 0; i < 32; ++i) {
      RegCase r = spec_registration(anchor);
      r.auth_data[i] ^= 0x01;
      {
        SCOPED_TRACE(::testing::Message() << anchor << " byte " << i);
        EXPECT_ERROR_CODE(r.run(), "webauthn_rp_id");
      }
    }
  }
  for (const char* rp_id :
       {"example.com", "EXAMPLE.org", "www.example.org", "org", "example.org.", "xample.org", ""}) {
    RegCase r = spec_registration("none-es256");
    r.rp_id = rp_id;
    {
      SCOPED_TRACE(::testing::Message() << rp_id);
      EXPECT_ERROR_CODE(r.run(), "webauthn_rp_id");
    }
  }
}

TEST(WebAuthnMutation, RegistrationClientData) {
  const std::pair<std::function<void(RegCase&)>, const char*> cases[] = {
      {[](RegCase& r) {
         r.client_data = replaced(r.client_data, "webauthn.create", "webauthn.get");
       },
       "webauthn_type"},
      {[](RegCase& r) {
         r.client_data = replaced(r.client_data, "\"origin\":\"https://example.org\"",
                                  "\"origin\":\"https://evil.example.org\"");
       },
       "webauthn_origin"},
      {[](RegCase& r) { r.origins = {"https://example.org:443"}; }, "webauthn_origin"},
      {[](RegCase& r) { r.origins = {"https://example.com"}; }, "webauthn_origin"},
      {[](RegCase& r) { r.origins = {}; }, "webauthn_origin"},
      {[](RegCase& r) {
         r.client_data = replaced(r.client_data, "\"crossOrigin\":false", "\"crossOrigin\":true");
       },
       "webauthn_cross_origin"},
      {[](RegCase& r) {
         r.client_data = replaced(r.client_data, "\"crossOrigin\":false",
                                  "\"crossOrigin\":false,\"topOrigin\":\"https://evil.example\"");
       },
       "webauthn_top_origin"},
      {[](RegCase& r) {
         r.client_data = replaced(r.client_data, "\"challenge\":\"A", "\"challenge\":\"B");
       },
       "webauthn_challenge"},
      {[](RegCase& r) { r.challenge = spec_case("none-es256", "authentication").hex("challenge"); },
       "webauthn_challenge"},
  };
  for (const auto& [mutate, code] : cases) {
    SCOPED_TRACE(code);
    RegCase r = spec_registration("none-es256");
    mutate(r);
    EXPECT_ERROR_CODE(r.run(), code);
  }
  for (std::size_t i = 0; i < 32; ++i) {
    RegCase r = spec_registration("none-es256");
    r.challenge[i] ^= 0x80;
    {
      SCOPED_TRACE(::testing::Message() << i);
      EXPECT_ERROR_CODE(r.run(), "webauthn_challenge");
    }
  }
  // The packed self attestation signs the client data's hash: a change of an ignored member
  // keeps the ceremony's checks but breaks the signature.
  RegCase p = spec_registration("packed-self-es256");
  p.client_data = replaced(p.client_data, "\"extraData\":\"", "\"extraData\":\"x");
  EXPECT_ERROR_CODE(p.run(), "webauthn_signature");
}

TEST(WebAuthnMutation, RegistrationAttestationStatement) {
  const RegCase none = spec_registration("none-es256");
  const RegCase packed = spec_registration("packed-self-es256");
  const Bytes sig = decode_attestation_object(
                        spec_case("packed-self-es256", "registration").hex("attestationObject"))
                        ->att_stmt.find("sig")
                        ->as_bytes();
  const std::pair<std::function<void(RegCase&)>, const char*> cases[] = {
      {[](RegCase& r) { r.fmt = "None"; }, "webauthn_attestation_format"},
      {[](RegCase& r) { r.fmt = "fido-u2f"; }, "webauthn_attestation_format"},
      {[](RegCase& r) { r.fmt = "tpm"; }, "webauthn_attestation_format"},
      {[](RegCase& r) { r.fmt = "packed"; }, "webauthn_attestation_format"},  // empty attStmt
      {[](RegCase& r) {
         r.att_stmt = cbor_map({{cbor_text("x"), cbor_int(1)}});
       },
       "webauthn_attestation_format"},
      {[](RegCase& r) { r.algorithms = {CoseAlgorithm::kEdDsa}; }, "webauthn_algorithm"},
  };
  for (const auto& [mutate, code] : cases) {
    SCOPED_TRACE(code);
    RegCase r = none;
    mutate(r);
    EXPECT_ERROR_CODE(r.run(), code);
  }
  const std::pair<Bytes, const char*> statements[] = {
      // alg not the credential's (§8.2 self attestation).
      {packed_self_statement(CoseAlgorithm::kEdDsa, sig), "webauthn_algorithm"},
      {cbor_map({{cbor_text("alg"), cbor_int(-257)}, {cbor_text("sig"), cbor_bytes(sig)}}),
       "webauthn_algorithm"},
      // x5c: basic/AttCA attestation, not accepted.
      {cbor_map({{cbor_text("alg"), cbor_int(-7)},
                 {cbor_text("sig"), cbor_bytes(sig)},
                 {cbor_text("x5c"), cbor_array({cbor_bytes({1, 2, 3})})}}),
       "webauthn_attestation_format"},
      {cbor_map({{cbor_text("alg"), cbor_int(-7)}}), "webauthn_attestation_format"},
      {cbor_map({{cbor_text("alg"), cbor_int(-7)}, {cbor_text("sig"), cbor_text("x")}}),
       "webauthn_attestation_format"},
      {cbor_map({{cbor_text("alg"), cbor_int(-7)},
                 {cbor_text("sig"), cbor_bytes(sig)},
                 {cbor_text("ecdaaKeyId"), cbor_bytes({1})}}),
       "webauthn_attestation_format"},
      {packed_self_statement(CoseAlgorithm::kEs256, Bytes(sig.begin(), sig.end() - 1)),
       "webauthn_signature"},
  };
  for (const auto& [stmt, code] : statements) {
    SCOPED_TRACE(code);
    RegCase r = packed;
    r.att_stmt = stmt;
    EXPECT_ERROR_CODE(r.run(), code);
  }
  // A "none" statement may not ride on a packed credential's self signature, nor the reverse.
  RegCase swapped = packed;
  swapped.fmt = "none";
  EXPECT_ERROR_CODE(swapped.run(), "webauthn_attestation_format");
}

TEST(WebAuthnMutation, RegistrationAttestationObjectStructure) {
  const RegCase r = spec_registration("none-es256");
  const Bytes fmt = cbor_text("fmt"), stmt = cbor_text("attStmt"), data = cbor_text("authData");
  const Bytes objects[] = {
      cbor_map({{fmt, cbor_text("none")}, {stmt, cbor_map({})}}),  // no authData
      cbor_map({{fmt, cbor_text("none")},
                {stmt, cbor_map({})},
                {data, cbor_bytes(r.auth_data)},
                {cbor_text("epAtt"), cbor_int(1)}}),
      cbor_map({{fmt, cbor_int(0)}, {stmt, cbor_map({})}, {data, cbor_bytes(r.auth_data)}}),
      cbor_map({{fmt, cbor_text("none")}, {stmt, cbor_array({})}, {data, cbor_bytes(r.auth_data)}}),
      cbor_map({{fmt, cbor_text("none")}, {stmt, cbor_map({})}, {data, cbor_text("x")}}),
      cbor_map({{stmt, cbor_map({})}, {fmt, cbor_text("none")}, {data, cbor_bytes(r.auth_data)}}),
      cat({attestation_object("none", cbor_map({}), r.auth_data), Bytes{0x00}}),
      cbor_array({}),
      Bytes(kMaxAttestationObjectBytes + 1, 0xa0),
  };
  for (std::size_t i = 0; i < std::size(objects); ++i) {
    {
      SCOPED_TRACE(::testing::Message() << i);
      EXPECT_ERROR_CODE(r.run_object(objects[i]), "webauthn_malformed");
    }
  }
  // No attested credential data at all.
  RegCase no_credential = r;
  no_credential.auth_data = authenticator_data("example.org", 0x01, 0);
  EXPECT_ERROR_CODE(no_credential.run(), "webauthn_malformed");
}

// ---- Authentication ----------------------------------------------------------------------

struct AuthCase {
  Bytes credential_id;
  Bytes public_key;
  bool stored_backup_eligible = false;
  std::uint32_t stored_count = 0;
  Bytes client_data;
  Bytes auth_data;
  Bytes signature;
  Bytes challenge;
  std::vector<std::string> origins = kSpecOrigins;
  std::string rp_id = std::string(kSpecRpId);
  bool uv_required = false;
  std::optional<Bytes> user_handle;
  std::optional<Bytes> expected_user_handle;
  bool user_handle_required = false;
  Bytes presented_id;  // the response's rawId; empty: the credential's

  Result<Assertion> run() const {
    AssertionInput in;
    in.credential_id = presented_id.empty() ? credential_id : presented_id;
    in.client_data_json = client_data;
    in.authenticator_data = auth_data;
    in.signature = signature;
    if (user_handle) in.user_handle = std::span<const std::uint8_t>(*user_handle);
    in.credential = {credential_id, public_key, stored_count, stored_backup_eligible};
    in.expected_challenge = challenge;
    in.allowed_origins = origins;
    in.rp_id = rp_id;
    in.user_verification_required = uv_required;
    if (expected_user_handle)
      in.expected_user_handle = std::span<const std::uint8_t>(*expected_user_handle);
    in.user_handle_required = user_handle_required;
    return verify_assertion(in);
  }
};

AuthCase spec_authentication(std::string_view anchor) {
  const auto& c = spec_case(anchor, "authentication");
  const SpecCredential credential = spec_credential(anchor);
  AuthCase a;
  a.credential_id = credential.id;
  a.public_key = credential.public_key;
  a.stored_backup_eligible = credential.backup_eligible;
  a.client_data = c.hex("clientDataJSON");
  a.auth_data = c.hex("authenticatorData");
  a.signature = c.hex("signature");
  a.challenge = c.hex("challenge");
  return a;
}

SoftCredential spec_key(std::string_view anchor) {
  return SoftCredential::es256_from_private(
      spec_case(anchor, "registration").hex("credential_private_key"));
}

void resign(AuthCase& a, const SoftCredential& key) {
  a.signature = key.sign(signed_data(a.auth_data, text_of(a.client_data)));
}

void set_count(Bytes& auth_data, std::uint32_t count) {
  for (int k = 0; k < 4; ++k)
    auth_data[kCountOffset + k] = static_cast<std::uint8_t>(count >> (24 - 8 * k));
}

TEST(WebAuthnMutation, AssertionEachFlagBit) {
  // none.ES256's assertion: flags 0x19 = UP | BE | BS, registered with BE.
  struct Case {
    std::uint8_t bit;
    const char* as_sent;
    const char* re_signed;
  };
  const Case cases[] = {
      {kFlagUserPresent, "webauthn_user_present", "webauthn_user_present"},
      {kFlagRfu1, "webauthn_signature", ""},
      {kFlagUserVerified, "webauthn_signature", ""},
      {kFlagBackupEligible, "webauthn_backup_state", "webauthn_backup_state"},
      {kFlagBackupState, "webauthn_signature", ""},  // no longer backed up: allowed to change
      {kFlagRfu2, "webauthn_signature", ""},
      {kFlagAttestedCredential, "webauthn_malformed", "webauthn_malformed"},
      {kFlagExtensions, "webauthn_malformed", "webauthn_malformed"},
  };
  const auto key = spec_key("none-es256");
  for (const auto& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.bit));
    AuthCase a = spec_authentication("none-es256");
    a.auth_data[kFlagsOffset] ^= c.bit;
    EXPECT_ERROR_CODE(a.run(), c.as_sent);
    if (!a.run().ok()) {
      EXPECT_EQ(a.run().error().kind(), ErrorKind::kUnauthenticated);
    }
    resign(a, key);
    if (std::string_view(c.re_signed).empty()) {
      EXPECT_OK(a.run());
    } else {
      EXPECT_ERROR_CODE(a.run(), c.re_signed);
    }
  }
}

TEST(WebAuthnMutation, AssertionBackupEligibilityMustNotChange) {
  // packed-self.ES256's assertion: flags 0x09 = UP | BE, registered with BE.
  const auto key = spec_key("packed-self-es256");
  AuthCase a = spec_authentication("packed-self-es256");
  ASSERT_OK(a.run());
  a.auth_data[kFlagsOffset] ^= kFlagBackupEligible;
  EXPECT_ERROR_CODE(a.run(), "webauthn_backup_eligibility_changed");
  resign(a, key);
  EXPECT_ERROR_CODE(a.run(), "webauthn_backup_eligibility_changed");
  // Registered without BE, asserted with it.
  AuthCase b = spec_authentication("packed-self-es256");
  b.stored_backup_eligible = false;
  EXPECT_ERROR_CODE(b.run(), "webauthn_backup_eligibility_changed");
  // BS may come and go while BE stays.
  AuthCase c = spec_authentication("packed-self-es256");
  c.auth_data[kFlagsOffset] |= kFlagBackupState;
  EXPECT_ERROR_CODE(c.run(), "webauthn_signature");
  resign(c, key);
  ASSERT_OK_AND_ASSIGN(auto out, c.run());
  EXPECT_TRUE(out.backup_state);
}

TEST(WebAuthnMutation, AssertionUserVerification) {
  for (const char* anchor : {"none-es256", "packed-self-es256"}) {  // neither sets UV
    AuthCase a = spec_authentication(anchor);
    a.uv_required = true;
    {
      SCOPED_TRACE(::testing::Message() << anchor);
      EXPECT_ERROR_CODE(a.run(), "webauthn_user_verified");
    }
    a.auth_data[kFlagsOffset] |= kFlagUserVerified;
    resign(a, spec_key(anchor));
    ASSERT_OK_AND_ASSIGN(auto out, a.run());
    EXPECT_TRUE(out.user_verified);
  }
}

TEST(WebAuthnMutation, AssertionEachByteOfRpIdHash) {
  for (std::size_t i = 0; i < 32; ++i) {
    AuthCase a = spec_authentication("none-es256");
    a.auth_data[i] ^= 0xff;
    {
      SCOPED_TRACE(::testing::Message() << i);
      EXPECT_ERROR_CODE(a.run(), "webauthn_rp_id");
    }
    resign(a, spec_key("none-es256"));  // signed or not, the RP ID is checked first
    {
      SCOPED_TRACE(::testing::Message() << i);
      EXPECT_ERROR_CODE(a.run(), "webauthn_rp_id");
    }
  }
  AuthCase a = spec_authentication("none-es256");
  a.rp_id = "example.com";
  EXPECT_ERROR_CODE(a.run(), "webauthn_rp_id");
}

TEST(WebAuthnMutation, AssertionClientData) {
  const std::pair<std::function<void(AuthCase&)>, const char*> cases[] = {
      {[](AuthCase& a) {
         a.client_data = replaced(a.client_data, "webauthn.get", "webauthn.create");
       },
       "webauthn_type"},
      {[](AuthCase& a) {
         a.client_data = spec_case("none-es256", "registration").hex("clientDataJSON");
       },
       "webauthn_type"},
      {[](AuthCase& a) {
         a.client_data =
             replaced(a.client_data, "https://example.org", "https://example.org.evil.com");
       },
       "webauthn_origin"},
      {[](AuthCase& a) { a.origins = {"https://www.example.org"}; }, "webauthn_origin"},
      {[](AuthCase& a) {
         a.client_data = replaced(a.client_data, "\"crossOrigin\":false", "\"crossOrigin\":true");
       },
       "webauthn_cross_origin"},
      {[](AuthCase& a) {
         a.client_data = replaced(a.client_data, "\"crossOrigin\":false",
                                  "\"crossOrigin\":false,\"topOrigin\":\"https://example.com\"");
       },
       "webauthn_top_origin"},
      {[](AuthCase& a) {
         a.client_data = replaced(a.client_data, "\"challenge\":\"O", "\"challenge\":\"P");
       },
       "webauthn_challenge"},
      {[](AuthCase& a) { a.challenge = spec_case("none-es256", "registration").hex("challenge"); },
       "webauthn_challenge"},
      // A member the checks ignore still changes the signed hash.
      {[](AuthCase& a) { a.client_data = replaced(a.client_data, "}", ",\"x\":1}"); },
       "webauthn_signature"},
  };
  for (const auto& [mutate, code] : cases) {
    SCOPED_TRACE(code);
    AuthCase a = spec_authentication("none-es256");
    mutate(a);
    EXPECT_ERROR_CODE(a.run(), code);
  }
  for (std::size_t i = 0; i < 32; ++i) {
    AuthCase a = spec_authentication("none-es256");
    a.challenge[i] ^= 0x01;
    {
      SCOPED_TRACE(::testing::Message() << i);
      EXPECT_ERROR_CODE(a.run(), "webauthn_challenge");
    }
  }
}

TEST(WebAuthnMutation, AssertionSignatureBytes) {
  const AuthCase base = spec_authentication("none-es256");
  for (std::size_t i = 0; i < base.signature.size(); ++i) {
    AuthCase a = base;
    a.signature[i] ^= 0x01;
    {
      SCOPED_TRACE(::testing::Message() << i);
      EXPECT_ERROR_CODE(a.run(), "webauthn_signature");
    }
  }
  AuthCase empty = base;
  empty.signature.clear();
  EXPECT_ERROR_CODE(empty.run(), "webauthn_signature");
  // Another credential's key.
  AuthCase other = base;
  other.public_key = spec_credential("packed-self-es256").public_key;
  EXPECT_ERROR_CODE(other.run(), "webauthn_signature");
  // A stored key that no longer parses fails closed.
  AuthCase corrupt = base;
  corrupt.public_key.pop_back();
  EXPECT_ERROR_CODE(corrupt.run(), "webauthn_malformed");
}

TEST(WebAuthnMutation, AssertionSignCount) {
  const auto key = spec_key("none-es256");
  struct Case {
    std::uint32_t stored, received;
    const char* code;
  };
  const Case cases[] = {
      {0, 0, ""},  // synced passkeys: both zero
      {0, 1, ""},
      {5, 6, ""},
      {5, 0xffffffff, ""},
      {5, 5, "webauthn_sign_count"},
      {5, 4, "webauthn_sign_count"},
      {5, 0, "webauthn_sign_count"},  // a counter gone back to zero (duo-labs/webauthn PR #64)
      {0xffffffff, 0xffffffff, "webauthn_sign_count"},
      {0xffffffff, 0, "webauthn_sign_count"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::to_string(c.stored) + " -> " + std::to_string(c.received));
    AuthCase a = spec_authentication("none-es256");
    a.stored_count = c.stored;
    set_count(a.auth_data, c.received);
    if (c.received != 0) {
      // Unsigned, the new count is a forgery: refused for its signature, never reported as a
      // possible clone.
      EXPECT_ERROR_CODE(a.run(), "webauthn_signature");
    }
    resign(a, key);
    if (std::string_view(c.code).empty()) {
      ASSERT_OK_AND_ASSIGN(auto out, a.run());
      EXPECT_EQ(out.sign_count, c.received);
    } else {
      EXPECT_ERROR_CODE(a.run(), c.code);
      EXPECT_EQ(a.run().error().kind(), ErrorKind::kUnauthenticated);
    }
  }
}

TEST(WebAuthnMutation, AssertionCredentialAndUserHandle) {
  AuthCase a = spec_authentication("none-es256");
  a.presented_id = spec_credential("packed-self-es256").id;
  EXPECT_ERROR_CODE(a.run(), "webauthn_credential");

  const Bytes bob = to_bytes("user-handle-bob"), eve = to_bytes("user-handle-eve");
  AuthCase h = spec_authentication("none-es256");
  h.user_handle = bob;
  h.expected_user_handle = bob;
  EXPECT_OK(h.run());
  h.user_handle = eve;  // Eve's credential presented for Bob's account (w3c/webauthn #753)
  EXPECT_ERROR_CODE(h.run(), "webauthn_user_handle");
  h.user_handle.reset();  // absent: allowed when the account was identified before
  EXPECT_OK(h.run());
  h.user_handle_required = true;  // discoverable credential: the handle found the account
  EXPECT_ERROR_CODE(h.run(), "webauthn_user_handle");
}

// ---- Ceremonies made here ----------------------------------------------------------------

struct Fresh {
  SoftCredential credential;
  std::string name;
};

TEST(WebAuthnMutation, FreshCredentialsRegisterAndAuthenticate) {
  const std::string origin = "https://hippocrate.example.org";
  const std::string rp_id = "hippocrate.example.org";
  std::vector<Fresh> credentials;
  credentials.push_back({SoftCredential::fresh_es256(), "ES256 (OpenSSL)"});
  credentials.push_back({SoftCredential::fresh_ed25519(), "EdDSA (libsodium)"});
  for (const auto& [credential, name] : credentials) {
    for (const bool packed : {false, true}) {
      SCOPED_TRACE(name + (packed ? " packed self" : " none"));
      const Bytes id(16, 0x42);
      const Bytes challenge(16, 0x17);
      RegCase r;
      r.client_data = to_bytes(client_data_json("webauthn.create", challenge, origin));
      r.auth_data = authenticator_data(rp_id, 0x45 /* UP UV AT */, 0, id, credential.cose_key());
      r.fmt = packed ? "packed" : "none";
      r.att_stmt = packed ? packed_self_statement(
                                credential.alg(),
                                credential.sign(signed_data(r.auth_data, text_of(r.client_data))))
                          : cbor_map({});
      r.challenge = challenge;
      r.origins = {origin};
      r.rp_id = rp_id;
      r.uv_required = true;
      ASSERT_OK_AND_ASSIGN(const Registration reg, r.run());
      EXPECT_EQ(reg.key.alg, credential.alg());
      EXPECT_EQ(reg.public_key, credential.cose_key());
      EXPECT_EQ(reg.attestation,
                packed ? AttestationFormat::kPackedSelf : AttestationFormat::kNone);
      EXPECT_FALSE(reg.backup_eligible);

      AuthCase a;
      a.credential_id = reg.credential_id;
      a.public_key = reg.public_key;
      a.stored_backup_eligible = reg.backup_eligible;
      a.stored_count = reg.sign_count;
      const Bytes get_challenge(32, 0x99);
      a.client_data = to_bytes(client_data_json("webauthn.get", get_challenge, origin));
      a.auth_data = authenticator_data(rp_id, 0x05 /* UP UV */, 1);
      a.signature = credential.sign(signed_data(a.auth_data, text_of(a.client_data)));
      a.challenge = get_challenge;
      a.origins = {origin};
      a.rp_id = rp_id;
      a.uv_required = true;
      ASSERT_OK_AND_ASSIGN(const Assertion out, a.run());
      EXPECT_EQ(out.sign_count, 1u);
      EXPECT_TRUE(out.user_verified);

      // Each flag bit, with the signature as sent.
      for (int bit = 0; bit < 8; ++bit) {
        AuthCase m = a;
        m.auth_data[kFlagsOffset] ^= static_cast<std::uint8_t>(1 << bit);
        EXPECT_FALSE(m.run().ok()) << bit;
      }
      // Each byte of the signature.
      for (std::size_t i = 0; i < a.signature.size(); ++i) {
        AuthCase m = a;
        m.signature[i] ^= 0x04;
        {
          SCOPED_TRACE(::testing::Message() << i);
          EXPECT_ERROR_CODE(m.run(), "webauthn_signature");
        }
      }
      // The same assertion again: the counter has not moved.
      AuthCase replay = a;
      replay.stored_count = out.sign_count;
      EXPECT_ERROR_CODE(replay.run(), "webauthn_sign_count");
      // The packed statement signed with another key of the same algorithm.
      if (packed) {
        RegCase forged = r;
        const SoftCredential other = credential.alg() == CoseAlgorithm::kEs256
                                         ? SoftCredential::fresh_es256()
                                         : SoftCredential::fresh_ed25519();
        forged.att_stmt = packed_self_statement(
            credential.alg(), other.sign(signed_data(r.auth_data, text_of(r.client_data))));
        EXPECT_ERROR_CODE(forged.run(), "webauthn_signature");
      }
    }
  }
}

TEST(WebAuthnMutation, RefusalsHoldNoInput) {
  AuthCase a = spec_authentication("none-es256");
  a.origins = {"https://other.example"};
  auto r = a.run();
  ASSERT_FALSE(r.ok());
  const std::string& message = r.error().message();
  EXPECT_EQ(message.find("example"), std::string::npos) << message;
  EXPECT_EQ(message.find("http"), std::string::npos) << message;
}

}  // namespace
}  // namespace hippocrate::auth::webauthn::testing
