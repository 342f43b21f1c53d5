#include "spec_vectors.h"

#include <stdexcept>

#include "auth/webauthn/attestation.h"
#include "auth/webauthn/authenticator_data.h"

namespace hippocrate::auth::webauthn::testing {

const std::vector<VectorCase>& spec_vectors() {
  static const std::vector<VectorCase> cases =
      crypto::testing::load_vectors("webauthn/w3c_webauthn3_sec16.txt");
  return cases;
}

const VectorCase& spec_case(std::string_view anchor, std::string_view ceremony) {
  const std::string name = std::string(anchor) + "." + std::string(ceremony);
  for (const auto& c : spec_vectors()) {
    if (c.name == name) return c;
  }
  throw std::runtime_error("no vector " + name);
}

SpecCredential spec_credential(std::string_view anchor) {
  const Bytes object = spec_case(anchor, "registration").hex("attestationObject");
  auto attestation = decode_attestation_object(object);
  if (!attestation) throw std::runtime_error(attestation.error().to_string());
  auto data = parse_authenticator_data(attestation->auth_data);
  if (!data || !data->attested)
    throw std::runtime_error("no attested credential in " + std::string(anchor));
  return {data->attested->credential_id, data->attested->public_key, data->backup_eligible()};
}

}  // namespace hippocrate::auth::webauthn::testing
