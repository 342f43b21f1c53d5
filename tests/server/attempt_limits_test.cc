// Issue 25.1: a stolen session cannot try passwords or codes without the limits of a login.
// Step-up (`POST /api/v1/me/step-up`) and the enrolment confirmation
// (`POST /api/v1/me/mfa/totp/confirm`) go through the same counters, delays and lock as
// login (SECURITY-REQUIREMENTS "Attempts"); a lock ends every session of the account and the
// administrators' list says "locked". Over real TLS, against the production routes.
#include <gtest/gtest.h>

#include "deployment.h"

namespace hippocrate::server {
namespace {

using auth::Role;
using testing::Deployment;
using Hdrs = std::vector<std::pair<std::string, std::string>>;

Hdrs bearer(const auth::LoginResult& l) {
  return {{"authorization", "Bearer " + std::string(l.token.text.view())}};
}

std::string step_up_body(std::string_view password, std::string_view code = {}) {
  std::string body = R"({"password":")" + std::string(password) + "\"";
  if (!code.empty()) body += R"(,"totp_code":")" + std::string(code) + "\"";
  return body + "}";
}

// The status of `email` in its administrator's account list.
std::string listed_status(Deployment& d, const std::string& admin, const std::string& email) {
  auto r = d.call(admin, "GET", "/api/v1/accounts");
  const auto list = boost::json::parse(r.body);  // (not a temporary: the loop keeps it)
  for (const auto& a : list.at("accounts").as_array()) {
    if (a.at("email").as_string() == email) return std::string(a.at("status").as_string());
  }
  return "absent";
}

void bootstrap(Deployment& d) {
  auto boot = d.auth->bootstrap("Clinique A", "admin@a.org");
  d.accept(boot->token.text.view(), "admin@a.org", "Admin A");
  d.invite("admin@a.org", "doc@a.org", Role::kPractitioner);
}

TEST(AttemptLimitsTest, StepUpPasswordsAreDelayedLikeLogins) {
  Deployment d;
  bootstrap(d);
  const auto stolen = d.login("doc@a.org");
  const std::string code = d.totp_code("doc@a.org");
  for (int i = 0; i < 5; ++i) {
    auto r = d.call_with("POST", "/api/v1/me/step-up", step_up_body("wrong wrong wrong", code),
                         bearer(stolen));
    EXPECT_EQ(r.status, 401) << i << ": " << r.body;
    EXPECT_EQ(Deployment::code_of(r), "invalid_credentials");
  }
  // The sixth try waits, even with the right password; so does a login from that source.
  auto sixth = d.call_with("POST", "/api/v1/me/step-up", step_up_body(testing::kTestPassword, code),
                           bearer(stolen));
  EXPECT_EQ(sixth.status, 429) << sixth.body;
  EXPECT_EQ(Deployment::code_of(sixth), "too_many_attempts");
  auto login =
      d.call("", "POST", "/api/v1/sessions",
             R"({"email":"doc@a.org","password":")" + std::string(testing::kTestPassword) + "\"}");
  EXPECT_EQ(login.status, 429) << login.body;
  // The delay passes: the right password and code step up.
  d.clock.advance(std::chrono::seconds(61));
  auto later =
      d.call_with("POST", "/api/v1/me/step-up",
                  step_up_body(testing::kTestPassword, d.totp_code("doc@a.org")), bearer(stolen));
  EXPECT_EQ(later.status, 200) << later.body;
}

TEST(AttemptLimitsTest, StepUpCodesAreDelayedLikeLogins) {
  Deployment d;
  bootstrap(d);
  const auto stolen = d.login("doc@a.org");
  for (int i = 0; i < 5; ++i) {
    auto r = d.call_with("POST", "/api/v1/me/step-up",
                         step_up_body(testing::kTestPassword, "000000"), bearer(stolen));
    EXPECT_EQ(r.status, 401) << i << ": " << r.body;
    EXPECT_EQ(Deployment::code_of(r), "invalid_second_factor");
  }
  auto sixth =
      d.call_with("POST", "/api/v1/me/step-up",
                  step_up_body(testing::kTestPassword, d.totp_code("doc@a.org")), bearer(stolen));
  EXPECT_EQ(sixth.status, 429) << sixth.body;
  EXPECT_EQ(Deployment::code_of(sixth), "too_many_attempts");
}

