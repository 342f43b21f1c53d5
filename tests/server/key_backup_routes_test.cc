// The key backup routes over real TLS (docs/api.md "Key backup", docs/messaging.md "Key
// backup"): one's own opaque backup only; a version that must grow; reading, replacing and
// deleting need a recent step-up (so a stolen session alone can neither download the
// ciphertext nor swap or destroy it); size and body limits; every read, write and refusal
// audited with metadata only, never the blob.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "auth/base32.h"
#include "auth/password_hasher.h"
#include "auth/totp.h"
#include "crypto/random.h"
#include "messaging/key_backups.h"
#include "server/routes/auth_routes.h"
#include "server/routes/key_backup_routes.h"
#include "store/store.h"
#include "test_server.h"

namespace hippocrate::server {
namespace {

namespace json = boost::json;
using auth::Role;
using namespace std::chrono_literals;

const char* kPassword = "correct horse battery staple orbit";
const std::string kPath = "/api/v1/me/key-backup";

struct AuditRow {
  std::string account_id, action, result, detail;
};

class KeyBackupRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions o;
    o.url = (dir_.path() / "k.db").string();
    o.clock = &clock_;
    store_ = std::move(*store::open_store(o));
    audit_ = std::make_unique<audit::AuditLog>(clock_, crypto::random_secret(32));
    auth_ = std::make_unique<auth::AuthService>(
        *store_, clock_, *audit_,
        std::make_unique<auth::PasswordHasher>(crypto::random_secret(32),
                                               crypto::Argon2Params{1, 8 * 1024 * 1024}),
        crypto::random_secret(32), crypto::random_secret(32));
    backups_ = std::make_unique<messaging::KeyBackups>(*store_, clock_, *audit_);
    add_auth_routes(router_, *auth_);
    add_key_backup_routes(router_, *auth_, *backups_);
    server_ = std::make_unique<testing::TestServer>(router_);

    auto inv = auth_->bootstrap("Org", "admin@example.org");
    accept(inv->token.text.view(), "Alice Admin");
    enrol("admin@example.org", login("admin@example.org"));
    auto admin = login("admin@example.org");
    auto i = auth_->invite(admin.session, "doc@example.org", Role::kPractitioner, origin());
    ASSERT_TRUE(i.ok()) << i.error().to_string();
    accept(i->token.text.view(), "Doctor");
    enrol("doc@example.org", login("doc@example.org"));
    auto doc = login("doc@example.org");
    for (const char* email : {"pat@example.org", "other@example.org"}) {
      auto p = auth_->invite(doc.session, email, Role::kPatient, origin());
      ASSERT_TRUE(p.ok()) << p.error().to_string();
      accept(p->token.text.view(), "Patient");
    }
  }

  auth::RequestOrigin origin() { return {"127.0.0.1", "key-backup"}; }
  void accept(std::string_view token, std::string_view name) {
    auto a = auth_->accept_invitation(token, name, SecretBytes::from(std::string_view(kPassword)),
                                      origin());
    ASSERT_TRUE(a.ok()) << a.error().to_string();
  }
  auth::LoginResult login(const std::string& email) {
    clock_.advance(31s);  // a new TOTP step
    auth::SecondFactor f;
    if (auto it = secrets_.find(email); it != secrets_.end()) {
      f.totp_code = auth::totp_at(it->second, clock_.now());
    }
    auto r = auth_->login(email, SecretBytes::from(std::string_view(kPassword)), f, origin());
    EXPECT_TRUE(r.ok()) << email << ": " << r.error().to_string();
    return std::move(*r);
  }
  void enrol(const std::string& email, const auth::LoginResult& l) {
    auto e = auth_->begin_totp_enrolment(l.session);
    auto secret = SecretBytes::from(*auth::base32_decode(e->secret_base32));
    ASSERT_TRUE(auth_->confirm_totp(l.session, auth::totp_at(secret, clock_.now()), origin()).ok());
    secrets_[email] = std::move(secret);
  }
  // A plain session (no step-up) and a stepped-up one (password again; a new token).
  std::string session(const std::string& email) {
    return std::string(login(email).token.text.view());
  }
  std::string stepped_up(const std::string& email) {
    auto l = login(email);
    auth::SecondFactor f;
    if (auto it = secrets_.find(email); it != secrets_.end()) {
      clock_.advance(31s);
      f.totp_code = auth::totp_at(it->second, clock_.now());
    }
    auto s = auth_->step_up(l.session, SecretBytes::from(std::string_view(kPassword)), f, origin());
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    return std::string(s->token.text.view());
  }

