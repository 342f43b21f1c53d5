// Who may message whom (docs/messaging.md "Contact policy"), decided on a real database.
#include "messaging/contact_policy.h"

#include "messaging_fixture.h"

namespace hippocrate::messaging::testing {
namespace {

class ContactPolicyTest : public MessagingFixture {
 protected:
  access::Decision decide(const Actor& from, const Actor& to) {
    auto d = store_->read(
        [&](store::Transaction& tx) { return contact_policy(tx, from, to.account_id); });
    EXPECT_TRUE(d.ok());
    return d.ok() ? *d : access::Decision{};
  }
  void expect_symmetric(const Actor& a, const Actor& b, bool allowed, const std::string& reason) {
    for (auto [x, y] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
      auto d = decide(*x, *y);
      EXPECT_EQ(d.allowed, allowed) << d.reason;
      EXPECT_EQ(d.reason, reason);
    }
  }
};

TEST_F(ContactPolicyTest, PractitionerAndPatientOnlyInsideAnActiveRelationship) {
  expect_symmetric(doc_, patient_, true, "");
  expect_symmetric(doc2_, patient_, false, "no_active_care_relationship");
  // Invited and ended relationships do not count.
  add_care(doc2_.account_id, patient2_.account_id, "invited");
  expect_symmetric(doc2_, patient2_, false, "no_active_care_relationship");
  ASSERT_OK(store_->write([&](store::Transaction& tx) -> Status {
    auto r = tx.execute("UPDATE care_relationships SET status = 'ended' WHERE id = ?",
                        {active_care_id_});
    if (!r) return r.error();
    return ok_status();
  }));
  expect_symmetric(doc_, patient_, false, "no_active_care_relationship");
}

TEST_F(ContactPolicyTest, AssistantsAndAdminsNeverConverseWithPatients) {
  expect_symmetric(assistant_, patient_, false, "patient_with_non_practitioner");
  expect_symmetric(admin_, patient_, false, "patient_with_non_practitioner");
  expect_symmetric(patient_, patient2_, false, "patient_to_patient");
}

TEST_F(ContactPolicyTest, StaffConverseInsideTheirOrganisationOnly) {
  expect_symmetric(doc_, doc2_, true, "");
  expect_symmetric(doc_, assistant_, true, "");
  expect_symmetric(admin_, assistant_, true, "");
  expect_symmetric(doc_, other_org_doc_, false, "other_organisation");
}

TEST_F(ContactPolicyTest, AuditorsUnknownAndDisabledAccountsAreRefused) {
  expect_symmetric(auditor_, doc_, false, "role_cannot_message");
  Actor ghost = doc_;
  ghost.account_id = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(decide(doc_, ghost).reason, "unknown_recipient");
  ghost.account_id = "not an id";
  EXPECT_EQ(decide(doc_, ghost).reason, "unknown_recipient");
  ASSERT_OK(store_->write([&](store::Transaction& tx) -> Status {
    auto r = tx.execute("UPDATE accounts SET status = 'disabled' WHERE id = ?", {doc2_.account_id});
    if (!r) return r.error();
    return ok_status();
  }));
  EXPECT_EQ(decide(doc_, doc2_).reason, "unknown_recipient");
  // Oneself: always (notes to self, one's own devices).
  EXPECT_TRUE(decide(patient_, patient_).allowed);
}

}  // namespace
}  // namespace hippocrate::messaging::testing
