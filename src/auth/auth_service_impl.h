// Internal to auth/: the state and shared helpers behind AuthService, used by
// invitations.cc, login.cc, second_factor.cc and sessions.cc.
#pragma once

#include "auth/auth_service.h"
#include "store/value.h"

namespace hippocrate::auth {

struct AuthService::Impl {
  Impl(store::Store& s, const Clock& c, std::unique_ptr<PasswordHasher> h, SecretBytes sk,
       SecretBytes p, const AuthConfig& cfg)
      : store(s),
        clock(c),
        hasher(std::move(h)),
        secrets_key(std::move(sk)),
        pepper(std::move(p)),
        config(cfg),
        failures(config, clock),
        limiter(cfg.source_burst, cfg.source_refill_per_second) {}

  store::Store& store;
  const Clock& clock;
  std::unique_ptr<PasswordHasher> hasher;
  SecretBytes secrets_key;
  SecretBytes pepper;
  const AuthConfig& config;
  FailureCounter failures;
  SourceRateLimiter limiter;
  std::vector<SessionsEndedListener> session_listeners;
  const audit::AuditLog* audit = nullptr;  // set before serving; without it nothing is audited

  // Appends an audit record (when an audit log is configured) in `tx`.
  Status audit_event(store::Transaction& tx, const std::string& account_id,
                     std::string_view kind, const RequestOrigin& origin,
                     std::string_view detail) const;

  std::int64_t now() const { return unix_seconds(clock.now()); }

  // The account row joined with its organisation and factor, by id or e-mail.
  struct AccountRecord {
    AccountView view;
    std::string password_hash;
    std::string status;
    bool totp_pending = false;  // enrolment started, not confirmed
  };
  Result<std::optional<AccountRecord>> load_account(store::Transaction& tx,
                                                    std::string_view column,
                                                    const std::string& value) const;

  // A security event of `account_id` (what its owner sees in security-events): an audit
  // record "auth.<kind>" on "account:<id>". Security events are a view of the audit log.
  Status add_event(store::Transaction& tx, const std::string& account_id, std::string_view kind,
                   const RequestOrigin& origin, std::string_view detail = "") const;

  // Any other audited action of `actor_id` (relationship changes on invitation...).
  Status audit_action(store::Transaction& tx, const std::string& actor_id,
                      std::string_view action, std::string resource, std::string_view result,
                      const RequestOrigin& origin, std::string detail = {}) const;

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

  // Verifies a TOTP code or a recovery code for `account_id` and consumes it (a TOTP step
  // or a recovery code is never accepted twice). Errors: "invalid_second_factor",
  // "second_factor_required".
  Status verify_second_factor(store::Transaction& tx, const std::string& account_id,
                              const SecondFactor& factor) const;
};

Error invalid_credentials();
Error too_many_attempts(std::int64_t wait_seconds);

}  // namespace hippocrate::auth
