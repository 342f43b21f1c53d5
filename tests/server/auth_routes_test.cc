// The authentication API over real TLS: bearer and cookie sessions, CSRF, the enrolment
// gate for staff without a second factor, logout, and token rotation.
#include "server/routes/auth_routes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "auth/base32.h"
#include "auth/password_hasher.h"
#include "auth/totp.h"
#include "crypto/random.h"
#include "server/routes/system_routes.h"
#include "store/store.h"
#include "test_server.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;
using Hdrs = std::vector<std::pair<std::string, std::string>>;
const char* kPassword = "correct horse battery staple orbit";

class AuthRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions o;
    o.url = (dir_.path() / "t.db").string();
    store_ = std::move(*store::open_store(o));
    audit_ = std::make_unique<audit::AuditLog>(SystemClock::instance(), crypto::random_secret(32));
    auth_ = std::make_unique<auth::AuthService>(
        *store_, SystemClock::instance(), *audit_,
        std::make_unique<auth::PasswordHasher>(crypto::random_secret(32),
                                               crypto::Argon2Params{1, 8 * 1024 * 1024}),
        crypto::random_secret(32), crypto::random_secret(32));
    add_system_routes(router_, *store_);
    add_auth_routes(router_, *auth_);
    server_ = std::make_unique<testing::TestServer>(router_);
    auto inv = auth_->bootstrap("Org", "admin@example.org");
    auto acc = auth_->accept_invitation(inv->token.text.view(), "Alice Admin",
                                        SecretBytes::from(std::string_view(kPassword)),
                                        {"127.0.0.1", "t"});
    ASSERT_TRUE(acc.ok()) << acc.error().to_string();
  }

  client::ClientResponse call(const std::string& method, const std::string& path,
                              const std::string& body = {}, Hdrs headers = {}) {
    auto client = server_->client();
    auto r = client.request(method, path, body, std::move(headers));
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return std::move(*r);
  }
  static std::string code_of(const client::ClientResponse& r) {
    return std::string(json::parse(r.body).at("error").at("code").as_string());
  }
  json::object login(Hdrs headers = {}) {
    auto r = call("POST", "/api/v1/sessions",
                  R"({"email":"Admin@Example.org","password":")" + std::string(kPassword) + "\"}",
                  std::move(headers));
    EXPECT_EQ(r.status, 201) << r.body;
    auto cookie = r.headers.get("set-cookie");
    EXPECT_TRUE(cookie.has_value());
    last_cookie_ = std::string(cookie.value_or(""));
    return json::parse(r.body).as_object();
  }
  static Hdrs bearer(const json::object& l) {
    return {{"authorization", "Bearer " + std::string(l.at("token").as_string())}};
  }
  // Enrols a TOTP factor over HTTP: the session `l` then reaches everything its role allows.
  // Returns the confirmation's answer (the recovery codes).
  json::object enrol(const json::object& l) {
    auto e = call("POST", "/api/v1/me/mfa/totp", {}, bearer(l));
    EXPECT_EQ(e.status, 201) << e.body;
    if (e.status != 201) return {};
    auto secret = SecretBytes::from(
        *auth::base32_decode(std::string(json::parse(e.body).at("secret").as_string())));
    auto c = call("POST", "/api/v1/me/mfa/totp/confirm",
                  R"({"code":")" + auth::totp_at(secret, SystemClock::instance().now()) + "\"}",
                  bearer(l));
    EXPECT_EQ(c.status, 200) << c.body;
    return c.status == 200 ? json::parse(c.body).as_object() : json::object{};
  }
  std::int64_t rows(const std::string& table) {
    auto n = store_->read([&](store::Transaction& tx) -> Result<std::int64_t> {
      HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COUNT(*) FROM " + table));
      return row->int64(0);
    });
    EXPECT_TRUE(n.ok()) << n.error().to_string();
    return n.ok() ? *n : -1;
  }
  static std::string message_of(const client::ClientResponse& r) {
    return std::string(json::parse(r.body).at("error").at("message").as_string());
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<auth::AuthService> auth_;
  Router router_;
  std::unique_ptr<testing::TestServer> server_;
  std::string last_cookie_;
};

