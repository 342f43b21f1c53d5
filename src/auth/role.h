// Roles of an account. Staff roles (every role but patient) must enrol a second factor
// before they can reach anything else (SECURITY-REQUIREMENTS "Second factor").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hippocrate::auth {

enum class Role { kAdmin, kPractitioner, kAssistant, kPatient, kAuditor };

std::string_view role_name(Role role);  // "admin", "practitioner", ...
// The role's name with its indefinite article, for messages: "an admin", "a patient".
std::string role_with_article(Role role);
std::optional<Role> parse_role(std::string_view name);
bool is_staff(Role role);
// Whether `inviter` may invite an account of role `invitee`: administrators invite staff,
// practitioners invite patients; nobody else invites.
bool may_invite(Role inviter, Role invitee);

}  // namespace hippocrate::auth
