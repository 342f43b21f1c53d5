#include "auth/role.h"

namespace hippocrate::auth {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kAdmin: return "admin";
    case Role::kPractitioner: return "practitioner";
    case Role::kAssistant: return "assistant";
    case Role::kPatient: return "patient";
    case Role::kAuditor: return "auditor";
  }
  return "patient";
}

std::string role_with_article(Role role) {
  const std::string_view name = role_name(role);
  const bool vowel = std::string_view("aeiou").find(name.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(name);
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r :
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient, Role::kAuditor}) {
    if (role_name(r) == name) return r;
  }
  return std::nullopt;
}

bool is_staff(Role role) { return role != Role::kPatient; }

bool may_invite(Role inviter, Role invitee) {
  if (inviter == Role::kAdmin) return is_staff(invitee);
  if (inviter == Role::kPractitioner) return invitee == Role::kPatient;
  return false;
}

}  // namespace hippocrate::auth
