// AuthService against a real SQLite file, with a ManualClock so throttling delays, TOTP
// windows, session timeouts and invitation expiry are tested without sleeping.
#include "auth/auth_service.h"

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "auth/base32.h"
#include "auth/password_hasher.h"
#include "auth/totp.h"
#include "crypto/random.h"
#include "store/store.h"
#include "support/temp_dir.h"

namespace hippocrate::auth {
namespace {

using namespace std::chrono_literals;

const char* kStrong = "correct horse battery staple orbit";
const char* kStrong2 = "violet submarine juggles quietly 42";

SecretBytes pw(std::string_view s) { return SecretBytes::from(s); }

class AuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions o;
    o.url = (dir_.path() / "auth.db").string();
    o.clock = &clock_;
    auto s = store::open_store(o);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    store_ = std::move(*s);
    // Cheap Argon2id parameters: the tests exercise the logic, not the cost.
    auto hasher = std::make_unique<PasswordHasher>(crypto::random_secret(32),
                                                   crypto::Argon2Params{1, 8 * 1024 * 1024});
    // Security events are a view of the audit log: the service always runs with one.
    audit_ = std::make_unique<audit::AuditLog>(clock_, crypto::random_secret(32));
    auth_ = std::make_unique<AuthService>(*store_, clock_, *audit_, std::move(hasher),
                                          crypto::random_secret(32), crypto::random_secret(32));
  }

  RequestOrigin from(std::string ip = "127.0.0.1") { return {std::move(ip), "test"}; }

  // Bootstraps an admin, accepts, and returns the login result (no factor yet).
  LoginResult admin_without_factor() {
    auto inv = auth_->bootstrap("Clinique du Parc", "admin@example.org");
    EXPECT_TRUE(inv.ok()) << inv.error().to_string();
    auto acc =
        auth_->accept_invitation(inv->token.text.view(), "Alice Martin", pw(kStrong), from());
    EXPECT_TRUE(acc.ok()) << acc.error().to_string();
    auto login = auth_->login("admin@example.org", pw(kStrong), {}, from());
    EXPECT_TRUE(login.ok()) << login.error().to_string();
    return std::move(*login);
  }

  // Enrols TOTP for `session`; returns the secret.
  SecretBytes enrol_totp(const SessionInfo& session) {
    auto e = auth_->begin_totp_enrolment(session);
    EXPECT_TRUE(e.ok()) << e.error().to_string();
    auto secret = SecretBytes::from(*base32_decode(e->secret_base32));
    auto codes = auth_->confirm_totp(session, totp_at(secret, clock_.now()), from());
    EXPECT_TRUE(codes.ok()) << codes.error().to_string();
    if (codes.ok()) recovery_codes_ = std::move(*codes);
    return secret;
  }

  testing::TempDir dir_;
  ManualClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<AuthService> auth_;
  std::vector<SecretBytes> recovery_codes_;
};

TEST_F(AuthServiceTest, BootstrapAcceptAndLogin) {
  auto login = admin_without_factor();
  EXPECT_EQ(login.session.account.role, Role::kAdmin);
  EXPECT_EQ(login.session.account.organisation_name, "Clinique du Parc");
  EXPECT_TRUE(login.session.enrolment_only);  // staff without a second factor
  EXPECT_EQ(login.token.text.size(), 43u);
  auto again = auth_->bootstrap("Other", "x@example.org");
  EXPECT_EQ(again.error().code(), "already_bootstrapped");
}

TEST_F(AuthServiceTest, ServeDoesNotReplaceTheOperatorsBootstrapInvitation) {
  auto operator_inv = auth_->bootstrap("Org", "admin@example.org");
  ASSERT_TRUE(operator_inv.ok());
  EXPECT_EQ(auth_->bootstrap("Hippocrate", "").error().code(), "bootstrap_pending");
  ASSERT_TRUE(
      auth_->accept_invitation(operator_inv->token.text.view(), "Alice", pw(kStrong), from()).ok());
}

