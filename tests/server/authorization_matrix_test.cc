// The authorization matrix, generated from the router's own registry: every production
// route × every role (plus anonymous, plus a staff session still enrolling its second
// factor) is called over real TLS, and the answer is checked against the expected
// decision below. A route added without an entry here fails the test, so no route can
// escape review.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <set>

#include "access/policy.h"
#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "auth/base32.h"
#include "auth/password_hasher.h"
#include "auth/totp.h"
#include "crypto/random.h"
#include "server/routes/account_admin_routes.h"
#include "server/routes/audit_routes.h"
#include "server/routes/auth_routes.h"
#include "server/routes/care_routes.h"
#include "server/routes/delegation_routes.h"
#include "server/routes/key_backup_routes.h"
#include "server/routes/messaging_routes.h"
#include "server/routes/passkey_routes.h"
#include "server/routes/system_routes.h"
#include "store/store.h"
#include "test_server.h"

namespace hippocrate::server {
namespace {

using auth::Role;
using namespace std::chrono_literals;

const char* kPassword = "correct horse battery staple orbit";

// Expected: which roles a route admits. "public" routes admit anonymous callers too.
// Enrolment-only staff sessions reach only the routes marked `during_enrolment`.
struct Expected {
  std::set<Role> roles;
  bool is_public = false;
  bool during_enrolment = false;
};

const std::set<Role> kEveryone = {Role::kAdmin, Role::kPractitioner, Role::kAssistant,
                                  Role::kPatient, Role::kAuditor};
// Messaging: the roles that converse (docs/messaging.md).
const std::set<Role> kMessaging = {Role::kAdmin, Role::kPractitioner, Role::kAssistant,
                                   Role::kPatient};

const std::map<std::string, Expected>& expected_matrix() {
  static const std::map<std::string, Expected> m = {
      {"GET /healthz", {kEveryone, true, true}},
      {"GET /api/v1/version", {kEveryone, true, true}},
      {"POST /api/v1/invitations/accept", {kEveryone, true, true}},
      {"POST /api/v1/sessions", {kEveryone, true, true}},
      {"DELETE /api/v1/sessions/current", {kEveryone, false, true}},
      {"GET /api/v1/me", {kEveryone, false, true}},
      {"POST /api/v1/me/step-up", {kEveryone, false, true}},
      {"POST /api/v1/me/mfa/totp", {kEveryone, false, true}},
      {"POST /api/v1/me/mfa/totp/confirm", {kEveryone, false, true}},
      {"PUT /api/v1/me/password", {kEveryone, false, false}},
      {"GET /api/v1/me/sessions", {kEveryone, false, false}},
      {"DELETE /api/v1/me/sessions/{id}", {kEveryone, false, false}},
      {"GET /api/v1/me/security-events", {kEveryone, false, false}},
      // Passkeys (auth/passkeys.h): one's own; staff only once enrolled. The sign-in is
      // public (rate-limited per address like a login).
      {"POST /api/v1/me/passkeys/options", {kEveryone, false, false}},
      {"POST /api/v1/me/passkeys", {kEveryone, false, false}},
      {"GET /api/v1/me/passkeys", {kEveryone, false, false}},
      {"PATCH /api/v1/me/passkeys/{id}", {kEveryone, false, false}},
      {"DELETE /api/v1/me/passkeys/{id}", {kEveryone, false, false}},
      {"POST /api/v1/auth/passkey/options", {kEveryone, true, true}},
      {"POST /api/v1/auth/passkey", {kEveryone, true, true}},
      {"POST /api/v1/invitations", {{Role::kAdmin, Role::kPractitioner}, false, false}},
      {"GET /api/v1/invitations", {{Role::kAdmin, Role::kPractitioner}, false, false}},
      {"POST /api/v1/invitations/{id}/revoke", {{Role::kAdmin, Role::kPractitioner}, false, false}},
      {"PUT /api/v1/organisation", {{Role::kAdmin}, false, false}},
      {"POST /api/v1/accounts/unlock", {{Role::kAdmin}, false, false}},
      {"GET /api/v1/patients", {{Role::kPractitioner, Role::kAssistant}, false, false}},
      // Object-level routes: a random {id} is nobody's (404) for the admitted roles; the
      // relationship state × organisation dimension is in object_level_test.cc.
      {"GET /api/v1/patients/{id}",
       {{Role::kPractitioner, Role::kAssistant, Role::kPatient}, false, false}},
      {"POST /api/v1/care-relationships", {{Role::kPractitioner}, false, false}},
      {"POST /api/v1/care-relationships/{id}/accept", {{Role::kPatient}, false, false}},
      {"GET /api/v1/delegations", {{Role::kPractitioner, Role::kAssistant}, false, false}},
      {"POST /api/v1/delegations", {{Role::kPractitioner}, false, false}},
      {"POST /api/v1/delegations/{id}/revoke", {{Role::kPractitioner}, false, false}},
      {"GET /api/v1/accounts", {{Role::kAdmin}, false, false}},
      {"GET /api/v1/accounts/{id}", {{Role::kAdmin}, false, false}},
      {"POST /api/v1/accounts/{id}/disable", {{Role::kAdmin}, false, false}},
      {"POST /api/v1/accounts/{id}/enable", {{Role::kAdmin}, false, false}},
      {"PUT /api/v1/accounts/{id}/rpps", {{Role::kAdmin}, false, false}},
      {"GET /api/v1/audit/records", {{Role::kAuditor}, false, false}},
      {"GET /api/v1/me/access-log", {kEveryone, false, false}},
      {"GET /api/v1/practitioners", {{Role::kPatient}, false, false}},
      {"POST /api/v1/care-relationships/{id}/end",
       {{Role::kPractitioner, Role::kPatient}, false, false}},
      // Messaging (docs/messaging.md): every role but auditors. A random {id} is nobody's
      // device (404) or an account one may not contact (403 contact_not_permitted): both
      // count as admitted by the policy point.
      {"PUT /api/v1/devices/{device_id}", {kMessaging, false, false}},
      {"PUT /api/v1/me/device-list", {kMessaging, false, false}},
      {"GET /api/v1/me/devices", {kMessaging, false, false}},
      {"GET /api/v1/accounts/{account_id}/devices", {kMessaging, false, false}},
      {"GET /api/v1/contacts", {kMessaging, false, false}},
      {"POST /api/v1/devices/{device_id}/revoke", {kMessaging, false, false}},
      {"PUT /api/v1/devices/{device_id}/prekeys", {kMessaging, false, false}},
      {"GET /api/v1/devices/{device_id}/prekeys/count", {kMessaging, false, false}},
      {"POST /api/v1/accounts/{account_id}/prekey-bundles", {kMessaging, false, false}},
      {"POST /api/v1/messages", {kMessaging, false, false}},
      {"GET /api/v1/devices/{device_id}/messages", {kMessaging, false, false}},
      {"POST /api/v1/devices/{device_id}/messages/ack", {kMessaging, false, false}},
      {"GET /api/v1/devices/{device_id}/undelivered", {kMessaging, false, false}},
      {"POST /api/v1/devices/{device_id}/undelivered/ack", {kMessaging, false, false}},
      {"POST /api/v1/devices/{device_id}/messages/refuse", {kMessaging, false, false}},
      {"GET /api/v1/devices/{device_id}/socket", {kMessaging, false, false}},
      // One's own key backup (a step-up is checked after the policy point).
      {"PUT /api/v1/me/key-backup", {kMessaging, false, false}},
      {"GET /api/v1/me/key-backup", {kMessaging, false, false}},
      {"DELETE /api/v1/me/key-backup", {kMessaging, false, false}},
  };
  return m;
}

std::string concrete_path(const std::string& tmpl) {
  std::string out = tmpl;
  const auto open = out.find('{');
  if (open != std::string::npos) {
    out.replace(open, out.find('}') - open + 1, "0123456789abcdef0123456789abcdef");
  }
  return out;
}

// Passkeys configured, so that their routes run as in production.
auth::AuthConfig matrix_auth_config() {
  auth::AuthConfig c;
  c.webauthn_rp_id = "localhost";
  return c;
}

class AuthorizationMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions o;
    o.url = (dir_.path() / "m.db").string();
    o.clock = &clock_;
    store_ = std::move(*store::open_store(o));
    // Authorization and audit (refusals are audited).
    audit_ = std::make_unique<audit::AuditLog>(clock_, crypto::random_secret(32));
    auth_ = std::make_unique<auth::AuthService>(
        *store_, clock_, *audit_,
        std::make_unique<auth::PasswordHasher>(crypto::random_secret(32),
                                               crypto::Argon2Params{1, 8 * 1024 * 1024}),
        crypto::random_secret(32), crypto::random_secret(32), matrix_auth_config());
    add_system_routes(router_, *store_);
    add_auth_routes(router_, *auth_);
    passkeys_ = std::make_unique<auth::PasskeyService>(*auth_);
    add_passkey_routes(router_, *auth_, *passkeys_);
    care_ = std::make_unique<access::CareRelationships>(*store_, clock_, *audit_);
    // Messaging (docs/messaging.md).
    messaging_ = std::make_unique<messaging::MessagingService>(*store_, clock_, *audit_);
    add_messaging_routes(router_, *auth_, *messaging_);
    key_backups_ = std::make_unique<messaging::KeyBackups>(*store_, clock_, *audit_);
    add_key_backup_routes(router_, *auth_, *key_backups_);
    patients_ = std::make_unique<access::PatientRecords>(*store_, clock_, *audit_);
    add_care_routes(router_, *auth_, *care_, *patients_, *store_);
    delegations_ = std::make_unique<access::Delegations>(*store_, clock_, *audit_);
    add_delegation_routes(router_, *auth_, *delegations_);
    accounts_ = std::make_unique<access::OrganisationAccounts>(*store_, clock_, *audit_);
    add_account_admin_routes(router_, *auth_, *accounts_);
    add_audit_routes(router_, *auth_, *store_, *audit_);
    server_ = std::make_unique<testing::TestServer>(router_);

