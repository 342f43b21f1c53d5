#include "access/policy.h"

#include <gtest/gtest.h>

namespace hippocrate::access {
namespace {

using auth::Role;

Subject as(Role role, bool enrolling = false) { return {"acc", "org", role, enrolling}; }

TEST(Policy, DeniesUnknownActionsToEveryone) {
  for (Role r : {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient,
                 Role::kAuditor}) {
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
  EXPECT_FALSE(authorize(as(Role::kAssistant), "patients.list"));
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

TEST(Policy, PublicIsForEveryone) {
  EXPECT_TRUE(authorize(as(Role::kPatient), kPublic));
  EXPECT_TRUE(authorize(as(Role::kAuditor, true), kPublic));
}

}  // namespace
}  // namespace hippocrate::access