TEST_F(AuthServiceTest, ServesOwnBootstrapInvitationIsReplacedAtEachStart) {
  auto first = auth_->bootstrap("Hippocrate", "");
  auto second = auth_->bootstrap("Hippocrate", "");
  ASSERT_TRUE(first.ok() && second.ok());
  // Restarts do not pile up empty organisations.
  auto orgs = store_->read([](store::Transaction& tx) -> Result<std::int64_t> {
    HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COUNT(*) FROM organisations"));
    return row->int64(0);
  });
  ASSERT_TRUE(orgs.ok());
  EXPECT_EQ(*orgs, 1);
  EXPECT_EQ(auth_
                ->accept_invitation(first->token.text.view(), "A", pw(kStrong), from(),
                                    std::string("a@example.org"))
                .error()
                .code(),
            "invalid_invitation");
  EXPECT_EQ(
      auth_->accept_invitation(second->token.text.view(), "A", pw(kStrong), from()).error().code(),
      "missing_field");  // serve's invitation has no e-mail: the invitee gives one
  EXPECT_TRUE(auth_
                  ->accept_invitation(second->token.text.view(), "A", pw(kStrong), from(),
                                      std::string("a@example.org"))
                  .ok());
}

TEST_F(AuthServiceTest, InvitationIsSingleUse) {
  auto inv = auth_->bootstrap("Org", "admin@example.org");
  ASSERT_TRUE(auth_->accept_invitation(inv->token.text.view(), "Alice", pw(kStrong), from()).ok());
  auto reuse = auth_->accept_invitation(inv->token.text.view(), "Mallory", pw(kStrong2), from());
  EXPECT_EQ(reuse.error().code(), "invalid_invitation");
}

TEST_F(AuthServiceTest, ExpiredAndTamperedInvitationsAreRefused) {
  auto inv = auth_->bootstrap("Org", "admin@example.org");
  std::string tampered(inv->token.text.view());
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(auth_->accept_invitation(tampered, "A", pw(kStrong), from()).error().code(),
            "invalid_invitation");
  EXPECT_EQ(auth_->accept_invitation("short", "A", pw(kStrong), from()).error().code(),
            "invalid_invitation");
  clock_.advance(72h + 1s);
  EXPECT_EQ(
      auth_->accept_invitation(inv->token.text.view(), "A", pw(kStrong), from()).error().code(),
      "invalid_invitation");
}

TEST_F(AuthServiceTest, WeakCommonAndContextPasswordsAreRefusedAtAcceptance) {
  auto inv = auth_->bootstrap("Org", "alice.martin@example.org");
  const auto token = std::string(inv->token.text.view());
  EXPECT_EQ(auth_->accept_invitation(token, "Alice Martin", pw("short"), from()).error().code(),
            "password_too_short");
  EXPECT_EQ(
      auth_->accept_invitation(token, "Alice Martin", pw("1qaz2wsx3edc"), from()).error().code(),
      "password_too_common");
  EXPECT_EQ(auth_->accept_invitation(token, "Alice Martin", pw("alice.martin horse 9871"), from())
                .error()
                .code(),
            "password_contains_personal_info");
  EXPECT_EQ(auth_->accept_invitation(token, "Alice Martin", pw(std::string(300, 'x')), from())
                .error()
                .code(),
            "password_too_long");
  // Nothing was consumed by the refusals.
  EXPECT_TRUE(auth_->accept_invitation(token, "Alice Martin", pw(kStrong), from()).ok());
}

TEST_F(AuthServiceTest, UnknownEmailAndWrongPasswordLookTheSame) {
  admin_without_factor();
  auto wrong = auth_->login("admin@example.org", pw("not the password at all"), {}, from());
  auto unknown = auth_->login("nobody@example.org", pw("not the password at all"), {}, from());
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.error().code(), unknown.error().code());
  EXPECT_EQ(wrong.error().message(), unknown.error().message());
  EXPECT_EQ(wrong.error().kind(), unknown.error().kind());
}

TEST_F(AuthServiceTest, FiveFailuresThenExponentialDelayPerSource) {
  admin_without_factor();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(auth_->login("admin@example.org", pw("wrong wrong wrong"), {}, from()).error().code(),
              "invalid_credentials");
  }
  // Even the right password waits now.
  auto blocked = auth_->login("admin@example.org", pw(kStrong), {}, from());
  EXPECT_EQ(blocked.error().code(), "too_many_attempts");
  EXPECT_NE(blocked.error().message().find("1 minute"), std::string::npos);
  // The real user elsewhere is not slowed down by the attacker's source.
  EXPECT_TRUE(auth_->login("admin@example.org", pw(kStrong), {}, from("10.9.9.9")).ok());
  clock_.advance(61s);
  // Sixth failure: the delay doubles.
  EXPECT_EQ(auth_->login("admin@example.org", pw("wrong wrong wrong"), {}, from()).error().code(),
            "invalid_credentials");
  clock_.advance(61s);
  EXPECT_EQ(auth_->login("admin@example.org", pw(kStrong), {}, from()).error().code(),
            "too_many_attempts");
  clock_.advance(61s);
  EXPECT_TRUE(auth_->login("admin@example.org", pw(kStrong), {}, from()).ok());
}