    auto inv = auth_->bootstrap("Org", "admin@example.org");
    accept(inv->token.text.view(), "Alice Admin");
    auto admin = login("admin@example.org");
    secrets_["admin@example.org"] = enrol(admin);
    auto admin_full = login("admin@example.org");
    for (auto [email, role] : {std::pair{"doc@example.org", Role::kPractitioner},
                               {"assist@example.org", Role::kAssistant},
                               {"audit@example.org", Role::kAuditor},
                               {"newstaff@example.org", Role::kPractitioner}}) {
      auto i = auth_->invite(admin_full.session, email, role, origin());
      ASSERT_TRUE(i.ok()) << i.error().to_string();
      accept(i->token.text.view(), "Staff Member");
      if (std::string(email) != "newstaff@example.org") secrets_[email] = enrol(login(email));
    }
    auto doc = login("doc@example.org");
    auto p = auth_->invite(doc.session, "pat@example.org", Role::kPatient, origin());
    accept(p->token.text.view(), "Paul Patient");
  }

  auth::RequestOrigin origin() { return {"127.0.0.1", "matrix"}; }
  void accept(std::string_view token, std::string_view name) {
    auto a = auth_->accept_invitation(token, name, SecretBytes::from(std::string_view(kPassword)),
                                      origin());
    ASSERT_TRUE(a.ok()) << a.error().to_string();
  }
  // A fresh session for every call: some routes end or rotate the session they run on.
  auth::LoginResult login(const std::string& email) {
    clock_.advance(31s);  // a new TOTP step: codes are never accepted twice
    auth::SecondFactor f;
    if (auto it = secrets_.find(email); it != secrets_.end()) {
      f.totp_code = auth::totp_at(it->second, clock_.now());
    }
    auto r = auth_->login(email, SecretBytes::from(std::string_view(kPassword)), f, origin());
    EXPECT_TRUE(r.ok()) << email << ": " << r.error().to_string();
    return std::move(*r);
  }
  SecretBytes enrol(const auth::LoginResult& l) {
    auto e = auth_->begin_totp_enrolment(l.session);
    auto secret = SecretBytes::from(*auth::base32_decode(e->secret_base32));
    EXPECT_TRUE(auth_->confirm_totp(l.session, auth::totp_at(secret, clock_.now()), origin()).ok());
    return secret;
  }