TEST_F(AuthRoutesTest, ProtectedRoutesNeedASession) {
  auto r = call("GET", "/api/v1/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code_of(r), "unauthenticated");
  EXPECT_EQ(r.headers.get("www-authenticate"), "Bearer");
  auto bad = call("GET", "/api/v1/me", {}, {{"authorization", "Bearer " + std::string(43, 'A')}});
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(code_of(bad), "invalid_token");
}

TEST_F(AuthRoutesTest, LoginSetsAHostPrefixedStrictCookie) {
  login();
  EXPECT_TRUE(last_cookie_.starts_with("__Host-hippocrate_session=")) << last_cookie_;
  for (const char* attr : {"; Secure", "; HttpOnly", "; SameSite=Strict", "; Path=/"}) {
    EXPECT_NE(last_cookie_.find(attr), std::string::npos) << attr;
  }
  EXPECT_EQ(last_cookie_.find("Domain"), std::string::npos);
}

TEST_F(AuthRoutesTest, StaffWithoutSecondFactorReachOnlyEnrolment) {
  auto l = login();
  EXPECT_TRUE(l.at("session").at("enrolment_only").as_bool());
  EXPECT_EQ(call("GET", "/api/v1/me", {}, bearer(l)).status, 200);
  auto invite = call("POST", "/api/v1/invitations",
                     R"({"email":"d@example.org","role":"practitioner"})", bearer(l));
  EXPECT_EQ(invite.status, 403);
  EXPECT_EQ(code_of(invite), "second_factor_enrolment_required");
  EXPECT_EQ(code_of(call("GET", "/api/v1/me/sessions", {}, bearer(l))),
            "second_factor_enrolment_required");
  // Enrol, then the same session reaches everything its role allows.
  const auto confirmed = enrol(l);
  ASSERT_TRUE(confirmed.contains("recovery_codes"));
  EXPECT_EQ(confirmed.at("recovery_codes").as_array().size(), 10u);
  EXPECT_EQ(call("POST", "/api/v1/invitations",
                 R"({"email":"d@example.org","role":"practitioner"})", bearer(l))
                .status,
            201);
}

TEST_F(AuthRoutesTest, CookieSessionsNeedTheCsrfTokenForChanges) {
  auto l = login();
  const std::string cookie = last_cookie_.substr(0, last_cookie_.find(';'));
  EXPECT_EQ(call("GET", "/api/v1/me", {}, {{"cookie", cookie}}).status, 200);
  auto forged = call("POST", "/api/v1/me/mfa/totp", {}, {{"cookie", cookie}});
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(code_of(forged), "csrf_token_invalid");
  auto wrong = call("POST", "/api/v1/me/mfa/totp", {},
                    {{"cookie", cookie}, {"x-csrf-token", std::string(43, 'x')}});
  EXPECT_EQ(code_of(wrong), "csrf_token_invalid");
  auto ok =
      call("POST", "/api/v1/me/mfa/totp", {},
           {{"cookie", cookie}, {"x-csrf-token", std::string(l.at("csrf_token").as_string())}});
  EXPECT_EQ(ok.status, 201) << ok.body;
}

TEST_F(AuthRoutesTest, LogoutRevokesTheTokenAtOnce) {
  auto l = login();
  auto out = call("DELETE", "/api/v1/sessions/current", {}, bearer(l));
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.headers.get("set-cookie")->find("Max-Age=0"), std::string::npos);
  auto after = call("GET", "/api/v1/me", {}, bearer(l));
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(code_of(after), "invalid_token");
}

TEST_F(AuthRoutesTest, EachLoginIssuesANewToken) {
  auto a = login();
  auto b = login();
  EXPECT_NE(a.at("token").as_string(), b.at("token").as_string());
  EXPECT_NE(a.at("csrf_token").as_string(), b.at("csrf_token").as_string());
}