TEST_F(AuthServiceTest, UnknownEmailsAreThrottledLikeKnownOnes) {
  for (int i = 0; i < 5; ++i) {
    (void)auth_->login("ghost@example.org", pw("wrong wrong wrong"), {}, from());
  }
  EXPECT_EQ(auth_->login("ghost@example.org", pw("wrong wrong wrong"), {}, from()).error().code(),
            "too_many_attempts");
}

TEST_F(AuthServiceTest, TwentyFiveFailuresInADayLockTheAccountAndTellTheOwner) {
  auto owner = admin_without_factor();
  for (int i = 0; i < 25; ++i) {
    // A different source each time: the per-source delay does not stop a distributed attack,
    // the daily cap does.
    (void)auth_->login("admin@example.org", pw("wrong wrong wrong"), {},
                       from("10.0.0." + std::to_string(i)));
  }
  auto locked = auth_->login("admin@example.org", pw(kStrong), {}, from("10.1.1.1"));
  EXPECT_EQ(locked.error().code(), "too_many_attempts");
  auto events = auth_->security_events(owner.session, 100);
  ASSERT_TRUE(events.ok());
  int failures = 0;
  bool lock_event = false;
  for (const auto& e : *events) {
    failures += e.kind == "login_failed";
    lock_event = lock_event || e.kind == "account_locked";
  }
  EXPECT_EQ(failures, 25);
  EXPECT_TRUE(lock_event);
  // The owner's existing session ends with the lock (revoked: an unlock does not revive it).
  EXPECT_EQ(auth_->authenticate(owner.token.text.view(), from()).error().code(), "invalid_token");
}

TEST_F(AuthServiceTest, StepUpSharesTheLoginsCountersDelaysAndLock) {
  auto owner = admin_without_factor();
  auto stolen = auth_->login("admin@example.org", pw(kStrong), {}, from("10.7.7.7"));
  ASSERT_TRUE(stolen.ok());
  std::vector<SessionsEnded> ended;
  auth_->add_sessions_ended_listener([&](const SessionsEnded& e) { ended.push_back(e); });
  // Step-up failures count with the login's: after 4 logins and 1 step-up, a wait.
  for (int i = 0; i < 4; ++i) {
    (void)auth_->login("admin@example.org", pw("wrong wrong wrong"), {}, from("10.7.7.7"));
  }
  EXPECT_EQ(
      auth_->step_up(stolen->session, pw("wrong wrong wrong"), {}, from("10.7.7.7")).error().code(),
      "invalid_credentials");
  EXPECT_EQ(auth_->step_up(stolen->session, pw(kStrong), {}, from("10.7.7.7")).error().code(),
            "too_many_attempts");
  // From many sources, the 25th failure in 24 h locks the account and ends its sessions.
  for (int i = 0; i < 19; ++i) {
    EXPECT_EQ(auth_
                  ->step_up(stolen->session, pw("wrong wrong wrong"), {},
                            from("10.8.0." + std::to_string(i)))
                  .error()
                  .code(),
              "invalid_credentials");
  }
  EXPECT_TRUE(ended.empty());
  EXPECT_EQ(
      auth_->step_up(stolen->session, pw("wrong wrong wrong"), {}, from("10.8.1.1")).error().code(),
      "too_many_attempts");
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].account_id, owner.session.account.id);
  EXPECT_TRUE(ended[0].session_id.empty());  // all of them
  EXPECT_EQ(auth_->authenticate(owner.token.text.view(), from()).error().code(), "invalid_token");
  EXPECT_EQ(auth_->authenticate(stolen->token.text.view(), from()).error().code(), "invalid_token");
  EXPECT_EQ(auth_->login("admin@example.org", pw(kStrong), {}, from("10.9.9.9")).error().code(),
            "too_many_attempts");
}

