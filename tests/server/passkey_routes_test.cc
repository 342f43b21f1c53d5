// The passkey routes over real TLS (docs/api.md "Passkeys"), with a software authenticator
// (tests/auth/webauthn/soft_authenticator.h) producing real registration and assertion
// responses: register, then sign in with the passkey alone; single-use, expiring and
// account-bound challenges; the atomic credential id; the sign-count security event; UV for
// staff; management with step-up; options that do not reveal accounts; the audit records;
// the attempt limits a passkey shares with the password.
#include "server/routes/passkey_routes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "auth/base32.h"
#include "auth/passkeys.h"
#include "auth/password_hasher.h"
#include "auth/totp.h"
#include "auth/webauthn/soft_authenticator.h"
#include "base/encoding.h"
#include "crypto/random.h"
#include "server/routes/auth_routes.h"
#include "store/store.h"
#include "test_server.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;
namespace wa = auth::webauthn;
namespace soft = auth::webauthn::testing;
using Hdrs = std::vector<std::pair<std::string, std::string>>;
using namespace std::chrono_literals;

const char* kPassword = "correct horse battery staple orbit";
const std::string kRpId = "localhost";
const std::string kOrigin = "https://localhost:8443";

// authenticatorData flags (WebAuthn §6.1).
constexpr std::uint8_t kUp = 0x01, kUv = 0x04, kBe = 0x08, kBs = 0x10, kAt = 0x40;

std::string b64(const Bytes& b) { return base64url_encode(b); }
std::string b64(std::string_view s) { return base64url_encode(as_bytes(s)); }
Bytes unb64(const json::value& v) { return *base64url_decode(std::string(v.as_string())); }

// One passkey held by the software authenticator.
struct Passkey {
  soft::SoftCredential key = soft::SoftCredential::fresh_es256();
  Bytes id = crypto::random_bytes(32);
  Bytes user_handle;
  std::uint32_t count = 0;
};

class PasskeyRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions o;
    o.url = (dir_.path() / "p.db").string();
    o.clock = &clock_;
    store_ = std::move(*store::open_store(o));
    audit_ = std::make_unique<audit::AuditLog>(clock_, crypto::random_secret(32));
    auth::AuthConfig config;
    config.webauthn_rp_id = kRpId;
    config.source_burst = 10'000;  // the tests make many ceremonies from 127.0.0.1
    auth_ = std::make_unique<auth::AuthService>(
        *store_, clock_, *audit_,
        std::make_unique<auth::PasswordHasher>(crypto::random_secret(32),
                                               crypto::Argon2Params{1, 8 * 1024 * 1024}),
        crypto::random_secret(32), crypto::random_secret(32), config);
    passkeys_ = std::make_unique<auth::PasskeyService>(*auth_);
    add_auth_routes(router_, *auth_);
    add_passkey_routes(router_, *auth_, *passkeys_);
    ServerOptions options;
    options.allowed_origins = {kOrigin, "https://127.0.0.1:8443"};
    server_ = std::make_unique<testing::TestServer>(router_, options);

    auto inv = auth_->bootstrap("Org", "admin@example.org");
    accept(inv->token.text.view(), "Alice Admin");
    secrets_["admin@example.org"] = enrol(login_direct("admin@example.org"));
    auto admin = login_direct("admin@example.org");
    auto i = auth_->invite(admin.session, "doc@example.org", auth::Role::kPractitioner, origin());
    accept(i->token.text.view(), "Bob Doctor");
    secrets_["doc@example.org"] = enrol(login_direct("doc@example.org"));
    auto doc = login_direct("doc@example.org");
    auto p = auth_->invite(doc.session, "pat@example.org", auth::Role::kPatient, origin());
    accept(p->token.text.view(), "Paul Patient");
  }

  static auth::RequestOrigin origin() { return {"127.0.0.1", "test"}; }
  void accept(std::string_view token, std::string_view name) {
    auto a = auth_->accept_invitation(token, name, SecretBytes::from(std::string_view(kPassword)),
                                      origin());
    ASSERT_TRUE(a.ok()) << a.error().to_string();
  }
  auth::SecondFactor code_for(const std::string& email) {
    clock_.advance(31s);  // a new TOTP step: codes are never accepted twice
    auth::SecondFactor f;
    if (auto it = secrets_.find(email); it != secrets_.end()) {
      f.totp_code = auth::totp_at(it->second, clock_.now());
    }
    return f;
  }
  auth::LoginResult login_direct(const std::string& email) {
    auto r = auth_->login(email, SecretBytes::from(std::string_view(kPassword)), code_for(email),
                          origin());
    EXPECT_TRUE(r.ok()) << email << ": " << r.error().to_string();
    return std::move(*r);
  }
  SecretBytes enrol(const auth::LoginResult& l) {
    auto e = auth_->begin_totp_enrolment(l.session);
    auto secret = SecretBytes::from(*auth::base32_decode(e->secret_base32));
    EXPECT_TRUE(auth_->confirm_totp(l.session, auth::totp_at(secret, clock_.now()), origin()).ok());
    return secret;
  }
  // A session with a fresh step-up (password and code): it may add and remove passkeys.
  std::string stepped_up(const std::string& email) {
    auto l = login_direct(email);
    auto s = auth_->step_up(l.session, SecretBytes::from(std::string_view(kPassword)),
                            code_for(email), origin());
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    return std::string(s->token.text.view());
  }
  std::string plain_session(const std::string& email) {
    return std::string(login_direct(email).token.text.view());
  }

  client::ClientResponse call(const std::string& method, const std::string& path,
                              const std::string& body = {}, const std::string& token = {}) {
    auto client = server_->client();
    Hdrs headers;
    if (!token.empty()) headers.emplace_back("authorization", "Bearer " + token);
    auto r = client.request(method, path, body, headers);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return std::move(*r);
  }
  static json::object body_of(const client::ClientResponse& r) {
    return json::parse(r.body).as_object();
  }
  static std::string code_of(const client::ClientResponse& r) {
    if (r.body.empty()) return "";
    auto v = json::parse(r.body);
    if (!v.as_object().contains("error")) return "";
    return std::string(v.at("error").at("code").as_string());
  }

  // The registration response of `pk` to creation options `options`.
  static std::string registration_body(Passkey& pk, const json::object& options,
                                       std::uint8_t flags = kUp | kUv,
                                       const std::string& name = "My laptop",
                                       const std::string& origin = kOrigin) {
    const Bytes challenge = unb64(options.at("challenge"));
    pk.user_handle = unb64(options.at("user").at("id"));
    const std::string cdj = soft::client_data_json("webauthn.create", challenge, origin);
    const Bytes auth_data =
        soft::authenticator_data(kRpId, flags | kAt, pk.count, pk.id, pk.key.cose_key());
    const Bytes att = soft::attestation_object("none", Bytes{0xa0}, auth_data);
    json::object response{{"clientDataJSON", b64(cdj)},
                          {"attestationObject", b64(att)},
                          {"transports", json::array{"internal", "hybrid"}}};
    json::object credential{{"id", b64(pk.id)},
                            {"rawId", b64(pk.id)},
                            {"type", "public-key"},
                            {"response", response},
                            {"clientExtensionResults", json::object{}}};
    return json::serialize(json::object{{"name", name}, {"credential", credential}});
  }
  // The assertion of `pk` for request options `options` (the counter grows by one first
  // unless `count` says what to send).
  static std::string assertion_body(Passkey& pk, const json::object& options,
                                    std::uint8_t flags = kUp | kUv,
                                    std::optional<std::uint32_t> count = std::nullopt,
                                    bool with_user_handle = true) {
    const Bytes challenge = unb64(options.at("challenge"));
    pk.count = count ? *count : pk.count + 1;
    const std::string cdj = soft::client_data_json("webauthn.get", challenge, kOrigin);
    const Bytes auth_data = soft::authenticator_data(kRpId, flags, pk.count);
    const Bytes sig = pk.key.sign(soft::signed_data(auth_data, cdj));
    json::object response{{"clientDataJSON", b64(cdj)},
                          {"authenticatorData", b64(auth_data)},
                          {"signature", b64(sig)}};
    response["userHandle"] = with_user_handle && !pk.user_handle.empty()
                                 ? json::value(b64(pk.user_handle))
                                 : json::value();
    json::object credential{{"id", b64(pk.id)},
                            {"rawId", b64(pk.id)},
                            {"type", "public-key"},
                            {"response", response}};
    return json::serialize(json::object{{"credential", credential}});
  }

  json::object creation_options(const std::string& token) {
    auto r = call("POST", "/api/v1/me/passkeys/options", {}, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? body_of(r) : json::object{};
  }
  json::object request_options(std::optional<std::string> email = std::nullopt) {
    auto r = call("POST", "/api/v1/auth/passkey/options",
                  email ? json::serialize(json::object{{"email", *email}}) : "{}");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? body_of(r) : json::object{};
  }
  // Registers `pk` for `email` (with a step-up session).
  std::string register_passkey(const std::string& email, Passkey& pk,
                               const std::string& name = "My laptop") {
    const std::string token = stepped_up(email);
    auto r = call("POST", "/api/v1/me/passkeys",
                  registration_body(pk, creation_options(token), kUp | kUv, name), token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(body_of(r).at("id").as_string()) : std::string();
  }
  client::ClientResponse sign_in(Passkey& pk, std::uint8_t flags = kUp | kUv,
                                 std::optional<std::string> email = std::nullopt) {
    return call("POST", "/api/v1/auth/passkey", assertion_body(pk, request_options(email), flags));
  }
  std::int64_t rows(const std::string& sql) {
    auto n = store_->read([&](store::Transaction& tx) -> Result<std::int64_t> {
      HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one(sql));
      return row->int64(0);
    });
    EXPECT_TRUE(n.ok()) << n.error().to_string();
    return n.ok() ? *n : -1;
  }
  // The owner's security events, newest first: "kind detail" each.
  std::vector<std::string> events(const std::string& email) {
    auto r = call("GET", "/api/v1/me/security-events", {}, plain_session(email));
    std::vector<std::string> out;
    const json::object body = body_of(r);
    for (const auto& e : body.at("events").as_array()) {
      out.push_back(std::string(e.at("kind").as_string()) + " " +
                    std::string(e.at("detail").as_string()));
    }
    return out;
  }
  static bool has_event(const std::vector<std::string>& list, std::string_view prefix) {
    for (const auto& e : list) {
      if (e.starts_with(prefix)) return true;
    }
    return false;
  }

  testing::TempDir dir_;
  ManualClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<auth::PasskeyService> passkeys_;
  Router router_;
  std::unique_ptr<testing::TestServer> server_;
  std::map<std::string, SecretBytes> secrets_;
};

