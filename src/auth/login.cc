// Login, session validation, logout, step-up and password change.
//
// Login order (SECURITY-REQUIREMENTS "Attempts"): source-address token bucket → delay of
// the (account, source) pair → 24 h cap of the account → password (Argon2id; a dummy hash
// for unknown e-mails so both cost the same) → second factor (counted separately) →
// a new session token (a fresh token at every login: no session fixation).
#include "auth/auth_service.h"
#include "auth/auth_service_impl.h"
#include "auth/password_policy.h"

namespace hippocrate::auth {
namespace {

constexpr std::string_view kPassword = kPasswordScope;
constexpr std::string_view kSecondFactor = kSecondFactorScope;
constexpr std::int64_t kLastSeenGranularity = 60;  // seconds between last_seen writes

Error session_expired() {
  return Error::unauthenticated("session_expired", "your session has ended; please log in again");
}

bool has_factor(const SecondFactor& f) { return f.totp_code || f.recovery_code; }

}  // namespace

Result<LoginResult> AuthService::login(std::string_view email, const SecretBytes& password,
                                       const SecondFactor& factor, const RequestOrigin& origin) {
  auto& im = *impl_;
  if (!im.limiter.allow(origin.source_address, im.clock.now())) {
    return Error::resource_exhausted("rate_limited", "too many requests; wait a moment");
  }
  auto normalized = normalize_email(email);
  if (password.size() > kPasswordMaxBytes) {
    // Refused before any lookup or hashing, identically for every e-mail (DoS cap).
    return invalid_credentials();
  }
  if (!normalized) {
    im.hasher->dummy_verify(password);
    return invalid_credentials();
  }
  const std::string who = *normalized;
  const std::string pair = FailureCounter::pair_key(who, origin.source_address);
  const std::string acct = FailureCounter::account_key(who);

  // 1. Throttling, and the account as it is now.
  struct Before {
    std::optional<Impl::AccountRecord> account;
    std::int64_t wait = 0;
    bool capped = false;
  };
  HIPPO_ASSIGN_OR_RETURN(
      Before before, im.store.read([&](store::Transaction& tx) -> Result<Before> {
        Before b;
        HIPPO_ASSIGN_OR_RETURN(auto wait, im.failures.wait_for(tx, kPassword, pair));
        b.wait = wait.count();
        HIPPO_ASSIGN_OR_RETURN(auto daily, im.failures.daily_failures(tx, kPassword, acct));
        b.capped = daily >= im.config.daily_cap;
        HIPPO_ASSIGN_OR_RETURN(b.account, im.load_account(tx, "email", who));
        return b;
      }));
  if (before.wait > 0) return too_many_attempts(before.wait);
  if (before.capped || (before.account && before.account->status == "locked")) {
    return too_many_attempts(0);
  }

  // 2. The password, outside any transaction (Argon2id is slow on purpose).
  bool password_ok = false;
  if (before.account && before.account->status == "active") {
    HIPPO_ASSIGN_OR_RETURN(password_ok, im.hasher->verify(password, before.account->password_hash));
  } else {
    im.hasher->dummy_verify(password);
  }
  if (!password_ok) {
    const std::string id = before.account ? before.account->view.id : std::string();
    HIPPO_ASSIGN_OR_RETURN(bool locked, im.store.write([&](store::Transaction& tx) -> Result<bool> {
      if (!before.account) {
        // Every authentication attempt is audited, even for an e-mail with no account.
        HIPPO_RETURN_IF_ERROR(im.audit_event(tx, "", "login_failed", origin, "unknown account"));
      } else {
        HIPPO_RETURN_IF_ERROR(im.add_event(
            tx, id, "login_failed", origin,
            before.account->status == "active" ? "wrong password" : "account disabled"));
      }
      return im.record_failed_attempt(tx, kPassword, pair, acct, id, origin,
                                      "too many failed passwords in 24 hours");
    }));
    if (locked) notify_sessions_ended({id, {}, {}});
    return invalid_credentials();
  }
  const Impl::AccountRecord& account = *before.account;
  const std::string& id = account.view.id;
  std::optional<std::string> rehash;
  if (im.hasher->needs_rehash(account.password_hash)) {
    auto h = im.hasher->hash(password);
    if (h) rehash = std::move(*h);
  }

  // 3. The second factor, with its own counters.
  const std::string factor_pair = FailureCounter::pair_key(id, origin.source_address);
  const std::string factor_acct = FailureCounter::account_key(id);
  auto result = im.store.write([&](store::Transaction& tx) -> Result<LoginResult> {
    HIPPO_RETURN_IF_ERROR(im.failures.record_success(tx, kPassword, pair));
    if (rehash) {
      HIPPO_RETURN_IF_ERROR(
          tx.execute("UPDATE accounts SET password_hash = ? WHERE id = ?", {*rehash, id}));
    }
    bool factor_verified = false;
    if (account.view.second_factor) {
      if (!has_factor(factor)) {
        return Error::unauthenticated("second_factor_required",
                                      "enter the code from your authenticator app, or a "
                                      "recovery code");
      }
      HIPPO_RETURN_IF_ERROR(im.check_attempts(tx, kSecondFactor, factor_pair, factor_acct));
      auto verified = im.verify_second_factor(tx, id, factor);
      if (!verified) return verified.error();  // rolled back: the failure is recorded below
      HIPPO_RETURN_IF_ERROR(im.failures.record_success(tx, kSecondFactor, factor_pair));
      factor_verified = true;
    }
    // A device (user agent at a source address) never seen on this account is worth telling
    // its owner about.
    HIPPO_ASSIGN_OR_RETURN(
        auto seen, tx.query_one("SELECT 1 FROM sessions WHERE account_id = ? AND user_agent = ? "
                                "AND source_address = ? LIMIT 1",
                                {id, origin.user_agent.substr(0, 200), origin.source_address}));
    HIPPO_ASSIGN_OR_RETURN(LoginResult result,
                           im.create_session(tx, account.view, factor_verified, false, origin));
    if (!seen) {
      HIPPO_RETURN_IF_ERROR(
          im.add_event(tx, id, "new_device", origin, origin.user_agent.substr(0, 200)));
    }
    HIPPO_RETURN_IF_ERROR(
        im.add_event(tx, id, "login_succeeded", origin,
                     factor_verified ? "password and second factor" : "password"));
    return result;
  });
  if (!result && result.error().code() == "invalid_second_factor") {
    // The login transaction rolled back; the failure is recorded on its own.
    HIPPO_RETURN_IF_ERROR(record_second_factor_failure(id, origin, ""));
  }
  return result;
}

Status AuthService::record_second_factor_failure(const std::string& account_id,
                                                 const RequestOrigin& origin,
                                                 std::string_view during) {
  auto& im = *impl_;
  HIPPO_ASSIGN_OR_RETURN(bool locked, im.store.write([&](store::Transaction& tx) -> Result<bool> {
    HIPPO_RETURN_IF_ERROR(im.add_event(tx, account_id, "second_factor_failed", origin, during));
    return im.record_failed_attempt(tx, kSecondFactor,
                                    FailureCounter::pair_key(account_id, origin.source_address),
                                    FailureCounter::account_key(account_id), account_id, origin,
                                    "too many failed second factors in 24 hours");
  }));
  if (locked) notify_sessions_ended({account_id, {}, {}});
  return ok_status();
}

Result<SessionInfo> AuthService::authenticate(std::string_view token,
                                              const RequestOrigin& /*origin*/) {
  auto& im = *impl_;
  HIPPO_ASSIGN_OR_RETURN(TokenHash hash, hash_presented_token(token));
  const Bytes hash_bytes(hash.begin(), hash.end());
  struct Found {
    SessionInfo info;
    std::int64_t last_seen = 0;
  };
  HIPPO_ASSIGN_OR_RETURN(Found found, im.store.read([&](store::Transaction& tx) -> Result<Found> {
    HIPPO_ASSIGN_OR_RETURN(
        auto row, tx.query_one("SELECT id, account_id, last_seen_at, absolute_expires_at, "
                               "second_factor_at, step_up_at, revoked_at, "
                               "COALESCE(device_id, '') FROM sessions WHERE token_hash = ?",
                               {hash_bytes}));
    if (!row || !row->is_null(6)) {
      return Error::unauthenticated("invalid_token", "you are not logged in (or were logged out)");
    }
    Found f;
    HIPPO_ASSIGN_OR_RETURN(f.info.session_id, row->text(0));
    HIPPO_ASSIGN_OR_RETURN(std::string account_id, row->text(1));
    HIPPO_ASSIGN_OR_RETURN(f.last_seen, row->int64(2));
    HIPPO_ASSIGN_OR_RETURN(f.info.absolute_expires_at, row->int64(3));
    f.info.second_factor_verified = !row->is_null(4);
    HIPPO_ASSIGN_OR_RETURN(auto step_up_at, row->optional_int64(5));
    HIPPO_ASSIGN_OR_RETURN(f.info.device_id, row->text(7));
    HIPPO_ASSIGN_OR_RETURN(auto account, im.load_account(tx, "id", account_id));
    if (!account || account->status != "active") return session_expired();
    f.info.account = account->view;
    f.info.step_up_until = step_up_at ? *step_up_at + im.config.step_up_validity.count() : 0;
    return f;
  }));
  SessionInfo& s = found.info;
  const std::int64_t now = im.now();
  const std::int64_t idle = im.idle_seconds(s.account.role);
  if (now >= s.absolute_expires_at || now >= found.last_seen + idle) return session_expired();
  s.enrolment_only = is_staff(s.account.role) && !s.account.second_factor;
  std::int64_t last_seen = found.last_seen;
  if (now - found.last_seen >= kLastSeenGranularity) {
    HIPPO_RETURN_IF_ERROR(im.store.write([&](store::Transaction& tx) -> Status {
      HIPPO_RETURN_IF_ERROR(
          tx.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", {now, s.session_id}));
      return ok_status();
    }));
    last_seen = now;
  }
  s.idle_expires_at = std::min(s.absolute_expires_at, last_seen + idle);
  return s;
}

Status AuthService::logout(const SessionInfo& session) {
  auto& im = *impl_;
  Status done = im.store.write([&](store::Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(
        tx.execute("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                   {im.now(), session.session_id}));
    return ok_status();
  });
  if (done) notify_sessions_ended({session.account.id, session.session_id, {}});
  return done;
}

Result<LoginResult> AuthService::step_up(const SessionInfo& session, const SecretBytes& password,
                                         const SecondFactor& factor, const RequestOrigin& origin) {
  auto& im = *impl_;
  const std::string& id = session.account.id;
  // The counters, delays and lock of login (the same subjects: a stolen session cannot try
  // passwords or codes faster than a login could, and its failures lock the account).
  const std::string pair = FailureCounter::pair_key(session.account.email, origin.source_address);
  const std::string acct = FailureCounter::account_key(session.account.email);
  const std::string factor_pair = FailureCounter::pair_key(id, origin.source_address);
  const std::string factor_acct = FailureCounter::account_key(id);
  if (password.size() > kPasswordMaxBytes) return invalid_credentials();
  HIPPO_ASSIGN_OR_RETURN(
      auto record,
      im.store.read([&](store::Transaction& tx) -> Result<std::optional<Impl::AccountRecord>> {
        HIPPO_RETURN_IF_ERROR(im.check_attempts(tx, kPassword, pair, acct));
        return im.load_account(tx, "id", id);
      }));
  if (!record || record->status != "active") return session_expired();
  HIPPO_ASSIGN_OR_RETURN(bool ok, im.hasher->verify(password, record->password_hash));
  if (!ok) {
    HIPPO_ASSIGN_OR_RETURN(bool locked, im.store.write([&](store::Transaction& tx) -> Result<bool> {
      HIPPO_RETURN_IF_ERROR(im.add_event(tx, id, "step_up_failed", origin, "wrong password"));
      return im.record_failed_attempt(tx, kPassword, pair, acct, id, origin,
                                      "too many failed passwords in 24 hours (step-up)");
    }));
    if (locked) {
      notify_sessions_ended({id, {}, {}});
      return too_many_attempts(0);
    }
    return Error::unauthenticated("invalid_credentials", "the password is incorrect");
  }
  auto result = im.store.write([&](store::Transaction& tx) -> Result<LoginResult> {
    HIPPO_RETURN_IF_ERROR(im.failures.record_success(tx, kPassword, pair));
    if (record->view.second_factor) {
      if (!has_factor(factor)) {
        return Error::unauthenticated("second_factor_required",
                                      "enter the code from your authenticator app, or a "
                                      "recovery code");
      }
      HIPPO_RETURN_IF_ERROR(im.check_attempts(tx, kSecondFactor, factor_pair, factor_acct));
      HIPPO_RETURN_IF_ERROR(im.verify_second_factor(tx, id, factor));
      HIPPO_RETURN_IF_ERROR(im.failures.record_success(tx, kSecondFactor, factor_pair));
    }
    // Rotation: the old session ends, a new token carries the step-up.
    HIPPO_RETURN_IF_ERROR(tx.execute("UPDATE sessions SET revoked_at = ? WHERE id = ?",
                                     {im.now(), session.session_id}));
    HIPPO_ASSIGN_OR_RETURN(LoginResult r, im.create_session(tx, record->view,
                                                            record->view.second_factor ||
                                                                session.second_factor_verified,
                                                            true, origin));
    // The new token acts as the same messaging device as the one it replaces.
    HIPPO_RETURN_IF_ERROR(
        tx.execute("UPDATE sessions SET device_id = (SELECT device_id FROM sessions WHERE id = ?) "
                   "WHERE id = ?",
                   {session.session_id, r.session.session_id}));
    r.session.device_id = session.device_id;
    HIPPO_RETURN_IF_ERROR(im.add_event(tx, id, "step_up_succeeded", origin));
    return r;
  });
  if (!result && result.error().code() == "invalid_second_factor") {
    HIPPO_RETURN_IF_ERROR(record_second_factor_failure(id, origin, "during step-up"));
  }
  return result;
}

Status AuthService::change_password(const SessionInfo& session, const SecretBytes& new_password,
                                    const RequestOrigin& origin) {
  auto& im = *impl_;
  if (session.step_up_until <= im.now()) {
    return Error::permission_denied("step_up_required",
                                    "confirm your password (and code) first: this operation "
                                    "needs a recent confirmation");
  }
  PasswordContext context{session.account.email, session.account.display_name, {}};
  HIPPO_RETURN_IF_ERROR(check_password_policy(new_password, context));
  HIPPO_ASSIGN_OR_RETURN(std::string hash, im.hasher->hash(new_password));
  Status done = im.store.write([&](store::Transaction& tx) -> Status {
    const std::int64_t now = im.now();
    HIPPO_RETURN_IF_ERROR(
        tx.execute("UPDATE accounts SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                   {hash, now, session.account.id}));
    // Every other session of the account ends: whoever else was logged in must log in again.
    HIPPO_RETURN_IF_ERROR(tx.execute(
        "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND id <> ? AND revoked_at "
        "IS NULL",
        {now, session.account.id, session.session_id}));
    return im.add_event(tx, session.account.id, "password_changed", origin);
  });
  if (done) notify_sessions_ended({session.account.id, {}, session.session_id});
  return done;
}

}  // namespace hippocrate::auth