TEST_F(AuthServiceTest, WrongCodesDuringStepUpAndEnrolmentAreCounted) {
  auto first = admin_without_factor();
  auto e = auth_->begin_totp_enrolment(first.session);
  ASSERT_TRUE(e.ok());
  for (int i = 0; i < 5; ++i) {
    auto r = auth_->confirm_totp(first.session, "000000", from());
    EXPECT_EQ(r.error().code(), "invalid_second_factor");
    EXPECT_EQ(r.error().message().find("recovery"), std::string::npos);  // none exist yet
  }
  auto secret = SecretBytes::from(*base32_decode(e->secret_base32));
  EXPECT_EQ(
      auth_->confirm_totp(first.session, totp_at(secret, clock_.now()), from()).error().code(),
      "too_many_attempts");
  clock_.advance(61s);
  ASSERT_TRUE(auth_->confirm_totp(first.session, totp_at(secret, clock_.now()), from()).ok());
  // Step-up codes count with the login's second-factor counter.
  clock_.advance(30s);
  auto me = *auth_->authenticate(first.token.text.view(), from());
  SecondFactor bad{"000000", std::nullopt};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(auth_->login("admin@example.org", pw(kStrong), bad, from()).error().code(),
              "invalid_second_factor");
  }
  EXPECT_EQ(auth_->step_up(me, pw(kStrong), bad, from()).error().code(), "invalid_second_factor");
  SecondFactor good{totp_at(secret, clock_.now()), std::nullopt};
  EXPECT_EQ(auth_->step_up(me, pw(kStrong), good, from()).error().code(), "too_many_attempts");
}

TEST_F(AuthServiceTest, SecondFactorMessagesFitWhatWasPresented) {
  auto first = admin_without_factor();
  enrol_totp(first.session);
  SecondFactor rc{std::nullopt, std::string(recovery_codes_[0].view())};
  ASSERT_TRUE(auth_->login("admin@example.org", pw(kStrong), rc, from()).ok());
  auto used = auth_->login("admin@example.org", pw(kStrong), rc, from());
  EXPECT_EQ(used.error().code(), "invalid_second_factor");
  EXPECT_NE(used.error().message().find("already used"), std::string::npos);
  EXPECT_EQ(used.error().message().find("clock"), std::string::npos);
  SecondFactor code{"000000", std::nullopt};
  auto wrong = auth_->login("admin@example.org", pw(kStrong), code, from());
  EXPECT_NE(wrong.error().message().find("clock"), std::string::npos);
  auto me = *auth_->authenticate(first.token.text.view(), from());
  EXPECT_EQ(auth_->invite(me, "p@example.org", Role::kPatient, from()).error().message(),
            "an admin cannot invite a patient");
}

// Issue 22.13: a new phone. The enrolled authenticator keeps working until the new one is
// confirmed; then the old secret and the old recovery codes stop working.
TEST_F(AuthServiceTest, ANewPhoneReplacesTheAuthenticatorAfterAStepUp) {
  auto first = admin_without_factor();
  auto old_secret = enrol_totp(first.session);
  auto old_codes = std::move(recovery_codes_);
  clock_.advance(30s);
  auto me = *auth_->authenticate(first.token.text.view(), from());
  EXPECT_EQ(auth_->begin_totp_enrolment(me).error().code(), "step_up_required");
  // The old phone is lost: a recovery code steps up.
  SecondFactor rc{std::nullopt, std::string(old_codes[0].view())};
  auto up = auth_->step_up(me, pw(kStrong), rc, from());
  ASSERT_TRUE(up.ok()) << up.error().to_string();
  auto fresh = *auth_->authenticate(up->token.text.view(), from());
  auto e = auth_->begin_totp_enrolment(fresh);
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  auto new_secret = SecretBytes::from(*base32_decode(e->secret_base32));
  // Until confirmed, the old factor still signs in; a wrong first code changes nothing.
  clock_.advance(30s);
  EXPECT_TRUE(auth_
                  ->login("admin@example.org", pw(kStrong),
                          SecondFactor{totp_at(old_secret, clock_.now()), std::nullopt}, from())
                  .ok());
  EXPECT_EQ(auth_->confirm_totp(fresh, totp_at(old_secret, clock_.now()), from()).error().code(),
            "invalid_second_factor");
  auto codes = auth_->confirm_totp(fresh, totp_at(new_secret, clock_.now()), from());
  ASSERT_TRUE(codes.ok()) << codes.error().to_string();
  EXPECT_EQ(codes->size(), 10u);
  clock_.advance(30s);
  EXPECT_EQ(auth_
                ->login("admin@example.org", pw(kStrong),
                        SecondFactor{totp_at(old_secret, clock_.now()), std::nullopt}, from())
                .error()
                .code(),
            "invalid_second_factor");
  EXPECT_EQ(auth_
                ->login("admin@example.org", pw(kStrong),
                        SecondFactor{std::nullopt, std::string(old_codes[1].view())}, from())
                .error()
                .code(),
            "invalid_second_factor");
  EXPECT_TRUE(auth_
                  ->login("admin@example.org", pw(kStrong),
                          SecondFactor{totp_at(new_secret, clock_.now()), std::nullopt}, from())
                  .ok());
  EXPECT_TRUE(auth_
                  ->login("admin@example.org", pw(kStrong),
                          SecondFactor{std::nullopt, std::string((*codes)[0].view())}, from())
                  .ok());
  auto events = auth_->security_events(fresh, 100);
  ASSERT_TRUE(events.ok());
  bool replaced = false;
  for (const auto& ev : *events) replaced = replaced || ev.kind == "second_factor_replaced";
  EXPECT_TRUE(replaced);
}