TEST_F(AuthRoutesTest, WrongAndUnknownAnswerIdentically) {
  auto wrong = call("POST", "/api/v1/sessions",
                    R"({"email":"admin@example.org","password":"nope nope nope nope"})");
  auto unknown = call("POST", "/api/v1/sessions",
                      R"({"email":"ghost@example.org","password":"nope nope nope nope"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.status, unknown.status);
  EXPECT_EQ(wrong.body, unknown.body);
}

TEST_F(AuthRoutesTest, MissingFieldsAndBadJsonAreClear400s) {
  auto missing = call("POST", "/api/v1/sessions", R"({"email":"admin@example.org"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(code_of(missing), "missing_field");
  EXPECT_NE(missing.body.find("password"), std::string::npos);
  EXPECT_EQ(code_of(call("POST", "/api/v1/sessions", R"({"email":)")), "malformed_json");
  auto typed = call("POST", "/api/v1/sessions", R"({"email":"a@b.c","password":42})");
  EXPECT_EQ(code_of(typed), "invalid_field");
}

// A body is read one way only (docs/api.md "Request bodies"): a login whose password, or
// e-mail, appears twice is refused whichever copy a reader would keep, and so is a field the
// route does not read; neither counts as an attempt (no session, no failure, no event).
TEST_F(AuthRoutesTest, ALoginBodyWithADuplicateOrUnknownFieldIsRefusedAndChangesNothing) {
  const std::string right = kPassword;
  const std::string wrong = "not the password at all";
  const std::int64_t sessions = rows("sessions");
  const std::int64_t failures = rows("login_failures");
  const std::int64_t events = rows("audit_log");
  struct Case {
    std::string body;
    std::string code;
    std::string field;
  };
  const Case cases[] = {
      {R"({"email":"admin@example.org","password":")" + wrong + R"(","password":")" + right +
           R"("})",
       "duplicate_field", "'password'"},
      {R"({"email":"admin@example.org","password":")" + right + R"(","password":")" + wrong +
           R"("})",
       "duplicate_field", "'password'"},
      {R"({"email":"ghost@example.org","password":")" + right + R"(","email":"admin@example.org"})",
       "duplicate_field", "'email'"},
      {R"({"email":"admin@example.org","password":")" + right +
           R"(","totp_code":{"a":"1","a":"2"}})",
       "duplicate_field", "'totp_code.a'"},
      {R"({"email":"admin@example.org","password":")" + right + R"(","remember_me":true})",
       "unknown_field", "'remember_me'"},
      {R"({"email":"admin@example.org","password":")" + right + R"(","Password":")" + wrong +
           R"("})",
       "unknown_field", "'Password'"},
  };
  for (const auto& c : cases) {
    auto r = call("POST", "/api/v1/sessions", c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(code_of(r), c.code) << r.body;
    EXPECT_NE(message_of(r).find(c.field), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find(right), std::string::npos);
    EXPECT_EQ(r.body.find(wrong), std::string::npos);
    EXPECT_FALSE(r.headers.get("set-cookie").has_value());
  }
  EXPECT_EQ(rows("sessions"), sessions);
  EXPECT_EQ(rows("login_failures"), failures);
  EXPECT_EQ(rows("audit_log"), events);
  // The same login, read one way, works.
  login();
  EXPECT_EQ(rows("sessions"), sessions + 1);
}

// An invitation is not used up, and no account is made, by an acceptance carrying a field
// the route does not read (here a role, which the invitation alone decides) or a name twice.
TEST_F(AuthRoutesTest, RefusedInvitationBodiesCreateNothing) {
  auto l = login();
  ASSERT_TRUE(enrol(l).contains("recovery_codes"));
  const std::int64_t invitations = rows("invitations");
  auto twice = call("POST", "/api/v1/invitations",
                    R"({"email":"new@example.org","role":"assistant","role":"admin"})", bearer(l));
  EXPECT_EQ(twice.status, 400) << twice.body;
  EXPECT_EQ(code_of(twice), "duplicate_field");
  EXPECT_EQ(rows("invitations"), invitations);
  auto inv = call("POST", "/api/v1/invitations",
                  R"({"email":"new@example.org","role":"assistant"})", bearer(l));
  ASSERT_EQ(inv.status, 201) << inv.body;
  const std::string token(json::parse(inv.body).at("token").as_string());

  const std::int64_t accounts = rows("accounts");
  const std::string fields =
      R"({"token":")" + token +
      R"(","display_name":"Nadia Nouvelle","password":"violet fjord lantern quietly hums")";
  auto extra = call("POST", "/api/v1/invitations/accept", fields + R"(,"role":"admin"})");
  EXPECT_EQ(extra.status, 400) << extra.body;
  EXPECT_EQ(code_of(extra), "unknown_field");
  EXPECT_EQ(message_of(extra), "the field 'role' is not accepted here");
  auto dup =
      call("POST", "/api/v1/invitations/accept", fields + R"(,"display_name":"Someone Else"})");
  EXPECT_EQ(code_of(dup), "duplicate_field");
  EXPECT_EQ(dup.body.find("violet fjord"), std::string::npos);
  EXPECT_EQ(rows("accounts"), accounts);
  // The invitation still works, once.
  auto ok = call("POST", "/api/v1/invitations/accept", fields + "}");
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(json::parse(ok.body).at("account").at("role").as_string(), "assistant");
  EXPECT_EQ(rows("accounts"), accounts + 1);
}

TEST_F(AuthRoutesTest, PasswordsNeverReachTheAccessLog) {
  login();
  call("POST", "/api/v1/sessions",
       R"({"email":"admin@example.org","password":"SECRETPASSWORD123"})");
  server_->stop();
  const auto log = server_->access_log();
  EXPECT_EQ(log.find(kPassword), std::string::npos);
  EXPECT_EQ(log.find("SECRETPASSWORD123"), std::string::npos);
  EXPECT_NE(log.find(R"("route":"/api/v1/sessions")"), std::string::npos);
}

}  // namespace
}  // namespace hippocrate::server
