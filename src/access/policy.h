// The policy decision point: ONE function decides whether a subject may perform an action,
// on a resource when the action concerns one.
//
// Deny by default: an action missing from the policy table is refused for everyone. Each
// action has
//   - the roles it is granted to (function level: may this role do this kind of thing?),
//   - an object rule (object level: may it do it to THIS resource?), checked against the
//     facts in `Resource`, which the caller resolves from the store in the same request
//     (access/resource.h),
//   - a data class: assistants are never granted an action on medical content.
// Decisions depend only on their inputs, re-read from the store at every request: a
// permission or relationship change applies on the next request.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/role.h"

namespace hippocrate::access {

struct Subject {
  std::string account_id;
  std::string organisation_id;
  auth::Role role = auth::Role::kPatient;
  // A staff session that has not enrolled its second factor yet.
  bool enrolment_only = false;
};

// The state of the care relationship between a practitioner and a patient.
enum class CareState { kNone, kInvited, kActive, kEnded };
std::string_view care_state_name(CareState state);

// What an action is applied to, with the facts the object rules need.
struct Resource {
  std::string kind;  // "patient", "account", ...; empty: no particular resource
  std::string id;
  bool exists = false;
  std::string organisation_id;             // the organisation the resource belongs to
  auth::Role role = auth::Role::kPatient;  // for accounts: the account's role
  // Patients: the subject's own care relationship with this patient (practitioners).
  CareState care = CareState::kNone;
  // Patients: an active care relationship of a practitioner who delegated to the subject
  // (assistants).
  bool delegated_care = false;
};

// How an action's resource must relate to the subject.
enum class ObjectRule {
  kNone,              // no resource: the function-level decision is the decision
  kSameOrganisation,  // an account of the subject's own organisation
  kPatientAccess,     // a patient: itself, its practitioners (active care), their assistants
};

// What kind of data an action exposes or changes.
enum class DataClass {
  kOwnAccount,      // the subject's own account, sessions, factors
  kAdministrative,  // names, contact details, relationships, scheduling metadata
  kMedical,         // medical content: messages, documents, records
  kAudit,           // audit trail
};

struct Decision {
  bool allowed = false;
  // Stable snake_case reason, e.g. "role_not_permitted", "unknown_action",
  // "second_factor_enrolment_required", "other_organisation",
  // "no_active_care_relationship", "resource_not_found"; empty when allowed.
  std::string reason;
  explicit operator bool() const { return allowed; }
};

// The action every caller (even anonymous) may perform.
inline constexpr std::string_view kPublic = "public";

// Function-level decision (the action's object rule, if any, is checked separately with
// the resource in hand).
Decision authorize(const Subject& subject, std::string_view action);
// Full decision: function level, then the action's object rule against `resource`.
Decision authorize(const Subject& subject, std::string_view action, const Resource& resource);

// Every action the policy knows (for the authorization matrix test and documentation).
std::vector<std::string_view> known_actions();
// The roles the table grants `action` to (empty for unknown actions).
std::vector<auth::Role> roles_for(std::string_view action);
// Whether `action` stays reachable for a staff session without a second factor.
bool allowed_during_enrolment(std::string_view action);
std::optional<ObjectRule> object_rule_for(std::string_view action);
std::optional<DataClass> data_class_for(std::string_view action);

}  // namespace hippocrate::access
