// The policy decision point: ONE function decides whether a subject may perform an action.
//
// Deny by default: an action missing from the policy table is refused for everyone. The
// decision is function-level (may this role do this kind of thing at all?); object-level
// rules (which role may be invited, which organisation an account belongs to) are checked
// by the services with the resource in hand, through the same vocabulary of reasons.
// Decisions depend only on their inputs, which the caller re-reads from the store at every
// request: a permission change applies on the next request.
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

struct Decision {
  bool allowed = false;
  // Stable snake_case reason, e.g. "role_not_permitted", "unknown_action",
  // "second_factor_enrolment_required"; empty when allowed.
  std::string reason;
  explicit operator bool() const { return allowed; }
};

// The action every caller (even anonymous) may perform.
inline constexpr std::string_view kPublic = "public";

Decision authorize(const Subject& subject, std::string_view action);

// Every action the policy knows (for the authorization matrix test and documentation).
std::vector<std::string_view> known_actions();
// The roles the table grants `action` to (empty for unknown actions).
std::vector<auth::Role> roles_for(std::string_view action);
// Whether `action` stays reachable for a staff session without a second factor.
bool allowed_during_enrolment(std::string_view action);

}  // namespace hippocrate::access
