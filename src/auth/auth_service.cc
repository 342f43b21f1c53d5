#include "auth/auth_service.h"

#include <algorithm>
#include <cctype>

#include "audit/audit_log.h"
#include "auth/auth_service_impl.h"
#include "base/ids.h"
#include "store/row_decode.h"

namespace hippocrate::auth {

Error invalid_credentials() {
  return Error::unauthenticated("invalid_credentials", "the e-mail or the password is incorrect");
}

Error too_many_attempts(std::int64_t wait_seconds) {
  if (wait_seconds <= 0) {
    return Error::resource_exhausted(
        "too_many_attempts",
        "too many failed attempts: this account is locked for your protection; contact your "
        "practice or administrator");
  }
  const std::int64_t minutes = (wait_seconds + 59) / 60;
  return Error::resource_exhausted(
      "too_many_attempts", "too many failed attempts; try again in " + std::to_string(minutes) +
                               (minutes == 1 ? " minute" : " minutes"));
}

Result<std::string> normalize_email(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) {
    email.remove_prefix(1);
  }
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) {
    email.remove_suffix(1);
  }
  const auto at = email.find('@');
  const bool shape = email.size() <= 254 && at != std::string_view::npos && at > 0 &&
                     at == email.rfind('@') && email.find('.', at) != std::string_view::npos &&
                     email.back() != '.' && email.back() != '@';
  bool chars = true;
  for (char c : email) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"') {
      chars = false;
    }
  }
  if (!shape || !chars) {
    return Error::invalid_argument("invalid_email", "this is not a valid e-mail address");
  }
  std::string out(email);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<std::optional<AuthService::Impl::AccountRecord>> AuthService::Impl::load_account(
    store::Transaction& tx, std::string_view column, const std::string& value) const {
  const std::string sql =
      "SELECT a.id, a.organisation_id, o.name, a.email, a.display_name, a.role, "
      "a.password_hash, a.status, t.confirmed_at, t.account_id "
      "FROM accounts a JOIN organisations o ON o.id = a.organisation_id "
      "LEFT JOIN totp_factors t ON t.account_id = a.id WHERE a." +
      std::string(column == "email" ? "email" : "id") + " = ?";
  HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one(sql, {value}));
  if (!row) return std::optional<AccountRecord>();
  AccountRecord r;
  std::string role;
  std::optional<std::int64_t> confirmed_at;
  std::optional<std::string> factor_account;  // NULL: no factor, confirmed or pending
  HIPPO_RETURN_IF_ERROR(store::read_columns(
      *row, r.view.id, r.view.organisation_id, r.view.organisation_name, r.view.email,
      r.view.display_name, role, r.password_hash, r.status, confirmed_at, factor_account));
  r.view.role = parse_role(role).value_or(Role::kPatient);
  r.view.second_factor = confirmed_at.has_value();
  r.totp_pending = !confirmed_at && factor_account;
  return std::optional<AccountRecord>(std::move(r));
}

Status AuthService::Impl::add_event(store::Transaction& tx, const std::string& account_id,
                                    std::string_view kind, const RequestOrigin& origin,
                                    std::string_view detail) const {
  return audit_event(tx, account_id, kind, origin, detail);
}

Status AuthService::Impl::audit_action(store::Transaction& tx, const std::string& actor_id,
                                       std::string_view action, std::string resource,
                                       std::string_view result, const RequestOrigin& origin,
                                       std::string detail) const {
  audit::AuditRecord r;
  r.at = clock.now();
  r.account_id = actor_id;
  r.source_address = origin.source_address;
  r.action = std::string(action);
  r.resource = std::move(resource);
  r.result = std::string(result);
  r.detail = std::move(detail);
  return audit.append(tx, r);
}

Status AuthService::Impl::audit_event(store::Transaction& tx, const std::string& account_id,
                                      std::string_view kind, const RequestOrigin& origin,
                                      std::string_view detail) const {
  const bool failed = kind.ends_with("_failed") || kind == "account_locked";
  audit::AuditRecord r;
  r.at = clock.now();
  r.account_id = account_id;
  r.source_address = origin.source_address;
  r.action = "auth." + std::string(kind);
  r.resource = account_id.empty() ? "account:unknown" : "account:" + account_id;
  r.result = failed ? "failed" : "succeeded";
  r.detail = std::string(detail);
  return audit.append(tx, r);
}

