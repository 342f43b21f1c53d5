// AuthService: accounts, invitations, login with a second factor, sessions, step-up and
// security events — the rules of SECURITY-REQUIREMENTS.md ("Passwords", "Attempts",
// "Second factor", "Sessions").
//
// Every operation takes the caller's RequestOrigin (source address, user agent) so that
// throttling and security events know where a request came from. Passwords arrive as
// SecretBytes and never leave this component. Tokens are returned once (IssuedToken.text)
// and stored only as SHA-256 hashes.
//
// Thread-safe: state lives in the store; the in-memory rate limiter is synchronised.
// Slow work (Argon2id) happens outside store transactions so it never holds the writer.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_config.h"
#include "auth/failure_counter.h"
#include "auth/password_hasher.h"
#include "auth/role.h"
#include "auth/session_token.h"
#include "auth/source_rate_limiter.h"
#include "base/clock.h"
#include "base/secret_bytes.h"
#include "store/store.h"

namespace hippocrate::audit {
class AuditLog;
}

namespace hippocrate::auth {

struct RequestOrigin {
  std::string source_address;
  std::string user_agent;
};

struct AccountView {
  std::string id;
  std::string organisation_id;
  std::string organisation_name;
  std::string email;
  std::string display_name;
  Role role = Role::kPatient;
  bool second_factor = false;  // a confirmed TOTP factor
};

// An authenticated session, as seen by a request.
struct SessionInfo {
  std::string session_id;
  AccountView account;
  bool second_factor_verified = false;  // this session passed the second factor
  bool enrolment_only = false;          // staff without a factor: enrolment routes only
  std::int64_t step_up_until = 0;       // Unix seconds; 0 when none
  std::int64_t idle_expires_at = 0;
  std::int64_t absolute_expires_at = 0;
  // The messaging device this session acts as (set by messaging when the session registers
  // or first uses one; revoking the device ends the session); empty when none yet.
  std::string device_id;
};

struct LoginResult {
  IssuedToken token;
  SessionInfo session;
};

struct IssuedInvitation {
  std::string invitation_id;
  IssuedToken token;
  std::string email;
  Role role;
  std::int64_t expires_at;
};

// A pending invitation (not accepted, not expired, not revoked), as its inviter or the
// organisation's administrators see it: never its token.
struct PendingInvitation {
  std::string id;
  std::string email;
  Role role;
  std::string invited_by;  // the inviter's display name; empty for a bootstrap
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
};

struct TotpEnrolment {
  std::string otpauth_uri;  // contains the secret: shown once, to the owner only
  std::string secret_base32;
};

struct SessionSummary {
  std::string id;
  std::int64_t created_at;
  std::int64_t last_seen_at;
  std::string source_address;
  std::string user_agent;
  bool current;
};

struct SecurityEvent {
  std::string kind;  // login_succeeded, login_failed, second_factor_failed, ...
  std::int64_t at = 0;
  std::string source_address;
  std::string detail;
};

// What the caller presents as a second factor (at most one of the two).
struct SecondFactor {
  std::optional<std::string> totp_code;
  std::optional<std::string> recovery_code;
};

// Sessions that just ended (logout, revocation, a password change, a disabled account):
// `session_id` empty means every session of the account except `except_session_id`.
struct SessionsEnded {
  std::string account_id;
  std::string session_id;
  std::string except_session_id;
};
using SessionsEndedListener = std::function<void(const SessionsEnded&)>;

class AuthService {
 public:
  // `store`, `clock` and `audit` are not owned and must outlive the service. Every
  // authentication event and audited action is appended to `audit` in the same transaction
  // as the change it records; the security events an account sees are read back from it.
  // `secrets_key` (32 bytes) seals TOTP secrets at rest; `pepper` keys the recovery-code
  // hashes.
  AuthService(store::Store& store, const Clock& clock, const audit::AuditLog& audit,
              std::unique_ptr<PasswordHasher> hasher, SecretBytes secrets_key, SecretBytes pepper,
              AuthConfig config = {});
  ~AuthService();

  // First administrator of a new deployment. Refused ("already_bootstrapped") once any
  // account exists. With an `email` (operator: `admin bootstrap`) it replaces every unused
  // earlier bootstrap invitation. With an empty one (`serve` at start-up; the invitee gives
  // the e-mail on acceptance) it replaces only serve's own, and is refused with
  // "bootstrap_pending" while an operator's invitation waits.
  Result<IssuedInvitation> bootstrap(std::string_view organisation_name, std::string_view email);
  // Another organisation (tenant) of a running deployment, created by the operator
  // (`hippocrate admin organisation create`), with a one-time invitation for its first
  // administrator. Errors: "invalid_organisation_name", "organisation_exists" (409),
  // "invalid_email", "email_taken" (409). Audited ("organisation.create").
  Result<IssuedInvitation> create_organisation(std::string_view organisation_name,
                                               std::string_view admin_email);
  // Whether the deployment has no account yet.
  Result<bool> has_accounts();