TEST_F(PasskeyRoutesTest, CreationOptionsAreWhatTheBrowserNeeds) {
  const auto o = creation_options(stepped_up("doc@example.org"));
  EXPECT_EQ(o.at("rp").at("id"), "localhost");
  EXPECT_EQ(o.at("rp").at("name"), "Hippocrate");
  EXPECT_EQ(unb64(o.at("user").at("id")).size(), 32u);
  EXPECT_EQ(o.at("user").at("name"), "doc@example.org");
  EXPECT_EQ(o.at("user").at("displayName"), "Bob Doctor");
  EXPECT_EQ(unb64(o.at("challenge")).size(), 32u);
  const auto& params = o.at("pubKeyCredParams").as_array();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].at("alg").as_int64(), -7);
  EXPECT_EQ(params[1].at("alg").as_int64(), -8);
  EXPECT_EQ(params[0].at("type"), "public-key");
  EXPECT_EQ(o.at("timeout").as_int64(), 300000);
  EXPECT_TRUE(o.at("excludeCredentials").as_array().empty());
  EXPECT_EQ(o.at("authenticatorSelection").at("residentKey"), "required");
  EXPECT_EQ(o.at("authenticatorSelection").at("userVerification"), "required");  // staff
  EXPECT_EQ(o.at("attestation"), "none");
  // The user handle is stable; the challenge is new each time.
  const auto again = creation_options(stepped_up("doc@example.org"));
  EXPECT_EQ(again.at("user").at("id"), o.at("user").at("id"));
  EXPECT_NE(again.at("challenge"), o.at("challenge"));
  // A patient without any factor needs no step-up, and UV is only preferred.
  const auto patient = creation_options(plain_session("pat@example.org"));
  EXPECT_EQ(patient.at("authenticatorSelection").at("userVerification"), "preferred");
  // excludeCredentials lists the account's passkeys once it has one.
  Passkey pk;
  register_passkey("doc@example.org", pk);
  const auto later = creation_options(stepped_up("doc@example.org"));
  ASSERT_EQ(later.at("excludeCredentials").as_array().size(), 1u);
  EXPECT_EQ(unb64(later.at("excludeCredentials").as_array()[0].at("id")), pk.id);
}

