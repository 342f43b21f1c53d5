// Care relationships over a real SQLite file: created by a practitioner's invitation,
// active on acceptance, ended by either side with immediate effect; nobody else sees or
// ends them.
#include "access/care_relationships.h"

#include <gtest/gtest.h>

#include "access/access_log.h"
#include "audit/audit_log.h"
#include "auth/base32.h"
#include "auth/password_hasher.h"
#include "auth/totp.h"
#include "crypto/random.h"
#include "support/temp_dir.h"

namespace hippocrate::access {
namespace {

using namespace std::chrono_literals;
using auth::Role;
const char* kPassword = "correct horse battery staple orbit";

class CareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions o;
    o.url = (dir_.path() / "c.db").string();
    o.clock = &clock_;
    store_ = std::move(*store::open_store(o));
    audit_ = std::make_unique<audit::AuditLog>(clock_, crypto::random_secret(32));
    auth_ = std::make_unique<auth::AuthService>(
        *store_, clock_, *audit_,
        std::make_unique<auth::PasswordHasher>(crypto::random_secret(32),
                                               crypto::Argon2Params{1, 8 * 1024 * 1024}),
        crypto::random_secret(32), crypto::random_secret(32));
    care_ = std::make_unique<CareRelationships>(*store_, clock_, *audit_);
    auto inv = auth_->bootstrap("Org", "admin@example.org");
    accept(inv->token.text.view(), "Alice Admin");
    auto admin = staff("admin@example.org");
    for (const char* doc : {"doc1@example.org", "doc2@example.org"}) {
      auto i = auth_->invite(admin, doc, Role::kPractitioner, origin());
      accept(i->token.text.view(), "Doctor Who");
    }
    doc1_ = staff("doc1@example.org");
    doc2_ = staff("doc2@example.org");
  }

  auth::RequestOrigin origin() { return {"127.0.0.1", "t"}; }
  void accept(std::string_view token, std::string_view name) {
    ASSERT_TRUE(auth_
                    ->accept_invitation(token, name, SecretBytes::from(std::string_view(kPassword)),
                                        origin())
                    .ok());
  }
  auth::SessionInfo login(const std::string& email) {
    clock_.advance(31s);
    auth::SecondFactor f;
    if (auto it = secrets_.find(email); it != secrets_.end()) {
      f.totp_code = auth::totp_at(it->second, clock_.now());
    }
    auto r = auth_->login(email, SecretBytes::from(std::string_view(kPassword)), f, origin());
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r->session;
  }
  auth::SessionInfo staff(const std::string& email) {
    auto s = login(email);
    auto e = auth_->begin_totp_enrolment(s);
    auto secret = SecretBytes::from(*auth::base32_decode(e->secret_base32));
    EXPECT_TRUE(auth_->confirm_totp(s, auth::totp_at(secret, clock_.now()), origin()).ok());
    secrets_[email] = std::move(secret);
    return login(email);
  }

  testing::TempDir dir_;
  ManualClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<CareRelationships> care_;
  std::map<std::string, SecretBytes> secrets_;
  auth::SessionInfo doc1_, doc2_;
};

TEST_F(CareTest, InvitedThenActiveThenEndedByThePatient) {
  auto inv = auth_->invite(doc1_, "pat@example.org", Role::kPatient, origin());
  ASSERT_TRUE(inv.ok());
  auto listed = *care_->patients_of(doc1_);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].status, "invited");
  EXPECT_EQ(listed[0].patient_email, "pat@example.org");

  accept(inv->token.text.view(), "Paul Patient");
  auto patient = login("pat@example.org");
  listed = *care_->patients_of(doc1_);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].status, "active");
  EXPECT_EQ(listed[0].patient_id, patient.account.id);
  EXPECT_TRUE(*care_->is_active(doc1_.account.id, patient.account.id));
  auto mine = *care_->practitioners_of(patient);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].practitioner_id, doc1_.account.id);
  EXPECT_TRUE(mine[0].patient_email.empty());

  // Another practitioner neither sees nor ends it.
  EXPECT_TRUE(care_->patients_of(doc2_)->empty());
  EXPECT_EQ(care_->end(doc2_, listed[0].id).error().code(), "care_relationship_not_found");
  EXPECT_FALSE(*care_->is_active(doc2_.account.id, patient.account.id));

  // The patient ends it: the practitioner's access stops at once.
  ASSERT_TRUE(care_->end(patient, mine[0].id).ok());
  EXPECT_FALSE(*care_->is_active(doc1_.account.id, patient.account.id));
  EXPECT_TRUE(care_->patients_of(doc1_)->empty());
  auto history = *care_->patients_of(doc1_, /*include_ended=*/true);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].status, "ended");
  EXPECT_EQ(care_->end(patient, mine[0].id).error().code(), "care_relationship_not_found");
}

TEST_F(CareTest, ThePatientSeesWhoReadTheirDataAndRefusalsAreAudited) {
  auto inv = auth_->invite(doc1_, "pat3@example.org", Role::kPatient, origin());
  accept(inv->token.text.view(), "Pat Three");
  auto patient = login("pat3@example.org");
  ASSERT_TRUE(care_->patients_of(doc1_, false, "10.8.8.8").ok());
  ASSERT_TRUE(care_->patients_of(doc2_).ok());  // doc2 has no relationship: nothing read
  auto entries = patient_access_log(*store_, patient.account.id);
  ASSERT_TRUE(entries.ok()) << entries.error().to_string();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].actor_name, "Doctor Who");
  EXPECT_EQ((*entries)[0].actor_role, "practitioner");
  EXPECT_EQ((*entries)[0].actor_organisation, "Org");
  EXPECT_EQ((*entries)[0].action, "patients.list");

  ASSERT_TRUE(auth_->audit_refusal(patient, "patients.list", "role_not_permitted", origin()).ok());
  audit::AuditFilter denied;
  denied.account_id = patient.account.id;
  auto records = *audit::AuditLog::search(*store_, denied);
  bool refusal = false;
  for (const auto& r : records) refusal = refusal || r.record.result == "denied";
  EXPECT_TRUE(refusal);
  EXPECT_TRUE(audit::AuditLog::verify(*store_, audit_->public_key())->intact());
}

TEST_F(CareTest, ThePractitionerCanEndItToo) {
  auto inv = auth_->invite(doc1_, "pat2@example.org", Role::kPatient, origin());
  accept(inv->token.text.view(), "Pia Patient");
  auto rel = care_->patients_of(doc1_)->at(0);
  ASSERT_TRUE(care_->end(doc1_, rel.id).ok());
  EXPECT_FALSE(*care_->is_active(doc1_.account.id, rel.patient_id));
}

}  // namespace
}  // namespace hippocrate::access