  Result<IssuedInvitation> invite(const SessionInfo& inviter, std::string_view email, Role role,
                                  const RequestOrigin& origin);
  // The pending invitations a caller may manage: an administrator those of its
  // organisation, a practitioner its own. Newest first.
  Result<std::vector<PendingInvitation>> pending_invitations(const SessionInfo& caller);
  // Withdraws a pending invitation (its token stops working at once) and the care request
  // it carries; audited "invitation.revoke". Anything else: "invitation_not_found" (404).
  Status revoke_invitation(const SessionInfo& caller, std::string_view invitation_id,
                           const RequestOrigin& origin);
  // An administrator renames its own organisation (the one `serve` creates at first start
  // is called "Hippocrate"). Errors: "invalid_organisation_name", "organisation_exists"
  // (409). Audited "organisation.rename".
  Status rename_organisation(const SessionInfo& admin, std::string_view name,
                             const RequestOrigin& origin);
  // `email` is needed only for an invitation issued without one (bootstrap by `serve`).
  Result<AccountView> accept_invitation(std::string_view token, std::string_view display_name,
                                        const SecretBytes& password, const RequestOrigin& origin,
                                        const std::optional<std::string>& email = std::nullopt);

  Result<LoginResult> login(std::string_view email, const SecretBytes& password,
                            const SecondFactor& factor, const RequestOrigin& origin);
  // Validates a presented session token (expiry, revocation) and refreshes its idle timer.
  Result<SessionInfo> authenticate(std::string_view token, const RequestOrigin& origin);
  Status logout(const SessionInfo& session);

  // Re-enter password (+ second factor when enrolled): a new session token (rotation),
  // valid for sensitive operations during `step_up_validity`.
  Result<LoginResult> step_up(const SessionInfo& session, const SecretBytes& password,
                              const SecondFactor& factor, const RequestOrigin& origin);
  Status change_password(const SessionInfo& session, const SecretBytes& new_password,
                         const RequestOrigin& origin);

  // A new TOTP secret to scan. With a factor already enrolled (a new phone), it needs a
  // recent step-up (password and current code, or a recovery code) and becomes a pending
  // replacement: the enrolled factor stays valid until the replacement is confirmed.
  Result<TotpEnrolment> begin_totp_enrolment(const SessionInfo& session);
  // Confirms the pending TOTP factor (or replacement) with a first valid code; returns new
  // recovery codes (shown once; a replacement voids the old ones) and marks the session as
  // having passed the second factor.
  Result<std::vector<SecretBytes>> confirm_totp(const SessionInfo& session, std::string_view code,
                                                const RequestOrigin& origin);

  // An administrator re-opens a locked account of its own organisation (after 25 failures
  // in 24 h): status back to active, failure counters cleared, an event for the owner.
  // Another organisation's account, or a non-admin caller: "account_not_found" /
  // "permission_denied".
  Status unlock_account(const SessionInfo& admin, std::string_view email,
                        const RequestOrigin& origin);

  Result<std::vector<SessionSummary>> list_sessions(const SessionInfo& session);
  Status revoke_session(const SessionInfo& session, std::string_view session_id,
                        const RequestOrigin& origin);
  Result<std::vector<SecurityEvent>> security_events(const SessionInfo& session, std::size_t limit);

  // The CSRF token of a session (browser cookie sessions send it back in X-CSRF-Token):
  // base64url(HMAC-SHA256(key derived from the secrets key, session id)). Stateless.
  std::string csrf_token(const SessionInfo& session) const;
  bool csrf_token_matches(const SessionInfo& session, std::string_view presented) const;

  // Records an authorization refusal of `session` for `action` in the audit log (its own
  // transaction; nothing else changed).
  Status audit_refusal(const SessionInfo& session, std::string_view action, std::string_view reason,
                       const RequestOrigin& origin);

  // Long-lived connections (WebSockets) bound to a session register here to be closed when
  // it ends. Listeners are called after the commit, on the caller's thread, and must not
  // block; add them before serving (not thread-safe against concurrent calls).
  void add_sessions_ended_listener(SessionsEndedListener listener);
  // Tells the listeners (for session ends decided outside this service, e.g. an
  // administrator disabling an account).
  void notify_sessions_ended(const SessionsEnded& ended) const;

  const AuthConfig& config() const { return config_; }

 private:
  friend class PasskeyService;  // passkeys.h: the ceremonies use the sessions and counters
  // A wrong second factor (login, step-up, enrolment confirmation), after the attempt's own
  // transaction rolled back: counted, a security event, the lock at the daily cap.
  Status record_second_factor_failure(const std::string& account_id, const RequestOrigin& origin,
                                      std::string_view during);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  AuthConfig config_;
};

// Normalised e-mail (trimmed, lower-case) or "invalid_email".
Result<std::string> normalize_email(std::string_view email);

}  // namespace hippocrate::auth