TEST_F(PasskeyRoutesTest, StaffRegisterThenSignInWithThePasskeyAlone) {
  Passkey pk;
  const std::string id = register_passkey("doc@example.org", pk);
  ASSERT_EQ(id.size(), 32u);
  EXPECT_EQ(rows("SELECT COUNT(*) FROM webauthn_credentials"), 1);

  // No e-mail, no password, no TOTP code: a discoverable credential with UV.
  auto r = sign_in(pk);
  ASSERT_EQ(r.status, 201) << r.body;
  const auto login = body_of(r);
  EXPECT_EQ(login.at("token").as_string().size(), 43u);
  EXPECT_FALSE(login.at("csrf_token").as_string().empty());
  EXPECT_TRUE(login.at("session").at("second_factor_verified").as_bool());
  EXPECT_FALSE(login.at("session").at("enrolment_only").as_bool());
  EXPECT_EQ(login.at("account").at("email"), "doc@example.org");
  auto cookie = r.headers.get("set-cookie");
  ASSERT_TRUE(cookie.has_value());
  EXPECT_TRUE(cookie->starts_with("__Host-hippocrate_session="));
  // The session reaches what a full staff session reaches.
  const std::string token(login.at("token").as_string());
  EXPECT_EQ(call("GET", "/api/v1/me/sessions", {}, token).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/me/passkeys", {}, token).status, 200);
  EXPECT_EQ(rows("SELECT sign_count FROM webauthn_credentials"), 1);
  EXPECT_EQ(rows("SELECT last_used_at FROM webauthn_credentials"), unix_seconds(clock_.now()));

  // With the e-mail: allowCredentials names it, the challenge is bound to the account.
  const auto options = request_options("Doc@Example.org");
  ASSERT_EQ(options.at("allowCredentials").as_array().size(), 1u);
  EXPECT_EQ(unb64(options.at("allowCredentials").as_array()[0].at("id")), pk.id);
  EXPECT_EQ(options.at("rpId"), "localhost");
  EXPECT_EQ(options.at("userVerification"), "preferred");
  auto second = call("POST", "/api/v1/auth/passkey", assertion_body(pk, options));
  EXPECT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(rows("SELECT sign_count FROM webauthn_credentials"), 2);
  // A synced passkey's counter stays at 0: 0 after 0 passes.
  Passkey synced;
  register_passkey("admin@example.org", synced);
  auto changed = sign_in(synced, kUp | kUv | kBe | kBs);  // registered without BE
  EXPECT_EQ(changed.status, 401);
  EXPECT_EQ(code_of(changed), "webauthn_backup_eligibility_changed");
}

TEST_F(PasskeyRoutesTest, SyncedPasskeyWithZeroCountersSignsInRepeatedly) {
  Passkey pk;
  const std::string token = stepped_up("pat@example.org");
  auto r = call("POST", "/api/v1/me/passkeys",
                registration_body(pk, creation_options(token), kUp | kUv | kBe | kBs), token);
  ASSERT_EQ(r.status, 201) << r.body;
  for (int i = 0; i < 2; ++i) {
    auto s = call("POST", "/api/v1/auth/passkey",
                  assertion_body(pk, request_options(), kUp | kUv | kBe | kBs, 0u));
    EXPECT_EQ(s.status, 201) << s.body;
  }
  auto list = body_of(call("GET", "/api/v1/me/passkeys", {}, plain_session("pat@example.org")));
  EXPECT_TRUE(list.at("passkeys").as_array()[0].at("backed_up").as_bool());
}

TEST_F(PasskeyRoutesTest, AddingAPasskeyToAnAccountWithAFactorNeedsAStepUp) {
  auto r = call("POST", "/api/v1/me/passkeys/options", {}, plain_session("doc@example.org"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code_of(r), "step_up_required");
  // A patient's first passkey needs none; its second does.
  Passkey first;
  const std::string token = plain_session("pat@example.org");
  ASSERT_EQ(call("POST", "/api/v1/me/passkeys",
                 registration_body(first, creation_options(token), kUp), token)
                .status,
            201);
  auto second = call("POST", "/api/v1/me/passkeys/options", {}, plain_session("pat@example.org"));
  EXPECT_EQ(second.status, 403);
  EXPECT_EQ(code_of(second), "step_up_required");
}

TEST_F(PasskeyRoutesTest, AReplayedChallengeIsRefused) {
  Passkey pk;
  const std::string token = stepped_up("doc@example.org");
  const std::string reg = registration_body(pk, creation_options(token));
  ASSERT_EQ(call("POST", "/api/v1/me/passkeys", reg, token).status, 201);
  auto again = call("POST", "/api/v1/me/passkeys", reg, token);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(code_of(again), "webauthn_challenge");

  const std::string body = assertion_body(pk, request_options());
  ASSERT_EQ(call("POST", "/api/v1/auth/passkey", body).status, 201);
  auto replay = call("POST", "/api/v1/auth/passkey", body);
  EXPECT_EQ(replay.status, 401);
  EXPECT_EQ(code_of(replay), "webauthn_challenge");
  // A failed ceremony consumes its challenge too: a bad signature, then the right one.
  const auto options = request_options();
  std::string bad = assertion_body(pk, options);
  auto v = json::parse(bad);
  v.at("credential").at("response").as_object()["signature"] = b64(std::string(70, 'x'));
  auto refused = call("POST", "/api/v1/auth/passkey", json::serialize(v));
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(code_of(refused), "webauthn_signature");
  auto after = call("POST", "/api/v1/auth/passkey", assertion_body(pk, options));
  EXPECT_EQ(code_of(after), "webauthn_challenge");
  EXPECT_EQ(rows("SELECT COUNT(*) FROM webauthn_challenges"), 0);
}

TEST_F(PasskeyRoutesTest, AnExpiredChallengeIsRefusedAndSwept) {
  Passkey pk;
  register_passkey("doc@example.org", pk);
  const auto options = request_options();
  clock_.advance(301s);
  auto r = call("POST", "/api/v1/auth/passkey", assertion_body(pk, options));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code_of(r), "webauthn_challenge");
  // Registration alike.
  const std::string token = stepped_up("admin@example.org");
  const auto creation = creation_options(token);
  clock_.advance(300s);
  Passkey other;
  auto reg = call("POST", "/api/v1/me/passkeys", registration_body(other, creation), token);
  EXPECT_EQ(code_of(reg), "webauthn_challenge");
  // Challenges nobody presented are swept when the next one is issued.
  request_options();
  request_options();
  clock_.advance(301s);
  EXPECT_EQ(rows("SELECT COUNT(*) FROM webauthn_challenges"), 2);
  request_options();
  EXPECT_EQ(rows("SELECT COUNT(*) FROM webauthn_challenges"), 1);
}

TEST_F(PasskeyRoutesTest, AChallengeOfOneAccountCannotServeAnother) {
  // The administrator's registration challenge, answered in the practitioner's session.
  const auto admin_options = creation_options(stepped_up("admin@example.org"));
  Passkey pk;
  const std::string doc = stepped_up("doc@example.org");
  auto r = call("POST", "/api/v1/me/passkeys", registration_body(pk, admin_options), doc);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code_of(r), "webauthn_challenge");
  // A sign-in started for the administrator's e-mail, answered with the doctor's passkey.
  Passkey admin_key, doc_key;
  register_passkey("admin@example.org", admin_key);
  register_passkey("doc@example.org", doc_key);
  auto s = call("POST", "/api/v1/auth/passkey",
                assertion_body(doc_key, request_options("admin@example.org")));
  EXPECT_EQ(s.status, 401);
  EXPECT_EQ(code_of(s), "webauthn_credential");
  // A registration challenge is no sign-in challenge.
  const auto reg_options = creation_options(stepped_up("doc@example.org"));
  auto cross = call("POST", "/api/v1/auth/passkey", assertion_body(doc_key, reg_options));
  EXPECT_EQ(code_of(cross), "webauthn_challenge");
  // Another account's user handle with this credential.
  Passkey swapped = std::move(doc_key);
  swapped.user_handle = admin_key.user_handle;
  auto handle = call("POST", "/api/v1/auth/passkey", assertion_body(swapped, request_options()));
  EXPECT_EQ(code_of(handle), "webauthn_user_handle");
}

