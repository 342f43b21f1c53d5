// A user's own sessions (list, revoke) and security events.
#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "auth/auth_service_impl.h"
#include "base/encoding.h"
#include "crypto/compare.h"
#include "crypto/hmac.h"
#include "store/row_decode.h"

namespace hippocrate::auth {

Result<std::vector<SessionSummary>> AuthService::list_sessions(const SessionInfo& session) {
  auto& im = *impl_;
  const std::int64_t now = im.now();
  const std::int64_t idle = im.idle_seconds(session.account.role);
  return im.store.read([&](store::Transaction& tx) -> Result<std::vector<SessionSummary>> {
    HIPPO_ASSIGN_OR_RETURN(
        auto rows,
        tx.query("SELECT id, created_at, last_seen_at, source_address, user_agent FROM sessions "
                 "WHERE account_id = ? AND revoked_at IS NULL AND absolute_expires_at > ? AND "
                 "last_seen_at > ? ORDER BY created_at DESC",
                 {session.account.id, now, now - idle}));
    return store::decode_rows<SessionSummary>(
        rows, [&](const store::Row& row, SessionSummary& s) -> Status {
          HIPPO_RETURN_IF_ERROR(store::read_columns(row, s.id, s.created_at, s.last_seen_at,
                                                    s.source_address, s.user_agent));
          s.current = s.id == session.session_id;
          return ok_status();
        });
  });
}

Status AuthService::revoke_session(const SessionInfo& session, std::string_view session_id,
                                   const RequestOrigin& origin) {
  auto& im = *impl_;
  Status done = im.store.write([&](store::Transaction& tx) -> Status {
    // Only the caller's own sessions: someone else's id is "not found", never "forbidden".
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t n,
        tx.execute("UPDATE sessions SET revoked_at = ? WHERE id = ? AND account_id = ? AND "
                   "revoked_at IS NULL",
                   {im.now(), std::string(session_id), session.account.id}));
    if (n != 1) return Error::not_found("session_not_found", "no such active session");
    return im.add_event(tx, session.account.id, "session_revoked", origin);
  });
  if (done) notify_sessions_ended({session.account.id, std::string(session_id), {}});
  return done;
}

Result<std::vector<SecurityEvent>> AuthService::security_events(const SessionInfo& session,
                                                                std::size_t limit) {
  auto& im = *impl_;
  // A view of the audit log: the records about this account ("account:<id>"): its
  // authentication events (Impl::audit_event, "auth.*") and what others did to it
  // (account.disable, delegation.grant, its messaging device list updated...). Not the
  // messaging traffic that also names the account (a message sent to it, its prekeys
  // claimed to start a conversation): routine, and it would push the events out.
  audit::AuditFilter filter;
  filter.resource = "account:" + session.account.id;
  filter.exclude_action_prefixes = {"message.", "prekeys."};
  filter.limit = static_cast<std::int64_t>(limit);
  HIPPO_ASSIGN_OR_RETURN(auto records, audit::AuditLog::search(im.store, filter));
  std::vector<SecurityEvent> out;
  out.reserve(records.size());
  for (const auto& r : records) {
    SecurityEvent e;
    const std::string& action = r.record.action;
    e.kind = action.starts_with("auth.") ? action.substr(5) : action;
    e.at = audit::to_unix_ms(r.record.at) / 1000;
    e.source_address = r.record.source_address;
    e.detail = r.record.detail;
    out.push_back(std::move(e));
  }
  return out;
}

Status AuthService::unlock_account(const SessionInfo& admin, std::string_view email,
                                   const RequestOrigin& origin) {
  if (admin.account.role != Role::kAdmin) {
    return Error::permission_denied("permission_denied", "only an administrator can do this");
  }
  HIPPO_ASSIGN_OR_RETURN(std::string normalized, normalize_email(email));
  auto& im = *impl_;
  // Commits in both outcomes: a refusal is audited, then answered.
  HIPPO_ASSIGN_OR_RETURN(bool found, im.store.write([&](store::Transaction& tx) -> Result<bool> {
    HIPPO_ASSIGN_OR_RETURN(auto record, im.load_account(tx, "email", normalized));
    // Tenant isolation: another organisation's account does not exist for this admin.
    if (!record || record->view.organisation_id != admin.account.organisation_id) {
      HIPPO_RETURN_IF_ERROR(im.audit_action(tx, admin.account.id, "account.unlock",
                                            "account:unknown", "denied", origin,
                                            "account_not_found"));
      return false;
    }
    const std::string& id = record->view.id;
    HIPPO_RETURN_IF_ERROR(tx.execute(
        "UPDATE accounts SET status = 'active' WHERE id = ? AND status = 'locked'", {id}));
    HIPPO_RETURN_IF_ERROR(im.failures.clear_account(tx, FailureCounter::account_key(normalized)));
    HIPPO_RETURN_IF_ERROR(im.failures.clear_account(tx, FailureCounter::account_key(id)));
    HIPPO_RETURN_IF_ERROR(
        tx.execute("DELETE FROM login_failures WHERE subject LIKE ? OR subject LIKE ?",
                   {"pair:" + normalized + "|%", "pair:" + id + "|%"}));
    HIPPO_RETURN_IF_ERROR(
        im.add_event(tx, id, "account_unlocked", origin, "by " + admin.account.email));
    HIPPO_RETURN_IF_ERROR(
        im.add_event(tx, admin.account.id, "unlocked_account", origin, normalized));
    return true;
  }));
  if (!found) return Error::not_found("account_not_found", "no such account in your organisation");
  return ok_status();
}

std::string AuthService::csrf_token(const SessionInfo& session) const {
  // Domain-separated from the other uses of the secrets key by the "csrf:" prefix.
  const auto mac =
      crypto::hmac_sha256(impl_->secrets_key.span(), as_bytes("csrf:" + session.session_id));
  return base64url_encode(mac);
}

bool AuthService::csrf_token_matches(const SessionInfo& session, std::string_view presented) const {
  const std::string expected = csrf_token(session);
  return crypto::constant_time_equals(as_bytes(expected), as_bytes(presented));
}

}  // namespace hippocrate::auth
