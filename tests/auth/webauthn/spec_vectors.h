// The W3C WebAuthn Level 3 §16 test vectors (tests/vectors/webauthn/w3c_webauthn3_sec16.txt),
// and what every test over them shares: the RP ID and origin of §16, and the credential
// record a registration vector yields.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "../../crypto/vector_file.h"
#include "auth/webauthn/assertion.h"
#include "base/encoding.h"

namespace hippocrate::auth::webauthn::testing {

using crypto::testing::VectorCase;

inline constexpr std::string_view kSpecRpId = "example.org";  // §16
inline const std::vector<std::string> kSpecOrigins = {"https://example.org"};

const std::vector<VectorCase>& spec_vectors();
// The case "<anchor>.registration" / "<anchor>.authentication"; throws when absent.
const VectorCase& spec_case(std::string_view anchor, std::string_view ceremony);

// The credential record as the vector's registration carries it (parsed from its
// attestationObject's authData, whatever the attestation format), to run its authentication.
struct SpecCredential {
  Bytes id;
  Bytes public_key;
  bool backup_eligible = false;
};
SpecCredential spec_credential(std::string_view anchor);

}  // namespace hippocrate::auth::webauthn::testing