TEST_F(PasskeyRoutesTest, ACredentialIdAlreadyRegisteredIsRefused) {
  Passkey pk;
  register_passkey("doc@example.org", pk);
  // The same credential id for another account (and again for the same one).
  Passkey copy;
  copy.id = pk.id;
  for (const char* email : {"admin@example.org", "doc@example.org"}) {
    const std::string token = stepped_up(email);
    auto r = call("POST", "/api/v1/me/passkeys", registration_body(copy, creation_options(token)),
                  token);
    EXPECT_EQ(r.status, 409) << email;
    EXPECT_EQ(code_of(r), "passkey_already_registered");
  }
  EXPECT_EQ(rows("SELECT COUNT(*) FROM webauthn_credentials"), 1);
  // The stored key is still the first one's.
  EXPECT_EQ(sign_in(pk).status, 201);
  EXPECT_EQ(code_of(sign_in(copy)), "webauthn_signature");
}

TEST_F(PasskeyRoutesTest, ASignCountThatDoesNotGrowIsRefusedAndReported) {
  Passkey pk;
  register_passkey("doc@example.org", pk);
  ASSERT_EQ(
      call("POST", "/api/v1/auth/passkey", assertion_body(pk, request_options(), kUp | kUv, 5u))
          .status,
      201);
  auto r =
      call("POST", "/api/v1/auth/passkey", assertion_body(pk, request_options(), kUp | kUv, 3u));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code_of(r), "webauthn_sign_count");
  EXPECT_EQ(rows("SELECT sign_count FROM webauthn_credentials"), 5);
  const auto list = events("doc@example.org");
  EXPECT_TRUE(has_event(list, "passkey_clone_suspected passkey ")) << list[0];
  EXPECT_TRUE(has_event(list, "passkey_login_failed webauthn_sign_count passkey "));
}

