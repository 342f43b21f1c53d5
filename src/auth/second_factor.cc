// The second factor: TOTP enrolment (secret sealed at rest with XChaCha20-Poly1305 under
// the secrets key, the account id as associated data), confirmation with a first valid
// code, recovery codes (10, single-use, stored as HMAC-SHA256 under the pepper), and the
// verification used by login and step-up.
#include "auth/auth_service.h"
#include "auth/auth_service_impl.h"
#include "auth/base32.h"
#include "auth/recovery_codes.h"
#include "auth/totp.h"
#include "base/encoding.h"
#include "crypto/aead.h"

namespace hippocrate::auth {
namespace {

constexpr std::string_view kIssuer = "Hippocrate";

// One code, "invalid_second_factor", with words for what was presented.
Error invalid_second_factor() {
  return Error::unauthenticated("invalid_second_factor",
                                "the code is not valid; check your authenticator app's clock, "
                                "or use one of your recovery codes");
}
Error invalid_recovery_code() {
  return Error::unauthenticated("invalid_second_factor",
                                "this recovery code is not valid or was already used (each "
                                "code works once); try another one, or your authenticator app");
}
Error invalid_first_code() {
  return Error::unauthenticated("invalid_second_factor",
                                "the code is not valid; enter the 6 digits your authenticator "
                                "app shows now for Hippocrate, and check that its clock is right");
}

}  // namespace

Status AuthService::Impl::verify_second_factor(store::Transaction& tx,
                                               const std::string& account_id,
                                               const SecondFactor& factor) const {
  if (factor.recovery_code) {
    const std::string normalized = normalize_recovery_code(*factor.recovery_code);
    if (normalized.empty()) return invalid_recovery_code();
    const auto hash = hash_recovery_code(pepper, normalized);
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t used,
        tx.execute("UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND "
                   "code_hash = ? AND used_at IS NULL",
                   {now(), account_id, Bytes(hash.begin(), hash.end())}));
    if (used != 1) return invalid_recovery_code();
    return ok_status();
  }
  if (!factor.totp_code) return invalid_second_factor();
  HIPPO_ASSIGN_OR_RETURN(
      auto row, tx.query_one("SELECT secret_sealed, last_used_step FROM totp_factors WHERE "
                             "account_id = ? AND confirmed_at IS NOT NULL",
                             {account_id}));
  if (!row) return invalid_second_factor();
  HIPPO_ASSIGN_OR_RETURN(Bytes sealed, row->blob(0));
  HIPPO_ASSIGN_OR_RETURN(std::int64_t last_step, row->int64(1));
  HIPPO_ASSIGN_OR_RETURN(SecretBytes key,
                         crypto::xchacha_open_secret(secrets_key, sealed, as_bytes(account_id)));
  auto step = verify_totp(key, *factor.totp_code, clock.now(), last_step);
  if (!step) return invalid_second_factor();
  HIPPO_RETURN_IF_ERROR(tx.execute(
      "UPDATE totp_factors SET last_used_step = ? WHERE account_id = ?", {*step, account_id}));
  return ok_status();
}

Result<TotpEnrolment> AuthService::begin_totp_enrolment(const SessionInfo& session) {
  auto& im = *impl_;
  if (session.account.second_factor && session.step_up_until <= im.now()) {
    return Error::permission_denied("step_up_required",
                                    "confirm your password and your current code (or, if the "
                                    "old phone is lost, a recovery code) before replacing your "
                                    "authenticator");
  }
  SecretBytes secret = generate_totp_secret();
  HIPPO_ASSIGN_OR_RETURN(Bytes sealed, crypto::xchacha_seal(im.secrets_key, secret.span(),
                                                            as_bytes(session.account.id)));
  HIPPO_RETURN_IF_ERROR(im.store.write([&](store::Transaction& tx) -> Status {
    // A new pending secret replaces an unconfirmed one. With a confirmed factor (a new
    // phone), the new secret waits as its replacement; the confirmed one stays active
    // until the replacement is confirmed.
    if (session.account.second_factor) {
      HIPPO_ASSIGN_OR_RETURN(
          std::int64_t n,
          tx.execute("UPDATE totp_factors SET replacement_sealed = ? WHERE account_id = ? AND "
                     "confirmed_at IS NOT NULL",
                     {sealed, session.account.id}));
      if (n != 1) {
        return Error::data_loss("second_factor_missing", "the enrolled factor was not found");
      }
      return ok_status();
    }
    HIPPO_RETURN_IF_ERROR(
        tx.execute("DELETE FROM totp_factors WHERE account_id = ? AND "
                   "confirmed_at IS NULL",
                   {session.account.id}));
    HIPPO_RETURN_IF_ERROR(tx.execute(
        "INSERT INTO totp_factors (account_id, secret_sealed, confirmed_at, last_used_step, "
        "created_at) VALUES (?, ?, NULL, ?, ?)",
        {session.account.id, sealed, kTotpNeverUsedStep, im.now()}));
    return ok_status();
  }));
  return TotpEnrolment{otpauth_uri(secret, kIssuer, session.account.email),
                       base32_encode(secret.span())};
}

