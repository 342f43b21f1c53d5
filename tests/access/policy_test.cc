#include "access/policy.h"

#include <gtest/gtest.h>

namespace hippocrate::access {
namespace {

using auth::Role;

Subject as(Role role, bool enrolling = false) { return {"acc", "org", role, enrolling}; }

TEST(Policy, DeniesUnknownActionsToEveryone) {
  for (Role r :
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient, Role::kAuditor}) {
    auto d = authorize(as(r), "patients.delete_everything");
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.reason, "unknown_action");
  }
}

TEST(Policy, LeastPrivilegeForOnboardingAndAccounts) {
  EXPECT_TRUE(authorize(as(Role::kAdmin), "invitation.create"));
  EXPECT_TRUE(authorize(as(Role::kPractitioner), "invitation.create"));
  EXPECT_EQ(authorize(as(Role::kPatient), "invitation.create").reason, "role_not_permitted");
  EXPECT_FALSE(authorize(as(Role::kAssistant), "invitation.create"));
  EXPECT_TRUE(authorize(as(Role::kAdmin), "account.unlock"));
  EXPECT_FALSE(authorize(as(Role::kAuditor), "account.unlock"));
}

TEST(Policy, AdministratorsDoNotListPatients) {
  EXPECT_FALSE(authorize(as(Role::kAdmin), "patients.list"));
  EXPECT_FALSE(authorize(as(Role::kAuditor), "patients.list"));
  // Assistants list the patients of the practitioners who delegated to them (the query is
  // scoped by the delegation), administrative details only.
  EXPECT_TRUE(authorize(as(Role::kAssistant), "patients.list"));
  EXPECT_TRUE(authorize(as(Role::kPractitioner), "patients.list"));
  EXPECT_TRUE(authorize(as(Role::kPatient), "practitioners.list"));
}

TEST(Policy, EnrolmentOnlySessionsReachOnlyEnrolment) {
  EXPECT_TRUE(authorize(as(Role::kAdmin, true), "mfa.enroll"));
  EXPECT_TRUE(authorize(as(Role::kAdmin, true), "account.read_self"));
  EXPECT_TRUE(authorize(as(Role::kAdmin, true), "session.logout"));
  auto d = authorize(as(Role::kAdmin, true), "invitation.create");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "second_factor_enrolment_required");
}

Resource patient(CareState care, bool delegated = false, std::string id = "p1") {
  Resource r;
  r.kind = "patient";
  r.id = std::move(id);
  r.exists = true;
  r.organisation_id = "org";
  r.care = care;
  r.delegated_care = delegated;
  return r;
}

TEST(Policy, PatientDataNeedsAnActiveCareRelationship) {
  EXPECT_TRUE(authorize(as(Role::kPractitioner), "patient.read", patient(CareState::kActive)));
  for (CareState s : {CareState::kNone, CareState::kInvited, CareState::kEnded}) {
    auto d = authorize(as(Role::kPractitioner), "patient.read", patient(s));
    EXPECT_FALSE(d.allowed) << care_state_name(s);
    EXPECT_EQ(d.reason, "no_active_care_relationship");
  }
  // Assistants through a delegation only; the relationship of the assistant itself is moot.
  EXPECT_TRUE(authorize(as(Role::kAssistant), "patient.read", patient(CareState::kNone, true)));
  EXPECT_EQ(authorize(as(Role::kAssistant), "patient.read", patient(CareState::kActive)).reason,
            "no_delegation");
  // Patients: themselves only.
  EXPECT_TRUE(
      authorize(as(Role::kPatient), "patient.read", patient(CareState::kNone, false, "acc")));
  EXPECT_EQ(authorize(as(Role::kPatient), "patient.read", patient(CareState::kNone)).reason,
            "not_own_data");
  // Unknown or non-patient ids, and roles without patient access.
  Resource missing;
  EXPECT_EQ(authorize(as(Role::kPractitioner), "patient.read", missing).reason,
            "resource_not_found");
  EXPECT_EQ(authorize(as(Role::kAdmin), "patient.read", patient(CareState::kActive)).reason,
            "role_not_permitted");
}

TEST(Policy, AccountAdministrationStaysInTheOrganisation) {
  Resource account;
  account.kind = "account";
  account.id = "a2";
  account.exists = true;
  account.organisation_id = "org";
  EXPECT_TRUE(authorize(as(Role::kAdmin), "account.disable", account));
  account.organisation_id = "other";
  EXPECT_EQ(authorize(as(Role::kAdmin), "account.disable", account).reason, "other_organisation");
  EXPECT_EQ(authorize(as(Role::kAdmin), "account.read", account).reason, "other_organisation");
  account.exists = false;
  EXPECT_EQ(authorize(as(Role::kAdmin), "account.read", account).reason, "resource_not_found");
}

TEST(Policy, PublicIsForEveryone) {
  EXPECT_TRUE(authorize(as(Role::kPatient), kPublic));
  EXPECT_TRUE(authorize(as(Role::kAuditor, true), kPublic));
}

}  // namespace
}  // namespace hippocrate::access