TEST_F(PasskeyRoutesTest, StaffNeedUserVerification) {
  Passkey pk;
  const std::string token = stepped_up("doc@example.org");
  auto reg = call("POST", "/api/v1/me/passkeys",
                  registration_body(pk, creation_options(token), kUp), token);
  EXPECT_EQ(reg.status, 400);
  EXPECT_EQ(code_of(reg), "webauthn_user_verified");
  register_passkey("doc@example.org", pk);
  auto s = sign_in(pk, kUp);
  EXPECT_EQ(s.status, 401);
  EXPECT_EQ(code_of(s), "webauthn_user_verified");
  // A patient may sign in without UV: that session has not passed a second factor.
  Passkey patient;
  const std::string pt = plain_session("pat@example.org");
  ASSERT_EQ(
      call("POST", "/api/v1/me/passkeys", registration_body(patient, creation_options(pt), kUp), pt)
          .status,
      201);
  auto p = sign_in(patient, kUp);
  ASSERT_EQ(p.status, 201) << p.body;
  EXPECT_FALSE(body_of(p).at("session").at("second_factor_verified").as_bool());
}

TEST_F(PasskeyRoutesTest, ListRenameAndRemoveWithStepUp) {
  Passkey a, b;
  const std::string id_a = register_passkey("doc@example.org", a, "Laptop");
  register_passkey("doc@example.org", b, "Phone");
  const std::string session = plain_session("doc@example.org");
  json::array list =
      body_of(call("GET", "/api/v1/me/passkeys", {}, session)).at("passkeys").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("name"), "Laptop");
  EXPECT_TRUE(list[0].at("last_used_at").is_null());
  EXPECT_FALSE(list[0].at("backed_up").as_bool());
  EXPECT_EQ(list[0].at("id").as_string(), id_a);

  auto renamed = call("PATCH", "/api/v1/me/passkeys/" + id_a, R"({"name":"Work laptop"})", session);
  EXPECT_EQ(renamed.status, 204) << renamed.body;
  list = body_of(call("GET", "/api/v1/me/passkeys", {}, session)).at("passkeys").as_array();
  EXPECT_EQ(list[0].at("name"), "Work laptop");
  EXPECT_EQ(code_of(call("PATCH", "/api/v1/me/passkeys/" + id_a, R"({"name":""})", session)),
            "missing_field");
  EXPECT_EQ(
      code_of(call("PATCH", "/api/v1/me/passkeys/" + id_a, R"({"name":"a\u0007b"})", session)),
      "invalid_passkey_name");
  // Another account's passkey is not found, for renaming and removing alike.
  const std::string admin = stepped_up("admin@example.org");
  EXPECT_EQ(call("PATCH", "/api/v1/me/passkeys/" + id_a, R"({"name":"x"})", admin).status, 404);
  EXPECT_EQ(call("DELETE", "/api/v1/me/passkeys/" + id_a, {}, admin).status, 404);
  EXPECT_TRUE(
      body_of(call("GET", "/api/v1/me/passkeys", {}, admin)).at("passkeys").as_array().empty());

  auto no_step_up = call("DELETE", "/api/v1/me/passkeys/" + id_a, {}, session);
  EXPECT_EQ(no_step_up.status, 403);
  EXPECT_EQ(code_of(no_step_up), "step_up_required");
  auto removed = call("DELETE", "/api/v1/me/passkeys/" + id_a, {}, stepped_up("doc@example.org"));
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(
      body_of(call("GET", "/api/v1/me/passkeys", {}, session)).at("passkeys").as_array().size(),
      1u);
  auto gone = sign_in(a);
  EXPECT_EQ(gone.status, 401);
  EXPECT_EQ(code_of(gone), "webauthn_credential");
  EXPECT_EQ(sign_in(b).status, 201);
  const auto list_events = events("doc@example.org");
  EXPECT_TRUE(has_event(list_events, "passkey.remove passkey " + id_a));
  EXPECT_TRUE(has_event(list_events, "passkey.rename passkey " + id_a));
}