  client::ClientResponse call(const std::string& method, const std::string& token,
                              const std::string& body = {}) {
    auto client = server_->client();
    auto r = client.request(method, kPath, body, {{"authorization", "Bearer " + token}});
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return std::move(*r);
  }
  client::ClientResponse put(const std::string& token, const Bytes& blob, std::int64_t version) {
    return call(
        "PUT", token,
        json::serialize(json::object{{"backup", base64url_encode(blob)}, {"version", version}}));
  }
  static std::string code_of(const client::ClientResponse& r) {
    return std::string(json::parse(r.body).at("error").at("code").as_string());
  }
  std::vector<AuditRow> audit(const std::string& prefix) {
    auto rows = store_->read([&](store::Transaction& tx) -> Result<std::vector<AuditRow>> {
      HIPPO_ASSIGN_OR_RETURN(auto found,
                             tx.query("SELECT account_id, action, result, COALESCE(detail, '') "
                                      "FROM audit_log WHERE action LIKE ? ORDER BY seq",
                                      {prefix + "%"}));
      std::vector<AuditRow> out;
      for (const auto& row : found) {
        out.push_back({*row.text(0), *row.text(1), *row.text(2), *row.text(3)});
      }
      return out;
    });
    EXPECT_TRUE(rows.ok());
    return *rows;
  }
  std::string account_id(const std::string& email) { return login(email).session.account.id; }

  testing::TempDir dir_;
  ManualClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<messaging::KeyBackups> backups_;
  Router router_;
  std::unique_ptr<testing::TestServer> server_;
  std::map<std::string, SecretBytes> secrets_;
};

Bytes blob_of(std::uint8_t fill, std::size_t n = 114) { return Bytes(n, fill); }

TEST_F(KeyBackupRoutesTest, StoredThenReadBackOnlyAfterAStepUp) {
  const std::string plain = session("pat@example.org");
  auto none = call("GET", stepped_up("pat@example.org"));
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(code_of(none), "key_backup_not_found");
  // The first backup needs no step-up (messaging set-up, right after sign-in).
  auto stored = put(plain, blob_of(0xab), 1);
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(json::parse(stored.body).at("version").as_int64(), 1);
  // A session alone cannot download it: 403 step_up_required.
  auto refused = call("GET", plain);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(code_of(refused), "step_up_required");
  auto got = call("GET", stepped_up("pat@example.org"));
  ASSERT_EQ(got.status, 200) << got.body;
  const auto v = json::parse(got.body);
  EXPECT_EQ(v.at("backup").as_string(), base64url_encode(blob_of(0xab)));
  EXPECT_EQ(v.at("version").as_int64(), 1);
  EXPECT_GT(v.at("updated_at").as_int64(), 0);
  // The step-up expires (5 minutes).
  const std::string recent = stepped_up("pat@example.org");
  clock_.advance(6min);
  EXPECT_EQ(code_of(call("GET", recent)), "step_up_required");
}

TEST_F(KeyBackupRoutesTest, OnlyOnesOwn) {
  ASSERT_EQ(put(session("pat@example.org"), blob_of(1), 1).status, 200);
  auto other = call("GET", stepped_up("other@example.org"));
  EXPECT_EQ(other.status, 404);
  // The other patient's first backup does not touch the first one.
  ASSERT_EQ(put(session("other@example.org"), blob_of(2), 5).status, 200);
  auto mine = call("GET", stepped_up("pat@example.org"));
  EXPECT_EQ(json::parse(mine.body).at("backup").as_string(), base64url_encode(blob_of(1)));
}