TEST_F(AuthServiceTest, PendingInvitationsAreListedAndRevoked) {
  auto admin = admin_without_factor();
  enrol_totp(admin.session);
  auto me = *auth_->authenticate(admin.token.text.view(), from());
  auto doc_inv = auth_->invite(me, "doc@example.org", Role::kPractitioner, from());
  ASSERT_TRUE(
      auth_->accept_invitation(doc_inv->token.text.view(), "Dr B", pw(kStrong2), from()).ok());
  auto doc = auth_->login("doc@example.org", pw(kStrong2), {}, from());
  auto p1 = auth_->invite(doc->session, "p1@example.org", Role::kPatient, from());
  auto p2 = auth_->invite(doc->session, "p2@example.org", Role::kPatient, from());
  auto staff = auth_->invite(me, "as@example.org", Role::kAssistant, from());
  ASSERT_TRUE(p1.ok() && p2.ok() && staff.ok());
  auto mine = auth_->pending_invitations(doc->session);
  ASSERT_TRUE(mine.ok()) << mine.error().to_string();
  ASSERT_EQ(mine->size(), 2u);  // the practitioner's own; the accepted one is gone
  EXPECT_EQ(auth_->pending_invitations(me)->size(), 3u);  // the organisation's
  // Revoked: the token stops working; only the inviter or an administrator may revoke.
  EXPECT_EQ(auth_->revoke_invitation(doc->session, staff->invitation_id, from()).error().code(),
            "invitation_not_found");
  ASSERT_TRUE(auth_->revoke_invitation(doc->session, p1->invitation_id, from()).ok());
  EXPECT_EQ(auth_->revoke_invitation(doc->session, p1->invitation_id, from()).error().code(),
            "invitation_not_found");
  EXPECT_EQ(
      auth_->accept_invitation(p1->token.text.view(), "P One", pw(kStrong), from()).error().code(),
      "invalid_invitation");
  EXPECT_EQ(auth_->pending_invitations(doc->session)->size(), 1u);
  ASSERT_TRUE(auth_->revoke_invitation(me, p2->invitation_id, from()).ok());
  EXPECT_TRUE(auth_->pending_invitations(doc->session)->empty());
  // The care relationships the invitations carried are withdrawn.
  auto pending = store_->read([](store::Transaction& tx) -> Result<std::int64_t> {
    HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COUNT(*) FROM care_relationships "
                                                  "WHERE status = 'invited'"));
    return row->int64(0);
  });
  EXPECT_EQ(*pending, 0);
}

TEST_F(AuthServiceTest, AnAdministratorRenamesItsOrganisation) {
  auto admin = admin_without_factor();
  enrol_totp(admin.session);
  auto me = *auth_->authenticate(admin.token.text.view(), from());
  ASSERT_TRUE(auth_->create_organisation("Cabinet B", "b@example.org").ok());
  EXPECT_EQ(auth_->rename_organisation(me, "", from()).error().code(), "invalid_organisation_name");
  EXPECT_EQ(auth_->rename_organisation(me, "Cabinet B", from()).error().code(),
            "organisation_exists");
  ASSERT_TRUE(auth_->rename_organisation(me, "Maison de santé du Port", from()).ok());
  auto after = *auth_->authenticate(admin.token.text.view(), from());
  EXPECT_EQ(after.account.organisation_name, "Maison de santé du Port");
  auto inv = auth_->invite(me, "doc@example.org", Role::kPractitioner, from());
  ASSERT_TRUE(auth_->accept_invitation(inv->token.text.view(), "Dr B", pw(kStrong2), from()).ok());
  auto doc = auth_->login("doc@example.org", pw(kStrong2), {}, from());
  EXPECT_EQ(auth_->rename_organisation(doc->session, "Mine", from()).error().code(),
            "permission_denied");
}