TEST_F(PasskeyRoutesTest, SignInOptionsDoNotRevealWhichAccountsExist) {
  Passkey pk;
  register_passkey("doc@example.org", pk);
  const auto unknown = request_options("nobody@example.org");
  const auto unknown_again = request_options("nobody@example.org");
  const auto no_passkey = request_options("pat@example.org");
  const auto known = request_options("doc@example.org");
  const auto none = request_options();
  for (const auto* o : {&unknown, &no_passkey, &known, &none}) {
    std::vector<std::string> keys;
    for (const auto& kv : *o) keys.emplace_back(kv.key());
    EXPECT_EQ(keys, (std::vector<std::string>{"challenge", "timeout", "rpId", "allowCredentials",
                                              "userVerification"}));
    EXPECT_EQ(o->at("userVerification"), "preferred");
  }
  // One decoy id of a credential's size, the same at every call for that e-mail.
  ASSERT_EQ(unknown.at("allowCredentials").as_array().size(), 1u);
  EXPECT_EQ(unb64(unknown.at("allowCredentials").as_array()[0].at("id")).size(), 32u);
  EXPECT_EQ(unknown.at("allowCredentials"), unknown_again.at("allowCredentials"));
  EXPECT_EQ(no_passkey.at("allowCredentials").as_array().size(), 1u);
  EXPECT_NE(no_passkey.at("allowCredentials"), unknown.at("allowCredentials"));
  EXPECT_EQ(known.at("allowCredentials").as_array().size(), 1u);
  EXPECT_TRUE(none.at("allowCredentials").as_array().empty());
  // A decoy answered by a passkey of another account signs nobody in.
  auto r = call("POST", "/api/v1/auth/passkey", assertion_body(pk, unknown));
  EXPECT_EQ(r.status, 201) << "an unbound challenge: the discoverable passkey itself decides";
}

TEST_F(PasskeyRoutesTest, EveryCeremonyIsAuditedWithoutRawBytes) {
  Passkey pk;
  const std::string token = stepped_up("doc@example.org");
  const auto creation = creation_options(token);
  ASSERT_EQ(call("POST", "/api/v1/me/passkeys", registration_body(pk, creation), token).status,
            201);
  const auto options = request_options();
  ASSERT_EQ(call("POST", "/api/v1/auth/passkey", assertion_body(pk, options)).status, 201);
  EXPECT_EQ(sign_in(pk, kUp).status, 401);  // no UV
  Passkey stranger;
  stranger.user_handle = pk.user_handle;
  EXPECT_EQ(sign_in(stranger).status, 401);  // unknown credential

  auto records = store_->read([&](store::Transaction& tx) -> Result<std::vector<std::string>> {
    HIPPO_ASSIGN_OR_RETURN(auto rows,
                           tx.query("SELECT action, result, COALESCE(detail, ''), "
                                    "COALESCE(resource, '') FROM audit_log ORDER BY seq"));
    std::vector<std::string> out;
    for (const auto& row : rows) {
      out.push_back(*row.text(0) + " " + *row.text(1) + " " + *row.text(2) + " " + *row.text(3));
    }
    return out;
  });
  ASSERT_TRUE(records.ok());
  auto count = [&](std::string_view prefix) {
    int n = 0;
    for (const auto& r : *records) n += r.starts_with(prefix) ? 1 : 0;
    return n;
  };
  EXPECT_EQ(count("passkey.register succeeded"), 1);
  EXPECT_EQ(count("auth.passkey_login_succeeded succeeded"), 1);
  EXPECT_EQ(count("auth.passkey_login_failed failed webauthn_user_verified passkey "), 1);
  EXPECT_EQ(count("auth.passkey_login_failed failed webauthn_credential account:unknown"), 1);
  // No challenge, credential id, user handle, key or response byte, in any encoding.
  const std::vector<Bytes> secrets = {unb64(creation.at("challenge")),
                                      unb64(options.at("challenge")),
                                      pk.id,
                                      pk.user_handle,
                                      pk.key.cose_key(),
                                      stranger.id};
  for (const auto& r : *records) {
    for (const auto& s : secrets) {
      EXPECT_EQ(r.find(b64(s)), std::string::npos) << r;
      EXPECT_EQ(r.find(hex_encode(s)), std::string::npos) << r;
    }
  }
}