TEST_F(KeyBackupRoutesTest, ReplacingNeedsAStepUpAndAGreaterVersion) {
  ASSERT_EQ(put(session("pat@example.org"), blob_of(1), 3).status, 200);
  // A stolen session cannot swap in its own backup.
  auto swap = put(session("pat@example.org"), blob_of(9), 4);
  EXPECT_EQ(swap.status, 403);
  EXPECT_EQ(code_of(swap), "step_up_required");
  const std::string up = stepped_up("pat@example.org");
  for (std::int64_t version : {3, 2}) {
    auto stale = put(up, blob_of(9), version);
    EXPECT_EQ(stale.status, 409);
    EXPECT_EQ(code_of(stale), "stale_key_backup_version");
  }
  ASSERT_EQ(put(up, blob_of(7), 4).status, 200);
  auto got = call("GET", up);
  EXPECT_EQ(json::parse(got.body).at("backup").as_string(), base64url_encode(blob_of(7)));
  EXPECT_EQ(json::parse(got.body).at("version").as_int64(), 4);
}

TEST_F(KeyBackupRoutesTest, BoundedStrictBodies) {
  const std::string t = session("pat@example.org");
  EXPECT_EQ(code_of(put(t, {}, 1)), "missing_field");  // an empty string
  EXPECT_EQ(code_of(put(t, blob_of(1, 1025), 1)), "invalid_field");
  EXPECT_EQ(code_of(put(t, blob_of(1), 0)), "invalid_field");
  EXPECT_EQ(code_of(call("PUT", t, R"({"backup":"AAAA"})")), "missing_field");
  EXPECT_EQ(code_of(call("PUT", t, R"({"backup":"A+/=","version":1})")), "invalid_field");
  EXPECT_EQ(code_of(call("PUT", t, R"({"backup":"AAAA","version":1,"account_id":"x"})")),
            "unknown_field");
  EXPECT_EQ(code_of(call("PUT", t, R"({"backup":"AAAA","version":"1"})")), "invalid_field");
  EXPECT_EQ(call("GET", stepped_up("pat@example.org")).status, 404);  // nothing was stored
  EXPECT_EQ(put(t, blob_of(1, 1024), 1).status, 200);
}

TEST_F(KeyBackupRoutesTest, DeleteNeedsAStepUp) {
  ASSERT_EQ(put(session("pat@example.org"), blob_of(1), 1).status, 200);
  EXPECT_EQ(code_of(call("DELETE", session("pat@example.org"))), "step_up_required");
  const std::string up = stepped_up("pat@example.org");
  EXPECT_EQ(call("DELETE", up).status, 204);
  EXPECT_EQ(code_of(call("DELETE", up)), "key_backup_not_found");
  EXPECT_EQ(call("GET", up).status, 404);
}

TEST_F(KeyBackupRoutesTest, EveryReadAndWriteIsAuditedWithoutTheBlob) {
  const std::string pat = account_id("pat@example.org");
  ASSERT_EQ(put(session("pat@example.org"), blob_of(0x5a, 120), 2).status, 200);
  call("GET", session("pat@example.org"));
  call("GET", stepped_up("pat@example.org"));
  put(session("pat@example.org"), blob_of(0x5a), 3);
  call("DELETE", stepped_up("pat@example.org"));
  const auto rows = audit("key_backup.");
  ASSERT_EQ(rows.size(), 5u);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"key_backup.store", "succeeded"},
      {"key_backup.read", "denied"},
      {"key_backup.read", "succeeded"},
      {"key_backup.store", "denied"},
      {"key_backup.delete", "succeeded"}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].account_id, pat);
    EXPECT_EQ(rows[i].action, want[i].first) << i;
    EXPECT_EQ(rows[i].result, want[i].second) << i;
  }
  EXPECT_EQ(rows[0].detail, "created,version=2,size=120");
  EXPECT_EQ(rows[1].detail, "reason=step_up_required");
  EXPECT_EQ(rows[2].detail, "version=2,size=120");
  EXPECT_EQ(rows[3].detail, "reason=step_up_required,version=3,size=114");
  const std::string encoded = base64url_encode(blob_of(0x5a, 120)).substr(0, 16);
  for (const auto& r : rows) EXPECT_EQ(r.detail.find(encoded), std::string::npos);
  server_->stop();
  EXPECT_EQ(server_->access_log().find(encoded), std::string::npos);
}

TEST_F(KeyBackupRoutesTest, NeedsASession) {
  auto client = server_->client();
  auto r = client.request("GET", kPath, "", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
}

}  // namespace
}  // namespace hippocrate::server