TEST_F(AuthServiceTest, AnAdministratorUnlocksALockedAccountOfItsOrganisation) {
  auto admin = admin_without_factor();
  enrol_totp(admin.session);
  auto me = *auth_->authenticate(admin.token.text.view(), from());
  auto inv = auth_->invite(me, "doc@example.org", Role::kPractitioner, from());
  ASSERT_TRUE(auth_->accept_invitation(inv->token.text.view(), "Dr B", pw(kStrong2), from()).ok());
  for (int i = 0; i < 25; ++i) {
    (void)auth_->login("doc@example.org", pw("wrong wrong wrong"), {},
                       from("10.0.1." + std::to_string(i)));
  }
  EXPECT_EQ(auth_->login("doc@example.org", pw(kStrong2), {}, from()).error().code(),
            "too_many_attempts");
  EXPECT_EQ(auth_->unlock_account(me, "ghost@example.org", from()).error().code(),
            "account_not_found");
  ASSERT_TRUE(auth_->unlock_account(me, "doc@example.org", from()).ok());
  EXPECT_TRUE(auth_->login("doc@example.org", pw(kStrong2), {}, from()).ok());
}

TEST_F(AuthServiceTest, StaffNeedSecondFactorAfterEnrolmentAndCodesCannotBeReplayed) {
  auto first = admin_without_factor();
  auto secret = enrol_totp(first.session);
  ASSERT_EQ(recovery_codes_.size(), 10u);
  auto me = auth_->authenticate(first.token.text.view(), from());
  ASSERT_TRUE(me.ok());
  EXPECT_FALSE(me->enrolment_only);
  EXPECT_TRUE(me->account.second_factor);

  auto no_code = auth_->login("admin@example.org", pw(kStrong), {}, from());
  EXPECT_EQ(no_code.error().code(), "second_factor_required");
  // The code used at confirmation is already spent: a replay in the same step fails.
  SecondFactor replay{totp_at(secret, clock_.now()), std::nullopt};
  EXPECT_EQ(auth_->login("admin@example.org", pw(kStrong), replay, from()).error().code(),
            "invalid_second_factor");
  clock_.advance(30s);
  SecondFactor fresh{totp_at(secret, clock_.now()), std::nullopt};
  auto ok = auth_->login("admin@example.org", pw(kStrong), fresh, from());
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_TRUE(ok->session.second_factor_verified);
  clock_.advance(1s);
  EXPECT_EQ(auth_->login("admin@example.org", pw(kStrong), fresh, from()).error().code(),
            "invalid_second_factor");
  // Out of the ±1 window.
  SecondFactor old{totp_at(secret, clock_.now() - 90s), std::nullopt};
  EXPECT_EQ(auth_->login("admin@example.org", pw(kStrong), old, from()).error().code(),
            "invalid_second_factor");
}

TEST_F(AuthServiceTest, SecondFactorFailuresAreCountedSeparately) {
  auto first = admin_without_factor();
  enrol_totp(first.session);
  for (int i = 0; i < 5; ++i) {
    SecondFactor bad{"000000", std::nullopt};
    EXPECT_EQ(auth_->login("admin@example.org", pw(kStrong), bad, from()).error().code(),
              "invalid_second_factor");
  }
  SecondFactor bad{"000000", std::nullopt};
  EXPECT_EQ(auth_->login("admin@example.org", pw(kStrong), bad, from()).error().code(),
            "too_many_attempts");
  // The password counter was untouched: a wrong password still says invalid_credentials.
  EXPECT_EQ(auth_->login("admin@example.org", pw("wrong wrong wrong"), {}, from()).error().code(),
            "invalid_credentials");
}

TEST_F(AuthServiceTest, RecoveryCodesAreSingleUse) {
  auto first = admin_without_factor();
  enrol_totp(first.session);
  SecondFactor rc{std::nullopt, std::string(recovery_codes_[3].view())};
  ASSERT_TRUE(auth_->login("admin@example.org", pw(kStrong), rc, from()).ok());
  EXPECT_EQ(auth_->login("admin@example.org", pw(kStrong), rc, from()).error().code(),
            "invalid_second_factor");
}

TEST_F(AuthServiceTest, EveryLoginGetsANewTokenAndLogoutRevokesIt) {
  admin_without_factor();
  auto a = auth_->login("admin@example.org", pw(kStrong), {}, from());
  auto b = auth_->login("admin@example.org", pw(kStrong), {}, from());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->token.text.view(), b->token.text.view());
  EXPECT_NE(a->session.session_id, b->session.session_id);
  ASSERT_TRUE(auth_->authenticate(a->token.text.view(), from()).ok());
  ASSERT_TRUE(auth_->logout(a->session).ok());
  EXPECT_EQ(auth_->authenticate(a->token.text.view(), from()).error().code(), "invalid_token");
  EXPECT_TRUE(auth_->authenticate(b->token.text.view(), from()).ok());
}

