#include "access/policy.h"

#include <array>

namespace hippocrate::access {
namespace {

using auth::Role;

constexpr std::array kAllRoles = {Role::kAdmin, Role::kPractitioner, Role::kAssistant,
                                  Role::kPatient, Role::kAuditor};

struct Entry {
  std::string_view action;
  std::vector<Role> roles;
  bool during_enrolment;  // reachable before a staff member enrols a second factor
};

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = {
      // One's own account and sessions: every role.
      {"account.read_self", {kAllRoles.begin(), kAllRoles.end()}, true},
      {"session.logout", {kAllRoles.begin(), kAllRoles.end()}, true},
      {"mfa.enroll", {kAllRoles.begin(), kAllRoles.end()}, true},
      {"session.step_up", {kAllRoles.begin(), kAllRoles.end()}, true},
      {"account.change_password", {kAllRoles.begin(), kAllRoles.end()}, false},
      {"session.list", {kAllRoles.begin(), kAllRoles.end()}, false},
      {"session.revoke", {kAllRoles.begin(), kAllRoles.end()}, false},
      {"account.security_events", {kAllRoles.begin(), kAllRoles.end()}, false},
      // Who accessed my data (patients; empty for others).
      {"account.access_log", {kAllRoles.begin(), kAllRoles.end()}, false},
      // Onboarding: administrators invite staff, practitioners invite patients (the
      // invited role is checked against the inviter by auth::may_invite).
      {"invitation.create", {Role::kAdmin, Role::kPractitioner}, false},
      // Account management within one's organisation.
      {"account.unlock", {Role::kAdmin}, false},
      // Care relationships: a practitioner lists its own patients, a patient its own
      // practitioners; either party ends a relationship (object-level: only its own).
      {"patients.list", {Role::kPractitioner}, false},
      {"practitioners.list", {Role::kPatient}, false},
      {"care.end", {Role::kPractitioner, Role::kPatient}, false},
  };
  return entries;
}

const Entry* find(std::string_view action) {
  for (const auto& e : table()) {
    if (e.action == action) return &e;
  }
  return nullptr;
}

}  // namespace

Decision authorize(const Subject& subject, std::string_view action) {
  if (action == kPublic) return {true, {}};
  const Entry* entry = find(action);
  if (entry == nullptr) return {false, "unknown_action"};
  if (subject.enrolment_only && !entry->during_enrolment) {
    return {false, "second_factor_enrolment_required"};
  }
  for (Role r : entry->roles) {
    if (r == subject.role) return {true, {}};
  }
  return {false, "role_not_permitted"};
}

std::vector<std::string_view> known_actions() {
  std::vector<std::string_view> out{kPublic};
  for (const auto& e : table()) out.push_back(e.action);
  return out;
}

std::vector<auth::Role> roles_for(std::string_view action) {
  if (action == kPublic) return {kAllRoles.begin(), kAllRoles.end()};
  const Entry* e = find(action);
  return e ? e->roles : std::vector<auth::Role>{};
}

bool allowed_during_enrolment(std::string_view action) {
  if (action == kPublic) return true;
  const Entry* e = find(action);
  return e != nullptr && e->during_enrolment;
}

}  // namespace hippocrate::access