  client::ClientResponse call(const Route& route, const std::string* token) {
    auto client = server_->client();
    std::vector<std::pair<std::string, std::string>> headers;
    if (token) headers.emplace_back("authorization", "Bearer " + *token);
    if (route.websocket) {  // a WebSocket route is reached by an upgrade request
      headers.emplace_back("connection", "Upgrade");
      headers.emplace_back("upgrade", "websocket");
      headers.emplace_back("sec-websocket-version", "13");
      headers.emplace_back("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
    }
    const bool has_body = route.method == "POST" || route.method == "PUT";
    auto r = client.request(route.method, concrete_path(route.path_template),
                            has_body ? std::string("{}") : std::string(), headers);
    EXPECT_TRUE(r.ok());
    return std::move(*r);
  }
  static std::string code_of(const client::ClientResponse& r) {
    if (r.body.empty()) return "";
    auto v = boost::json::parse(r.body);
    if (!v.is_object() || !v.as_object().contains("error")) return "";
    return std::string(v.at("error").at("code").as_string());
  }

  testing::TempDir dir_;
  ManualClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<auth::PasskeyService> passkeys_;
  std::unique_ptr<access::CareRelationships> care_;
  std::unique_ptr<messaging::MessagingService> messaging_;
  std::unique_ptr<messaging::KeyBackups> key_backups_;
  std::unique_ptr<access::PatientRecords> patients_;
  std::unique_ptr<access::Delegations> delegations_;
  std::unique_ptr<access::OrganisationAccounts> accounts_;
  Router router_;
  std::unique_ptr<testing::TestServer> server_;
  std::map<std::string, SecretBytes> secrets_;
};

TEST_F(AuthorizationMatrixTest, EveryRouteHasAnEntryAndEveryEntryARoute) {
  std::set<std::string> registered;
  for (const auto& route : router_.routes()) {
    const std::string key = route->method + " " + route->path_template;
    registered.insert(key);
    EXPECT_TRUE(expected_matrix().contains(key))
        << key << " has no entry in the authorization matrix: decide who may call it";
    // The declared action is one the policy knows (deny by default otherwise).
    const auto actions = access::known_actions();
    EXPECT_NE(std::find(actions.begin(), actions.end(), route->action), actions.end())
        << key << " declares unknown action " << route->action;
  }
  for (const auto& [key, _] : expected_matrix()) {
    EXPECT_TRUE(registered.contains(key)) << key << " is in the matrix but not registered";
  }
}

TEST_F(AuthorizationMatrixTest, EveryRouteTimesEveryRoleGetsTheExpectedDecision) {
  const std::vector<std::pair<std::string, Role>> subjects = {
      {"admin@example.org", Role::kAdmin},
      {"doc@example.org", Role::kPractitioner},
      {"assist@example.org", Role::kAssistant},
      {"pat@example.org", Role::kPatient},
      {"audit@example.org", Role::kAuditor}};
  int checked = 0;
  for (const auto& route : router_.routes()) {
    const std::string key = route->method + " " + route->path_template;
    auto it = expected_matrix().find(key);
    if (it == expected_matrix().end()) continue;  // reported by the test above
    const Expected& want = it->second;

    auto anonymous = call(*route, nullptr);
    if (want.is_public) {
      EXPECT_NE(anonymous.status, 401) << key << " anonymous";
      EXPECT_NE(anonymous.status, 403) << key << " anonymous";
    } else {
      EXPECT_EQ(anonymous.status, 401) << key << " anonymous";
    }
    for (const auto& [email, role] : subjects) {
      auto l = login(email);
      const std::string token(l.token.text.view());
      auto res = call(*route, &token);
      const bool denied = res.status == 403 && code_of(res) == "permission_denied";
      EXPECT_EQ(denied, !want.roles.contains(role))
          << key << " as " << auth::role_name(role) << ": " << res.status << " " << res.body;
      ++checked;
    }
    // A staff session that has not enrolled its second factor yet.
    auto pending = login("newstaff@example.org");
    const std::string token(pending.token.text.view());
    auto res = call(*route, &token);
    const bool gated = res.status == 403 && code_of(res) == "second_factor_enrolment_required";
    EXPECT_EQ(gated, !want.is_public && !want.during_enrolment)
        << key << " before enrolment: " << res.status << " " << res.body;
  }
  EXPECT_EQ(checked, static_cast<int>(expected_matrix().size() * subjects.size()));
}

}  // namespace
}  // namespace hippocrate::server