TEST_F(AuthServiceTest, StaffSessionsExpireAfterThirtyIdleMinutesAndTwelveHours) {
  auto s = admin_without_factor();
  const auto token = std::string(s.token.text.view());
  clock_.advance(29min);
  ASSERT_TRUE(auth_->authenticate(token, from()).ok());  // refreshes the idle timer
  clock_.advance(29min);
  ASSERT_TRUE(auth_->authenticate(token, from()).ok());
  clock_.advance(31min);
  EXPECT_EQ(auth_->authenticate(token, from()).error().code(), "session_expired");

  auto t = auth_->login("admin@example.org", pw(kStrong), {}, from());
  const auto token2 = std::string(t->token.text.view());
  int active_steps = 0;
  for (int i = 0; i < 40; ++i) {  // active all along: the 12 h absolute limit still applies
    clock_.advance(29min);
    if (!auth_->authenticate(token2, from()).ok()) break;
    ++active_steps;
  }
  EXPECT_EQ(active_steps, 24);  // 24 × 29 min = 11 h 36 min; the 25th step passes 12 h
  EXPECT_EQ(auth_->authenticate(token2, from()).error().code(), "session_expired");
}

TEST_F(AuthServiceTest, InvitationRolesFollowLeastPrivilege) {
  auto admin = admin_without_factor();
  enrol_totp(admin.session);
  auto me = *auth_->authenticate(admin.token.text.view(), from());
  EXPECT_EQ(auth_->invite(me, "p@example.org", Role::kPatient, from()).error().code(),
            "invitation_not_allowed");
  auto inv = auth_->invite(me, "doc@example.org", Role::kPractitioner, from());
  ASSERT_TRUE(inv.ok());
  ASSERT_TRUE(
      auth_->accept_invitation(inv->token.text.view(), "Dr Bernard", pw(kStrong2), from()).ok());
  auto doc = auth_->login("doc@example.org", pw(kStrong2), {}, from());
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->session.account.organisation_id, me.account.organisation_id);
  EXPECT_EQ(
      auth_->invite(doc->session, "x@example.org", Role::kPractitioner, from()).error().code(),
      "invitation_not_allowed");
  EXPECT_TRUE(auth_->invite(doc->session, "pat@example.org", Role::kPatient, from()).ok());
  // An address that has an account gets an invitation like any other (nothing revealed);
  // only its acceptance, by the address's owner, says to sign in instead.
  auto taken = auth_->invite(me, "DOC@example.org", Role::kAuditor, from());
  ASSERT_TRUE(taken.ok()) << taken.error().to_string();
  EXPECT_EQ(auth_->accept_invitation(taken->token.text.view(), "Dr Bernard", pw(kStrong2), from())
                .error()
                .code(),
            "email_taken");
}

TEST_F(AuthServiceTest, PasswordChangeNeedsStepUpAndRotatesOtherSessions) {
  auto s = admin_without_factor();
  auto other = auth_->login("admin@example.org", pw(kStrong), {}, from("10.2.2.2"));
  EXPECT_EQ(auth_->change_password(s.session, pw(kStrong2), from()).error().code(),
            "step_up_required");
  auto up = auth_->step_up(s.session, pw(kStrong), {}, from());
  ASSERT_TRUE(up.ok()) << up.error().to_string();
  EXPECT_NE(up->token.text.view(), s.token.text.view());
  // The pre-step-up token is gone (rotation).
  EXPECT_FALSE(auth_->authenticate(s.token.text.view(), from()).ok());
  auto fresh = *auth_->authenticate(up->token.text.view(), from());
  ASSERT_TRUE(auth_->change_password(fresh, pw(kStrong2), from()).ok());
  EXPECT_FALSE(auth_->authenticate(other->token.text.view(), from()).ok());
  EXPECT_EQ(auth_->login("admin@example.org", pw(kStrong), {}, from()).error().code(),
            "invalid_credentials");
  EXPECT_TRUE(auth_->login("admin@example.org", pw(kStrong2), {}, from()).ok());
  // The step-up lasts five minutes.
  clock_.advance(5min + 1s);
  auto later = *auth_->authenticate(up->token.text.view(), from());
  EXPECT_EQ(auth_->change_password(later, pw(kStrong), from()).error().code(), "step_up_required");
}