TEST(AttemptLimitsTest, StepUpFailuresLockTheAccountAndEndItsSessions) {
  // A cap reached before any delay, so that one source reaches it (in production the daily
  // cap, 25, stops a distributed attack; the per-source delay a single one).
  auth::AuthConfig config;
  config.free_failures = 100;
  config.daily_cap = 6;
  Deployment d({}, config);
  bootstrap(d);
  const auto stolen = d.login("doc@a.org");
  const auto owners = d.login("doc@a.org");  // the real owner, on another device
  for (int i = 0; i < 5; ++i) {
    auto r = d.call_with("POST", "/api/v1/me/step-up", step_up_body("wrong wrong wrong"),
                         bearer(stolen));
    EXPECT_EQ(r.status, 401) << i << ": " << r.body;
  }
  EXPECT_EQ(listed_status(d, "admin@a.org", "doc@a.org"), "active");
  auto locking =
      d.call_with("POST", "/api/v1/me/step-up", step_up_body("wrong wrong wrong"), bearer(stolen));
  EXPECT_EQ(locking.status, 429) << locking.body;
  EXPECT_EQ(Deployment::code_of(locking), "too_many_attempts");
  EXPECT_EQ(listed_status(d, "admin@a.org", "doc@a.org"), "locked");
  // Every session of the account has ended, the thief's and the owner's.
  for (const auto* l : {&stolen, &owners}) {
    auto me = d.call_with("GET", "/api/v1/me", "", bearer(*l));
    EXPECT_EQ(me.status, 401) << me.body;
  }
  auto relogin =
      d.call("", "POST", "/api/v1/sessions",
             R"({"email":"doc@a.org","password":")" + std::string(testing::kTestPassword) + "\"}");
  EXPECT_EQ(relogin.status, 429) << relogin.body;
  EXPECT_EQ(
      d.audit_records("auth.account_locked", "failed", "account:" + d.ids["doc@a.org"]).size(), 1u);
  // An administrator unlocks it; the owner signs in again.
  auto unlock =
      d.call("admin@a.org", "POST", "/api/v1/accounts/unlock", R"({"email":"doc@a.org"})");
  EXPECT_EQ(unlock.status, 204) << unlock.body;
  EXPECT_EQ(listed_status(d, "admin@a.org", "doc@a.org"), "active");
  EXPECT_NO_THROW(d.login("doc@a.org"));
}

TEST(AttemptLimitsTest, EnrolmentConfirmationCodesAreDelayedLikeLogins) {
  Deployment d;
  auto boot = d.auth->bootstrap("Clinique A", "admin@a.org");
  d.accept(boot->token.text.view(), "admin@a.org", "Admin A");
  auto inv =
      d.auth->invite(d.login("admin@a.org").session, "new@a.org", Role::kPractitioner, d.origin());
  ASSERT_TRUE(inv.ok());
  ASSERT_TRUE(d.auth
                  ->accept_invitation(inv->token.text.view(), "Dr New",
                                      SecretBytes::from(std::string_view(testing::kTestPassword)),
                                      d.origin())
                  .ok());
  auto l = d.auth->login("new@a.org", SecretBytes::from(std::string_view(testing::kTestPassword)),
                         {}, d.origin());
  ASSERT_TRUE(l.ok());
  auto enrol = d.call_with("POST", "/api/v1/me/mfa/totp", "{}", bearer(*l));
  ASSERT_EQ(enrol.status, 201) << enrol.body;
  for (int i = 0; i < 5; ++i) {
    auto r = d.call_with("POST", "/api/v1/me/mfa/totp/confirm", R"({"code":"000000"})", bearer(*l));
    EXPECT_EQ(r.status, 401) << i << ": " << r.body;
    // The first code's words: no recovery codes exist yet.
    EXPECT_EQ(r.body.find("recovery"), std::string::npos) << r.body;
  }
  auto sixth =
      d.call_with("POST", "/api/v1/me/mfa/totp/confirm", R"({"code":"000000"})", bearer(*l));
  EXPECT_EQ(sixth.status, 429) << sixth.body;
}

}  // namespace
}  // namespace hippocrate::server
