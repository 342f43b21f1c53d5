#include "auth/webauthn/authenticator_data.h"

#include <algorithm>

#include "auth/webauthn/cbor.h"
#include "auth/webauthn/errors.h"

namespace hippocrate::auth::webauthn {
namespace {

constexpr std::size_t kFixedBytes = 37;          // rpIdHash ‖ flags ‖ signCount (§6.1)
constexpr std::size_t kAttestedFixedBytes = 18;  // aaguid ‖ credentialIdLength (§6.5.1)

Error malformed(std::string message) { return refusal(kMalformed, std::move(message)); }

}  // namespace

Result<AuthenticatorData> parse_authenticator_data(std::span<const std::uint8_t> data) {
  if (data.size() < kFixedBytes) return malformed("the authenticator data is too short");
  if (data.size() > kMaxAuthenticatorDataBytes) {
    return malformed("the authenticator data is too large");
  }
  AuthenticatorData out;
  std::copy_n(data.begin(), 32, out.rp_id_hash.begin());
  out.flags = data[32];
  out.sign_count = (std::uint32_t{data[33]} << 24) | (std::uint32_t{data[34]} << 16) |
                   (std::uint32_t{data[35]} << 8) | std::uint32_t{data[36]};
  std::size_t pos = kFixedBytes;

  if ((out.flags & kFlagAttestedCredential) != 0) {
    if (data.size() - pos < kAttestedFixedBytes) {
      return malformed("the attested credential data is truncated");
    }
    AttestedCredentialData attested;
    std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(pos), 16, attested.aaguid.begin());
    const std::size_t id_length = (std::size_t{data[pos + 16]} << 8) | data[pos + 17];
    pos += kAttestedFixedBytes;
    if (id_length == 0 || id_length > kMaxCredentialIdBytes) {
      return malformed("the credential id is empty or longer than 1023 bytes");
    }
    if (data.size() - pos < id_length) return malformed("the credential id is truncated");
    attested.credential_id.assign(data.begin() + static_cast<std::ptrdiff_t>(pos),
                                  data.begin() + static_cast<std::ptrdiff_t>(pos + id_length));
    pos += id_length;
    // The COSE_Key's length is its CBOR encoding's (§6.1 note; RFC 9052 §7).
    CborLimits key_limits;
    key_limits.max_depth = 1;
    std::size_t key_length = 0;
    HIPPO_ASSIGN_OR_RETURN(auto key, cbor_decode_prefix(data.subspan(pos), key_length, key_limits));
    if (!key.is_map()) return malformed("the credential public key is not a CBOR map");
    attested.public_key.assign(data.begin() + static_cast<std::ptrdiff_t>(pos),
                               data.begin() + static_cast<std::ptrdiff_t>(pos + key_length));
    pos += key_length;
    out.attested = std::move(attested);
  }

  if ((out.flags & kFlagExtensions) != 0) {
    // §6.1: a CBOR map with extension identifiers (text) as keys; its end is the data's end.
    HIPPO_ASSIGN_OR_RETURN(auto extensions, cbor_decode(data.subspan(pos)));
    if (!extensions.is_map()) return malformed("the authenticator extensions are not a map");
    for (const auto& entry : extensions.as_map()) {
      if (!entry.first.is_text()) return malformed("an authenticator extension id is not text");
    }
    out.extensions.assign(data.begin() + static_cast<std::ptrdiff_t>(pos), data.end());
    pos = data.size();
  }

  if (pos != data.size()) return malformed("bytes follow the authenticator data");
  return out;
}

}  // namespace hippocrate::auth::webauthn