TEST_F(AuthServiceTest, SessionsListAndRevokeOnlyOwn) {
  auto a = admin_without_factor();
  auto b = auth_->login("admin@example.org", pw(kStrong), {}, from("10.3.3.3"));
  auto list = auth_->list_sessions(a.session);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
  ASSERT_TRUE(auth_->revoke_session(a.session, b->session.session_id, from()).ok());
  EXPECT_FALSE(auth_->authenticate(b->token.text.view(), from()).ok());
  EXPECT_EQ(
      auth_->revoke_session(a.session, "0123456789abcdef0123456789abcdef", from()).error().code(),
      "session_not_found");
}

TEST_F(AuthServiceTest, LoginFromANewDeviceIsASecurityEvent) {
  auto first = admin_without_factor();
  ASSERT_TRUE(auth_->login("admin@example.org", pw(kStrong), {}, from()).ok());
  ASSERT_TRUE(auth_->login("admin@example.org", pw(kStrong), {}, {"10.4.4.4", "Firefox"}).ok());
  auto events = *auth_->security_events(first.session, 100);
  int new_devices = 0;
  for (const auto& e : events) new_devices += e.kind == "new_device";
  EXPECT_EQ(new_devices, 2);  // the very first login, and Firefox at 10.4.4.4; not the repeat
}

// Messages sent to the account and its prekeys claimed name it too (resource
// account:<id>), but they are messaging traffic: a hundred of them must not push the
// account's logins out of its security events. Its messaging device list updated is kept.
TEST_F(AuthServiceTest, MessagingTrafficIsNotASecurityEvent) {
  auto owner = admin_without_factor();
  const std::string resource = "account:" + owner.session.account.id;
  ASSERT_TRUE(store_
                  ->write([&](store::Transaction& tx) -> Status {
                    audit::AuditRecord r;
                    r.account_id = "someone-else";
                    r.resource = resource;
                    r.result = "succeeded";
                    r.action = "device.list.update";
                    HIPPO_RETURN_IF_ERROR(audit_->append(tx, r));
                    for (int i = 0; i < 100; ++i) {
                      r.action = i % 2 == 0 ? "message.send" : "prekeys.claim";
                      HIPPO_RETURN_IF_ERROR(audit_->append(tx, r));
                    }
                    return ok_status();
                  })
                  .ok());
  auto events = *auth_->security_events(owner.session, 100);
  std::map<std::string, int> kinds;
  for (const auto& e : events) kinds[e.kind]++;
  EXPECT_EQ(kinds["device.list.update"], 1);
  EXPECT_EQ(kinds["message.send"], 0);
  EXPECT_EQ(kinds["prekeys.claim"], 0);
  EXPECT_GE(kinds["account_created"], 1);
  EXPECT_GE(kinds["login_succeeded"], 1);
}

TEST_F(AuthServiceTest, EveryAuthenticationAttemptIsInTheAuditLog) {
  admin_without_factor();
  (void)auth_->login("ghost@example.org", pw("wrong wrong wrong"), {}, from());
  (void)auth_->login("admin@example.org", pw("wrong wrong wrong"), {}, from());
  auto records = audit::AuditLog::search(*store_, {});
  ASSERT_TRUE(records.ok()) << records.error().to_string();
  std::map<std::string, int> actions;
  for (const auto& r : *records) {
    actions[r.record.action + "/" + r.record.result]++;
    // No secret ever reaches the audit log.
    EXPECT_EQ(r.record.detail.find("wrong wrong"), std::string::npos);
    EXPECT_EQ(r.record.detail.find(kStrong), std::string::npos);
  }
  EXPECT_EQ(actions["auth.account_created/succeeded"], 1);
  EXPECT_EQ(actions["auth.login_succeeded/succeeded"], 1);
  EXPECT_EQ(actions["auth.login_failed/failed"], 2);  // the unknown e-mail and the wrong password
  auto verified = audit::AuditLog::verify(*store_, audit_->public_key());
  ASSERT_TRUE(verified.ok()) << verified.error().to_string();
  EXPECT_TRUE(verified->intact());
  EXPECT_EQ(verified->records, static_cast<std::int64_t>(records->size()));
}

TEST_F(AuthServiceTest, SourceAddressRateLimit) {
  int limited = 0;
  for (int i = 0; i < 40; ++i) {
    auto r = auth_->login("u" + std::to_string(i) + "@example.org", pw("whatever whatever"), {},
                          from("192.0.2.7"));
    limited += !r.ok() && r.error().code() == "rate_limited";
  }
  EXPECT_GT(limited, 0);
}

}  // namespace
}  // namespace hippocrate::auth