TEST_F(PasskeyRoutesTest, FailuresCountTowardsTheAccountsLimits) {
  Passkey pk;
  register_passkey("doc@example.org", pk);
  for (int i = 0; i < 5; ++i) {
    auto r = sign_in(pk, kUp);  // UV missing: a failed sign-in of this account
    EXPECT_EQ(code_of(r), "webauthn_user_verified") << i;
  }
  // The sixth waits, whether by passkey or by password: the same counters.
  auto r = sign_in(pk);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(code_of(r), "too_many_attempts");
  auto password = auth_->login("doc@example.org", SecretBytes::from(std::string_view(kPassword)),
                               code_for("doc@example.org"), origin());
  ASSERT_FALSE(password.ok());
  EXPECT_EQ(password.error().code(), "too_many_attempts");
  clock_.advance(61s);
  EXPECT_EQ(sign_in(pk).status, 201);
  // Unknown credentials from one address are delayed alike.
  for (int i = 0; i < 5; ++i) {
    Passkey stranger;
    EXPECT_EQ(code_of(sign_in(stranger)), "webauthn_credential");
  }
  Passkey stranger;
  EXPECT_EQ(code_of(sign_in(stranger)), "too_many_attempts");
}

TEST_F(PasskeyRoutesTest, RefusesWhatIsNotAPasskeyResponse) {
  Passkey pk;
  const std::string token = stepped_up("doc@example.org");
  // A foreign origin in clientDataJSON.
  auto foreign =
      call("POST", "/api/v1/me/passkeys",
           registration_body(pk, creation_options(token), kUp | kUv, "x", "https://evil.example"),
           token);
  EXPECT_EQ(code_of(foreign), "webauthn_origin");
  // Its challenge is gone all the same.
  EXPECT_EQ(rows("SELECT COUNT(*) FROM webauthn_challenges"), 0);
  // id that is not rawId, an unknown field, a wrong type.
  auto body = json::parse(registration_body(pk, creation_options(token)));
  body.at("credential").as_object()["id"] = b64(std::string("other"));
  EXPECT_EQ(code_of(call("POST", "/api/v1/me/passkeys", json::serialize(body), token)),
            "invalid_field");
  body = json::parse(registration_body(pk, creation_options(token)));
  body.at("credential").at("response").as_object()["extra"] = 1;
  EXPECT_EQ(code_of(call("POST", "/api/v1/me/passkeys", json::serialize(body), token)),
            "unknown_field");
  body = json::parse(registration_body(pk, creation_options(token)));
  body.at("credential").as_object()["type"] = "password";
  EXPECT_EQ(code_of(call("POST", "/api/v1/me/passkeys", json::serialize(body), token)),
            "invalid_field");
  EXPECT_EQ(rows("SELECT COUNT(*) FROM webauthn_credentials"), 0);
}

// The public ceremonies take tokens from the login's per-address bucket.
TEST_F(PasskeyRoutesTest, SignInIsRateLimitedPerAddressLikeALogin) {
  auth::AuthConfig config;
  config.webauthn_rp_id = kRpId;
  config.source_burst = 3;
  auth::AuthService limited(
      *store_, clock_, *audit_,
      std::make_unique<auth::PasswordHasher>(crypto::random_secret(32),
                                             crypto::Argon2Params{1, 8 * 1024 * 1024}),
      crypto::random_secret(32), crypto::random_secret(32), config);
  auth::PasskeyService passkeys(limited);
  const auth::RequestOrigin from{"192.0.2.7", "t"};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(passkeys.begin_sign_in(std::nullopt, from).ok()) << i;
  auto options = passkeys.begin_sign_in(std::string("doc@example.org"), from);
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.error().code(), "rate_limited");
  auto sign_in = passkeys.sign_in(auth::PasskeyAssertionResponse{}, {}, from);
  ASSERT_FALSE(sign_in.ok());
  EXPECT_EQ(sign_in.error().code(), "rate_limited");
  EXPECT_TRUE(passkeys.begin_sign_in(std::nullopt, {"192.0.2.8", "t"}).ok());  // another address
  // Without an RP ID, passkeys are off rather than checked against nothing.
  auth::AuthService off(*store_, clock_, *audit_,
                        std::make_unique<auth::PasswordHasher>(
                            crypto::random_secret(32), crypto::Argon2Params{1, 8 * 1024 * 1024}),
                        crypto::random_secret(32), crypto::random_secret(32));
  auth::PasskeyService none(off);
  auto unavailable = none.begin_sign_in(std::nullopt, from);
  ASSERT_FALSE(unavailable.ok());
  EXPECT_EQ(unavailable.error().code(), "passkeys_unavailable");
}

}  // namespace
}  // namespace hippocrate::server
