// A whole deployment for route tests: a real SQLite file, the authentication service with
// its audit log, every access service, the production routes (minus messaging) and a real
// TLS server on 127.0.0.1 — plus helpers to create accounts with a second factor and to
// log in. Cheap Argon2id parameters: the tests exercise the logic, not the cost.
#pragma once

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <string>

#include "access/care_relationships.h"
#include "access/delegations.h"
#include "access/organisation_accounts.h"
#include "access/patient_records.h"
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
#include "server/routes/system_routes.h"
#include "store/store.h"
#include "test_server.h"

namespace hippocrate::testing {

inline constexpr const char* kTestPassword = "correct horse battery staple orbit";

class Deployment {
 public:
  explicit Deployment(const std::function<void(server::Router&, Deployment&)>& extra_routes = {},
                      auth::AuthConfig auth_config = {}) {
    store::StoreOptions o;
    o.url = (dir_.path() / "d.db").string();
    o.clock = &clock;
    store = std::move(*store::open_store(o));
    audit_log = std::make_unique<audit::AuditLog>(clock, crypto::random_secret(32));
    auth = std::make_unique<auth::AuthService>(
        *store, clock, *audit_log,
        std::make_unique<auth::PasswordHasher>(crypto::random_secret(32),
                                               crypto::Argon2Params{1, 8 * 1024 * 1024}),
        crypto::random_secret(32), crypto::random_secret(32), auth_config);
    care = std::make_unique<access::CareRelationships>(*store, clock, *audit_log);
    patients = std::make_unique<access::PatientRecords>(*store, clock, *audit_log);
    delegations = std::make_unique<access::Delegations>(*store, clock, *audit_log);
    accounts = std::make_unique<access::OrganisationAccounts>(*store, clock, *audit_log);
    server::add_system_routes(router, *store);
    server::add_auth_routes(router, *auth);
    server::add_care_routes(router, *auth, *care, *patients, *store);
    server::add_delegation_routes(router, *auth, *delegations);
    server::add_account_admin_routes(router, *auth, *accounts);
    server::add_audit_routes(router, *auth, *store, *audit_log);
    if (extra_routes) extra_routes(router, *this);
    server = std::make_unique<TestServer>(router);
  }

  auth::RequestOrigin origin() const { return {"127.0.0.1", "deployment-test"}; }

  // Accepts `token` as `name`; staff (every role but patient) enrol a TOTP factor.
  std::string accept(std::string_view token, const std::string& email, std::string_view name) {
    auto a = auth->accept_invitation(token, name,
                                     SecretBytes::from(std::string_view(kTestPassword)), origin());
    if (!a) throw std::runtime_error(email + ": " + a.error().to_string());
    ids[email] = a->id;
    if (a->role != auth::Role::kPatient) {
      auto l = login(email);
      auto e = auth->begin_totp_enrolment(l.session);
      secrets_.emplace(email, SecretBytes::from(*auth::base32_decode(e->secret_base32)));
      auto c =
          auth->confirm_totp(l.session, auth::totp_at(secrets_.at(email), clock.now()), origin());
      if (!c) throw std::runtime_error(email + ": " + c.error().to_string());
    }
    return a->id;
  }

  // `inviter` invites `email` as `role`, who accepts.
  std::string invite(const std::string& inviter, const std::string& email, auth::Role role) {
    auto i = auth->invite(login(inviter).session, email, role, origin());
    if (!i) throw std::runtime_error(email + ": " + i.error().to_string());
    return accept(i->token.text.view(), email, email.substr(0, email.find('@')));
  }

  // A fresh session (a new TOTP step each time: codes are never accepted twice).
  auth::LoginResult login(const std::string& email) {
    clock.advance(std::chrono::seconds(31));
    auth::SecondFactor f;
    if (auto it = secrets_.find(email); it != secrets_.end()) {
      f.totp_code = auth::totp_at(it->second, clock.now());
    }
    auto r = auth->login(email, SecretBytes::from(std::string_view(kTestPassword)), f, origin());
    if (!r) throw std::runtime_error(email + ": " + r.error().to_string());
    return std::move(*r);
  }

  // The current TOTP code of a staff account created by accept().
  std::string totp_code(const std::string& email) {
    return auth::totp_at(secrets_.at(email), clock.now());
  }

  // One HTTP call with `headers` only (no fresh session): for a token the test keeps.
  client::ClientResponse call_with(const std::string& method, const std::string& target,
                                   const std::string& body,
                                   std::vector<std::pair<std::string, std::string>> headers) {
    auto c = server->client();
    auto r = c.request(method, target, body, std::move(headers));
    if (!r) throw std::runtime_error(target + ": " + r.error().to_string());
    return std::move(*r);
  }

  // One HTTP call as `email` (fresh session) or anonymously (empty email).
  client::ClientResponse call(const std::string& email, const std::string& method,
                              const std::string& target, const std::string& body = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!email.empty()) {
      auto l = login(email);
      headers.emplace_back("authorization", "Bearer " + std::string(l.token.text.view()));
    }
    auto c = server->client();
    auto r =
        c.request(method, target,
                  body.empty() && (method == "POST" || method == "PUT") ? "{}" : body, headers);
    if (!r) throw std::runtime_error(target + ": " + r.error().to_string());
    return std::move(*r);
  }

  static std::string code_of(const client::ClientResponse& r) {
    if (r.body.empty()) return "";
    auto v = boost::json::parse(r.body);
    if (!v.is_object() || !v.as_object().contains("error")) return "";
    return std::string(v.at("error").at("code").as_string());
  }

  // Audit records with `action` and `result` (newest first), optionally on `resource`.
  std::vector<audit::StoredAuditRecord> audit_records(const std::string& action,
                                                      const std::string& result,
                                                      const std::string& resource = "") {
    audit::AuditFilter f;
    f.action = action;
    f.result = result;
    if (!resource.empty()) f.resource = resource;
    f.limit = 1000;
    return *audit::AuditLog::search(*store, f);
  }

  TempDir dir_;
  ManualClock clock{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<store::Store> store;
  std::unique_ptr<audit::AuditLog> audit_log;
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<access::CareRelationships> care;
  std::unique_ptr<access::PatientRecords> patients;
  std::unique_ptr<access::Delegations> delegations;
  std::unique_ptr<access::OrganisationAccounts> accounts;
  server::Router router;
  std::unique_ptr<TestServer> server;
  std::map<std::string, std::string> ids;  // e-mail → account id

 private:
  std::map<std::string, SecretBytes> secrets_;
};

}  // namespace hippocrate::testing
