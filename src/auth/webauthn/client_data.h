// clientDataJSON (WebAuthn §5.8.1 CollectedClientData) parsed as JSON and checked against
// what the relying party expects: the type, challenge, origin, crossOrigin and topOrigin
// steps of §7.1 (registration) and §7.2 (authentication).
//
// The bytes are parsed with Boost.JSON (RFC 8259; UTF-8 checked, a leading byte order mark
// stripped as §7.1 "UTF-8 decode" requires), never compared with a template: members may
// come in any order and unknown members are ignored (§5.8.1: "be tolerant of unknown keys
// and of any reordering"). Refused with "webauthn_malformed": more than
// kMaxClientDataJsonBytes, invalid JSON or UTF-8, nesting deeper than 16, a top-level value
// that is not an object, a name repeated in any object (RFC 8259 §4 leaves duplicates to
// each parser: one reading must not see what another does not).
//
// Then, in the spec's order, each refusal naming its step (errors.h):
//   type        a string equal to "webauthn.create" / "webauthn.get"      webauthn_type
//   challenge   a string equal to base64url(expected challenge), compared in constant
//               time; an expected challenge under 16 bytes is refused too   webauthn_challenge
//   origin      a string equal to one of `allowed_origins`, exactly: no suffix, case or
//               default-port folding (field notes §1.2 bug 1)               webauthn_origin
//   crossOrigin absent or false: Hippocrate is never embedded in another
//               site's frame                                               webauthn_cross_origin
//   topOrigin   absent, or a string equal to one of `allowed_origins`      webauthn_top_origin
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"

namespace hippocrate::auth::webauthn {

inline constexpr std::size_t kMaxClientDataJsonBytes = 16 * 1024;
// WebAuthn §13 "Cryptographic Challenges": at least 16 bytes (SECURITY-REQUIREMENTS.md).
inline constexpr std::size_t kMinChallengeBytes = 16;

enum class Ceremony { kRegistration, kAuthentication };

// One top-level member of the client data as found: absent, a string, a boolean or another
// JSON value.
struct ClientDataMember {
  enum class Kind { kAbsent, kString, kBool, kOther };
  Kind kind = Kind::kAbsent;
  std::string text;      // kString
  bool boolean = false;  // kBool
};

struct CollectedClientData {
  ClientDataMember type;
  ClientDataMember challenge;
  ClientDataMember origin;
  ClientDataMember cross_origin;
  ClientDataMember top_origin;
};

struct ClientDataExpectation {
  Ceremony ceremony = Ceremony::kAuthentication;
  std::span<const std::uint8_t> challenge;       // the bytes the RP issued for this ceremony
  std::span<const std::string> allowed_origins;  // e.g. {"https://hippocrate.example.org"}
};

// The members §7.1/§7.2 read, after the structural checks above.
Result<CollectedClientData> parse_client_data(std::span<const std::uint8_t> client_data_json);

// parse_client_data(), then the type, challenge, origin, crossOrigin and topOrigin steps.
Status verify_client_data(std::span<const std::uint8_t> client_data_json,
                          const ClientDataExpectation& expected);

}  // namespace hippocrate::auth::webauthn