Status AuthService::Impl::check_attempts(store::Transaction& tx, std::string_view scope,
                                         const std::string& pair,
                                         const std::string& account_key) const {
  HIPPO_ASSIGN_OR_RETURN(auto wait, failures.wait_for(tx, scope, pair));
  if (wait.count() > 0) return too_many_attempts(wait.count());
  HIPPO_ASSIGN_OR_RETURN(auto daily, failures.daily_failures(tx, scope, account_key));
  if (daily >= config.daily_cap) return too_many_attempts(0);
  return ok_status();
}

Result<bool> AuthService::Impl::record_failed_attempt(
    store::Transaction& tx, std::string_view scope, const std::string& pair,
    const std::string& account_key, const std::string& account_id, const RequestOrigin& origin,
    std::string_view lock_reason) {
  HIPPO_ASSIGN_OR_RETURN(std::int64_t daily, failures.record_failure(tx, scope, pair, account_key));
  if (account_id.empty() || daily < config.daily_cap) return false;
  HIPPO_ASSIGN_OR_RETURN(
      std::int64_t locked,
      tx.execute("UPDATE accounts SET status = 'locked' WHERE id = ? AND status = 'active'",
                 {account_id}));
  if (locked != 1) return false;
  // Whoever holds a session of a locked account (the attacker who stole it, or the owner)
  // signs in again once an administrator has unlocked it.
  HIPPO_RETURN_IF_ERROR(
      tx.execute("UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
                 {now(), account_id}));
  HIPPO_RETURN_IF_ERROR(add_event(tx, account_id, "account_locked", origin, lock_reason));
  return true;
}

void AuthService::add_sessions_ended_listener(SessionsEndedListener listener) {
  impl_->session_listeners.push_back(std::move(listener));
}

void AuthService::notify_sessions_ended(const SessionsEnded& ended) const {
  for (const auto& listener : impl_->session_listeners) listener(ended);
}

Status AuthService::audit_refusal(const SessionInfo& session, std::string_view action,
                                  std::string_view reason, const RequestOrigin& origin) {
  auto& im = *impl_;
  return im.store.write([&](store::Transaction& tx) -> Status {
    audit::AuditRecord r;
    r.at = im.clock.now();
    r.account_id = session.account.id;
    r.session_id = session.session_id;
    r.source_address = origin.source_address;
    r.action = std::string(action);
    r.resource = "route";
    r.result = "denied";
    r.detail = std::string(reason);
    return im.audit.append(tx, r);
  });
}

Result<LoginResult> AuthService::Impl::create_session(store::Transaction& tx,
                                                      const AccountView& account,
                                                      bool second_factor, bool step_up,
                                                      const RequestOrigin& origin) const {
  LoginResult out{issue_token(), {}};
  const std::int64_t t = now();
  SessionInfo& s = out.session;
  s.session_id = random_id();
  s.account = account;
  s.second_factor_verified = second_factor;
  s.enrolment_only = is_staff(account.role) && !account.second_factor;
  s.step_up_until = step_up ? t + config.step_up_validity.count() : 0;
  s.absolute_expires_at = t + absolute_seconds(account.role);
  s.idle_expires_at = std::min(s.absolute_expires_at, t + idle_seconds(account.role));
  std::string agent = origin.user_agent.substr(0, 200);
  HIPPO_RETURN_IF_ERROR(tx.execute(
      "INSERT INTO sessions (id, token_hash, account_id, created_at, last_seen_at, "
      "absolute_expires_at, second_factor_at, step_up_at, revoked_at, source_address, "
      "user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
      {s.session_id, Bytes(out.token.hash.begin(), out.token.hash.end()), account.id, t, t,
       s.absolute_expires_at, second_factor ? store::Value(t) : store::Value(nullptr),
       step_up ? store::Value(t) : store::Value(nullptr), origin.source_address, agent}));
  return out;
}

AuthService::AuthService(store::Store& store, const Clock& clock, const audit::AuditLog& audit,
                         std::unique_ptr<PasswordHasher> hasher, SecretBytes secrets_key,
                         SecretBytes pepper, AuthConfig config)
    : config_(std::move(config)) {
  impl_ = std::make_unique<Impl>(store, clock, audit, std::move(hasher), std::move(secrets_key),
                                 std::move(pepper), config_);
}

AuthService::~AuthService() = default;

}  // namespace hippocrate::auth