Result<std::vector<SecretBytes>> AuthService::confirm_totp(const SessionInfo& session,
                                                           std::string_view code,
                                                           const RequestOrigin& origin) {
  auto& im = *impl_;
  std::vector<SecretBytes> codes;
  for (auto& c : generate_recovery_codes(kRecoveryCodeCount)) codes.push_back(std::move(c));
  // The counters, delays and lock of a login's second factor.
  const std::string pair = FailureCounter::pair_key(session.account.id, origin.source_address);
  const std::string acct = FailureCounter::account_key(session.account.id);
  auto result = im.store.write([&](store::Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(im.check_attempts(tx, kSecondFactorScope, pair, acct));
    // The pending secret: a first enrolment's (not confirmed yet), or a replacement's.
    HIPPO_ASSIGN_OR_RETURN(
        auto row, tx.query_one("SELECT CASE WHEN confirmed_at IS NULL THEN secret_sealed "
                               "ELSE replacement_sealed END, last_used_step, "
                               "confirmed_at IS NOT NULL FROM totp_factors WHERE account_id = ? "
                               "AND (confirmed_at IS NULL OR replacement_sealed IS NOT NULL)",
                               {session.account.id}));
    if (!row) {
      return Error::failed_precondition("no_pending_enrolment",
                                        "start the enrolment first (mfa enroll)");
    }
    HIPPO_ASSIGN_OR_RETURN(Bytes sealed, row->blob(0));
    HIPPO_ASSIGN_OR_RETURN(std::int64_t last_step, row->int64(1));
    HIPPO_ASSIGN_OR_RETURN(std::int64_t replacing, row->int64(2));
    // A new secret has no used step yet (the old one's steps say nothing about it).
    if (replacing != 0) last_step = kTotpNeverUsedStep;
    HIPPO_ASSIGN_OR_RETURN(
        SecretBytes key,
        crypto::xchacha_open_secret(im.secrets_key, sealed, as_bytes(session.account.id)));
    auto step = verify_totp(key, code, im.clock.now(), last_step);
    if (!step) return invalid_first_code();
    const std::int64_t now = im.now();
    HIPPO_RETURN_IF_ERROR(
        tx.execute("UPDATE totp_factors SET secret_sealed = ?, replacement_sealed = NULL, "
                   "confirmed_at = ?, last_used_step = ? WHERE account_id = ?",
                   {sealed, now, *step, session.account.id}));
    HIPPO_RETURN_IF_ERROR(
        tx.execute("DELETE FROM recovery_codes WHERE account_id = ?", {session.account.id}));
    for (const auto& c : codes) {
      const auto hash = hash_recovery_code(im.pepper, normalize_recovery_code(c.view()));
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "INSERT INTO recovery_codes (account_id, code_hash, used_at) VALUES (?, ?, NULL)",
          {session.account.id, Bytes(hash.begin(), hash.end())}));
    }
    // This session has just proven the factor.
    HIPPO_RETURN_IF_ERROR(tx.execute("UPDATE sessions SET second_factor_at = ? WHERE id = ?",
                                     {now, session.session_id}));
    HIPPO_RETURN_IF_ERROR(im.failures.record_success(tx, kSecondFactorScope, pair));
    return im.add_event(tx, session.account.id,
                        replacing != 0 ? "second_factor_replaced" : "second_factor_enrolled",
                        origin, "totp");
  });
  if (!result && result.error().code() == "invalid_second_factor") {
    HIPPO_RETURN_IF_ERROR(
        record_second_factor_failure(session.account.id, origin, "during enrolment"));
  }
  if (!result) return std::move(result).error();
  return codes;
}

}  // namespace hippocrate::auth
