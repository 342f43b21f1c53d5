// Internal to auth/: the state and shared helpers behind AuthService, used by
// invitations.cc, login.cc, second_factor.cc and sessions.cc.
#pragma once

#include "auth/auth_service.h"
#include "store/value.h"

namespace hippocrate::auth {

struct AuthService::Impl {
  Impl(store::Store& s, const Clock& c, const audit::AuditLog& a, std::unique_ptr<PasswordHasher> h,
       SecretBytes sk, SecretBytes p, const AuthConfig& cfg)
      : store(s),
        clock(c),
        audit(a),
        hasher(std::move(h)),
        secrets_key(std::move(sk)),
        pepper(std::move(p)),
        config(cfg),
        failures(config, clock),
        limiter(cfg.source_burst, cfg.source_refill_per_second) {}

  store::Store& store;
  const Clock& clock;
  const audit::AuditLog& audit;
  std::unique_ptr<PasswordHasher> hasher;
  SecretBytes secrets_key;
  SecretBytes pepper;
  const AuthConfig& config;
  FailureCounter failures;
  SourceRateLimiter limiter;
  std::vector<SessionsEndedListener> session_listeners;

  // Appends the audit record of an authentication event in `tx`.
  Status audit_event(store::Transaction& tx, const std::string& account_id, std::string_view kind,
                     const RequestOrigin& origin, std::string_view detail) const;

  std::int64_t now() const { return unix_seconds(clock.now()); }

  // The account row joined with its organisation and factor, by id or e-mail.
  struct AccountRecord {
    AccountView view;
    std::string password_hash;
    std::string status;
    bool totp_pending = false;  // enrolment started, not confirmed
  };
  Result<std::optional<AccountRecord>> load_account(store::Transaction& tx, std::string_view column,
                                                    const std::string& value) const;

  // A security event of `account_id` (what its owner sees in security-events): an audit
  // record "auth.<kind>" on "account:<id>". Security events are a view of the audit log.
  Status add_event(store::Transaction& tx, const std::string& account_id, std::string_view kind,
                   const RequestOrigin& origin, std::string_view detail = "") const;

  // Any other audited action of `actor_id` (relationship changes on invitation...).
  Status audit_action(store::Transaction& tx, const std::string& actor_id, std::string_view action,
                      std::string resource, std::string_view result, const RequestOrigin& origin,
                      std::string detail = {}) const;

  // An invitation from `practitioner` to an address that has the patient account
  // `patient_id`: a pending care request ("invited", with the patient's id and
  // `invitation_id`), unless an ongoing one exists (a pending one takes the invitation's
  // id), audited "care.request" on the patient, which the patient accepts once signed in.
  // In the practitioner's list it looks like an invitation to an address without an
  // account (access::CareRelationships::list_in).
  Status request_care_link(store::Transaction& tx, const SessionInfo& practitioner,
                           const std::string& patient_id, const std::string& invitation_id,
                           const RequestOrigin& origin) const;

  // Creates a session row and returns the token; `second_factor` marks it as having passed
  // the second factor (and a step-up when `step_up`).
  Result<LoginResult> create_session(store::Transaction& tx, const AccountView& account,
                                     bool second_factor, bool step_up,
                                     const RequestOrigin& origin) const;

  std::int64_t idle_seconds(Role role) const {
    return (is_staff(role) ? config.staff_idle : config.patient_idle).count();
  }
  std::int64_t absolute_seconds(Role role) const {
    return (is_staff(role) ? config.staff_absolute : config.patient_absolute).count();
  }

  // The throttle before an attempt of `scope` (SECURITY-REQUIREMENTS "Attempts"), the same
  // for login, step-up and second-factor confirmation: the (account, source) pair's delay,
  // then the account's 24 h cap. Error: "too_many_attempts" (429).
  Status check_attempts(store::Transaction& tx, std::string_view scope, const std::string& pair,
                        const std::string& account_key) const;

  // Records one failed attempt of `scope` on `pair` and `account_key`; for an existing
  // account (`account_id` not empty), once the 24 h count reaches the cap, locks it: status
  // 'locked', every session revoked, an "account_locked" event saying `lock_reason`. True
  // when this call locked it: the caller then tells the session listeners, after the commit.
  Result<bool> record_failed_attempt(store::Transaction& tx, std::string_view scope,
                                     const std::string& pair, const std::string& account_key,
                                     const std::string& account_id, const RequestOrigin& origin,
                                     std::string_view lock_reason);

  // Verifies a TOTP code or a recovery code for `account_id` and consumes it (a TOTP step
  // or a recovery code is never accepted twice). Errors: "invalid_second_factor",
  // "second_factor_required".
  Status verify_second_factor(store::Transaction& tx, const std::string& account_id,
                              const SecondFactor& factor) const;
};

Error invalid_credentials();
Error too_many_attempts(std::int64_t wait_seconds);

}  // namespace hippocrate::auth
