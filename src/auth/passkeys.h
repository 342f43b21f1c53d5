// Passkeys (WebAuthn Level 3) on the server: the registration and sign-in ceremonies around
// the pure verification of auth/webauthn/ (registration.h, assertion.h), the storage of
// credentials and challenges (migration 17), management (list, rename, remove), all through
// AuthService's sessions, counters and audit log. docs/webauthn.md "The ceremonies".
//
// Challenges: 32 random bytes, kept server-side bound to the ceremony and (except for a
// sign-in with a discoverable credential) the account, valid 5 minutes, single-use: a
// ceremony deletes its challenge in a transaction of its own before verifying anything, so
// a challenge is gone whether the ceremony then succeeds or fails. Expired ones are swept
// whenever a new one is issued.
//
// The verification never trusts the request for what it checks against: the RP ID comes
// from AuthConfig::webauthn_rp_id, the origins from the server's configuration (the caller
// passes server.allowed_origins whose host is the RP ID or below it), user verification is
// required for staff.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auth/auth_service.h"
#include "base/encoding.h"

namespace hippocrate::auth {

// A credential of the caller's, as the management routes show it.
struct PasskeySummary {
  std::string id;  // the server's id (32 hex), not the credential id
  std::string name;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_used_at;
  bool backed_up = false;  // BS as last seen (a synced passkey)
};

// A credential named in excludeCredentials / allowCredentials.
struct PasskeyDescriptor {
  Bytes credential_id;
  std::vector<std::string> transports;
};

// PublicKeyCredentialCreationOptions, in the server's terms (the route makes the JSON).
struct PasskeyCreationOptions {
  std::string rp_id;
  Bytes challenge;
  Bytes user_handle;
  std::string user_name;          // the e-mail
  std::string user_display_name;  // the display name
  std::vector<PasskeyDescriptor> exclude;
  bool user_verification_required = false;  // staff: "required", others "preferred"
  std::int64_t timeout_ms = 0;
};

// PublicKeyCredentialRequestOptions.
struct PasskeyRequestOptions {
  std::string rp_id;
  Bytes challenge;
  std::vector<PasskeyDescriptor> allow;
  std::int64_t timeout_ms = 0;
};

// The browser's answer to navigator.credentials.create(), decoded from base64url.
struct PasskeyRegistrationResponse {
  Bytes raw_id;
  Bytes client_data_json;
  Bytes attestation_object;
  std::vector<std::string> transports;
};

// The browser's answer to navigator.credentials.get().
struct PasskeyAssertionResponse {
  Bytes raw_id;
  Bytes client_data_json;
  Bytes authenticator_data;
  Bytes signature;
  std::optional<Bytes> user_handle;
};

class PasskeyService {
 public:
  // `auth` must outlive the service.
  explicit PasskeyService(AuthService& auth);

  // Creation options for a new passkey of the session's account, with a fresh challenge.
  // Adding a factor to an account that has one (a TOTP factor or a passkey) needs a recent
  // step-up, as replacing the TOTP factor does: 403 "step_up_required". Staff sessions
  // reach it only with their second factor enrolled (the policy point).
  Result<PasskeyCreationOptions> begin_registration(const SessionInfo& session);

  // Verifies the browser's response against the stored challenge (consumed first) and
  // stores the credential; audited "passkey.register" on the account (a security event),
  // failed ones too with the refused step's code. Errors: the webauthn_* codes (400);
  // "passkey_already_registered" (409) for a credential id already known to the server;
  // "invalid_passkey_name" (400).
  Result<PasskeySummary> finish_registration(const SessionInfo& session, std::string_view name,
                                             const PasskeyRegistrationResponse& response,
                                             std::span<const std::string> origins,
                                             const RequestOrigin& origin);

  Result<std::vector<PasskeySummary>> list(const SessionInfo& session);
  // Errors: "passkey_not_found" (404: none of the caller's), "invalid_passkey_name".
  Status rename(const SessionInfo& session, std::string_view id, std::string_view name,
                const RequestOrigin& origin);
  // Needs a recent step-up ("step_up_required", 403). Audited "passkey.remove".
  Status remove(const SessionInfo& session, std::string_view id, const RequestOrigin& origin);

  // Request options for a sign-in (public, under the per-address bucket of logins: 429
  // "rate_limited"). With an e-mail of an active account that has passkeys, allowCredentials
  // lists them and the challenge is bound to the account; otherwise (no e-mail, an unknown
  // one, an account without passkeys) the answer has the same shape, with one credential id
  // derived from the e-mail by HMAC when an e-mail was given (the same at every call), so
  // that it does not tell which e-mails have an account.
  Result<PasskeyRequestOptions> begin_sign_in(const std::optional<std::string>& email,
                                              const RequestOrigin& origin);

  // Signs in with a passkey: the challenge consumed first, the credential found by rawId
  // (within the challenge's account when it was bound to one; otherwise the userHandle is
  // required and must be the account's), verify_assertion() with UV required for staff.
  // Success: a new session as a password login gives (a passkey with UV counts as the
  // second factor: staff are not asked for a TOTP code), the new sign count, backup state
  // and last use stored, "auth.passkey_login_succeeded". Failure: "auth.passkey_login_failed"
  // with the step's code, counted like a wrong password on the account (delays, 24 h cap and
  // lock) and on the source address; a counter that did not grow also records
  // "auth.passkey_clone_suspected" for the account. Errors: the webauthn_* codes (401),
  // "rate_limited", "too_many_attempts" (429), "invalid_credentials" (disabled account).
  Result<LoginResult> sign_in(const PasskeyAssertionResponse& response,
                              std::span<const std::string> origins, const RequestOrigin& origin);

  const std::string& rp_id() const;

 private:
  AuthService& auth_;
};

// The origins of `allowed` (normalized "https://host[:port]") a ceremony for `rp_id` may come
// from: those whose host is the RP ID or a subdomain of it (WebAuthn §5.1.3 / §13.4.9).
std::vector<std::string> passkey_origins(const std::vector<std::string>& allowed,
                                         std::string_view rp_id);

// Whether `rp_id` can be a WebAuthn RP ID: a lower-case domain name (letters, digits,
// hyphens, dots; "localhost" included), not an IP address, which browsers refuse.
bool valid_rp_id(std::string_view rp_id);

}  // namespace hippocrate::auth
