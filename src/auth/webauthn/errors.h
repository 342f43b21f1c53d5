// The refusals of the WebAuthn relying-party verification, one stable code per failed step.
//
// Every function of src/auth/webauthn/ that refuses returns an Error whose code is one of the
// constants below. The code names the step of WebAuthn Level 3 §7.1 (registration) or §7.2
// (authentication) that failed — named, not numbered, since drafts renumber the steps; the
// message says it in plain words and never holds a challenge, a key, a signature, an origin
// or any other byte of the input.
//
// Kinds: everything is kInvalidArgument (HTTP 400) when it comes out of the parsers and of
// verify_registration(); verify_assertion() turns its refusals into kUnauthenticated (401),
// since a failed assertion is a failed sign-in.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace hippocrate::auth::webauthn {

// Structure: CBOR, authenticator data, clientDataJSON or attestation object not as the spec
// and RFC 8949 define them, or over a size limit.
inline constexpr std::string_view kMalformed = "webauthn_malformed";
// §7.1 / §7.2, the type step: clientData.type is not "webauthn.create" / "webauthn.get".
inline constexpr std::string_view kType = "webauthn_type";
// §7.1 / §7.2, the challenge step: clientData.challenge is not the challenge the RP issued.
inline constexpr std::string_view kChallenge = "webauthn_challenge";
// §7.1 / §7.2, the origin step: clientData.origin is not in the exact allow-list.
inline constexpr std::string_view kOrigin = "webauthn_origin";
// §7.1 / §7.2, the crossOrigin step: crossOrigin is true (this RP is never embedded).
inline constexpr std::string_view kCrossOrigin = "webauthn_cross_origin";
// §7.1 / §7.2, the topOrigin step: topOrigin present and not an allowed origin.
inline constexpr std::string_view kTopOrigin = "webauthn_top_origin";
// §7.1 / §7.2, the rpIdHash step: rpIdHash is not SHA-256 of the RP ID.
inline constexpr std::string_view kRpId = "webauthn_rp_id";
// §7.1 / §7.2, the UP step: the UP flag is not set.
inline constexpr std::string_view kUserPresent = "webauthn_user_present";
// §7.1 / §7.2, the UV step: user verification required and the UV flag not set.
inline constexpr std::string_view kUserVerified = "webauthn_user_verified";
// §7.1 / §7.2, the BE/BS step: BS set while BE is not.
inline constexpr std::string_view kBackupState = "webauthn_backup_state";
// §7.2, the backup-state step: BE differs from the value recorded at registration (§6.1.3:
// it never changes).
inline constexpr std::string_view kBackupEligibilityChanged = "webauthn_backup_eligibility_changed";
// §7.1, the alg step / §6.5.1: the credential's COSE key is not ES256 or EdDSA, or its alg
// is not one the RP offered; packed: attStmt.alg differs from the credential's (§8.2).
inline constexpr std::string_view kAlgorithm = "webauthn_algorithm";
// §7.1, the fmt and attStmt steps: fmt other than "none" and "packed" self attestation, or
// attStmt not of that format's syntax (§8.2, §8.7).
inline constexpr std::string_view kAttestationFormat = "webauthn_attestation_format";
// §8.2 (packed self attestation) / §7.2, the signature step: the signature does not verify.
inline constexpr std::string_view kSignature = "webauthn_signature";
// §7.2, the signCount step: the signature counter did not grow (a possible cloned
// authenticator, §6.1.1).
// Only ever returned after the signature verified: the caller reports it as a security event.
inline constexpr std::string_view kSignCount = "webauthn_sign_count";
// §7.2, the credential-record step: the credential used is not the stored one.
inline constexpr std::string_view kCredential = "webauthn_credential";
// §7.2, the credential-record step: userHandle absent where required, or not the account's
// user handle.
inline constexpr std::string_view kUserHandle = "webauthn_user_handle";

// An Error of kind kInvalidArgument with `code` (one of the constants above) and `message`.
// `message` must be plain words about the step, never input bytes.
Error refusal(std::string_view code, std::string message);

}  // namespace hippocrate::auth::webauthn
