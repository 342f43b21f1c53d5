#include "access/policy.h"

#include <array>

namespace hippocrate::access {
namespace {

using auth::Role;

constexpr std::array kAllRoles = {Role::kAdmin, Role::kPractitioner, Role::kAssistant,
                                  Role::kPatient, Role::kAuditor};
const std::vector<Role> kEveryone(kAllRoles.begin(), kAllRoles.end());

struct Entry {
  std::string_view action;
  std::vector<Role> roles;
  bool during_enrolment;  // reachable before a staff member enrols a second factor
  ObjectRule rule = ObjectRule::kNone;
  DataClass data = DataClass::kMedical;  // the most restrictive unless stated
};

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = {
      // One's own account and sessions: every role.
      {"account.read_self", kEveryone, true, ObjectRule::kNone, DataClass::kOwnAccount},
      {"session.logout", kEveryone, true, ObjectRule::kNone, DataClass::kOwnAccount},
      {"mfa.enroll", kEveryone, true, ObjectRule::kNone, DataClass::kOwnAccount},
      {"session.step_up", kEveryone, true, ObjectRule::kNone, DataClass::kOwnAccount},
      {"account.change_password", kEveryone, false, ObjectRule::kNone, DataClass::kOwnAccount},
      {"session.list", kEveryone, false, ObjectRule::kNone, DataClass::kOwnAccount},
      {"session.revoke", kEveryone, false, ObjectRule::kNone, DataClass::kOwnAccount},
      {"account.security_events", kEveryone, false, ObjectRule::kNone, DataClass::kOwnAccount},
      // One's own passkeys (auth/passkeys.h). Staff add one only once their second factor is
      // enrolled (a password-only session must not be able to add a factor of its choosing);
      // adding to an account with a factor, and removing, need a step-up.
      {"passkey.register", kEveryone, false, ObjectRule::kNone, DataClass::kOwnAccount},
      {"passkeys.list", kEveryone, false, ObjectRule::kNone, DataClass::kOwnAccount},
      {"passkey.rename", kEveryone, false, ObjectRule::kNone, DataClass::kOwnAccount},
      {"passkey.remove", kEveryone, false, ObjectRule::kNone, DataClass::kOwnAccount},
      // Who accessed my data (patients; empty for others).
      {"account.access_log", kEveryone, false, ObjectRule::kNone, DataClass::kOwnAccount},
      // Onboarding: administrators invite staff, practitioners invite patients (the
      // invited role is checked against the inviter by auth::may_invite).
      {"invitation.create",
       {Role::kAdmin, Role::kPractitioner},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      // Pending invitations: an administrator's organisation's, a practitioner's own
      // (AuthService::pending_invitations / revoke_invitation scope them).
      {"invitations.list",
       {Role::kAdmin, Role::kPractitioner},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"invitation.revoke",
       {Role::kAdmin, Role::kPractitioner},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      // Its own organisation's name.
      {"organisation.rename", {Role::kAdmin}, false, ObjectRule::kNone, DataClass::kAdministrative},
      // Account management, within one's own organisation only.
      // (unlock names the account by e-mail; AuthService::unlock_account matches it within
      // the administrator's organisation only.)
      {"account.unlock", {Role::kAdmin}, false, ObjectRule::kNone, DataClass::kAdministrative},
      {"accounts.list", {Role::kAdmin}, false, ObjectRule::kNone, DataClass::kAdministrative},
      {"account.read",
       {Role::kAdmin},
       false,
       ObjectRule::kSameOrganisation,
       DataClass::kAdministrative},
      {"account.disable",
       {Role::kAdmin},
       false,
       ObjectRule::kSameOrganisation,
       DataClass::kAdministrative},
      {"account.enable",
       {Role::kAdmin},
       false,
       ObjectRule::kSameOrganisation,
       DataClass::kAdministrative},
      {"account.set_rpps",
       {Role::kAdmin},
       false,
       ObjectRule::kSameOrganisation,
       DataClass::kAdministrative},
      // Care relationships: a practitioner lists its own patients (an assistant those of
      // the practitioners who delegated to it), a patient its own practitioners; either
      // party ends a relationship (object-level: only its own).
      {"patients.list",
       {Role::kPractitioner, Role::kAssistant},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"patient.read",
       {Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kPatientAccess,
       DataClass::kAdministrative},
      {"practitioners.list",
       {Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"care.end",
       {Role::kPractitioner, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      // Linking an existing patient account: the practitioner asks, the patient accepts.
      {"care.request", {Role::kPractitioner}, false, ObjectRule::kNone, DataClass::kAdministrative},
      {"care.accept", {Role::kPatient}, false, ObjectRule::kNone, DataClass::kAdministrative},
      // Delegation of administrative work to an assistant of the same organisation.
      {"delegation.grant",
       {Role::kPractitioner},
       false,
       ObjectRule::kSameOrganisation,
       DataClass::kAdministrative},
      {"delegation.revoke",
       {Role::kPractitioner},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"delegations.list",
       {Role::kPractitioner, Role::kAssistant},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      // The audit trail of one's organisation.
      {"audit.search", {Role::kAuditor}, false, ObjectRule::kNone, DataClass::kAudit},
      // Messaging (docs/messaging.md): every conversing role, never auditors. The server
      // sees only public keys and ciphertext (hence administrative); who may message whom —
      // assistants never with patients — is decided per recipient by
      // messaging::contact_policy, and each device/mailbox is checked to be the caller's.
      {"device.register",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      // The accounts the caller may message (each checked by messaging::contact_policy).
      {"contacts.list",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"device.list",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"device.revoke",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"prekeys.upload",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"prekeys.claim",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"message.send",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"message.fetch",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"message.ack",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"message.refuse",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"message.undelivered",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"message.undelivered_ack",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      {"message.socket",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kAdministrative},
      // One's own account-key backup (opaque; reading and replacing it need a step-up,
      // checked by messaging::KeyBackups).
      {"key_backup.store",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kOwnAccount},
      {"key_backup.read",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kOwnAccount},
      {"key_backup.delete",
       {Role::kAdmin, Role::kPractitioner, Role::kAssistant, Role::kPatient},
       false,
       ObjectRule::kNone,
       DataClass::kOwnAccount},
  };
  return entries;
}

const Entry* find(std::string_view action) {
  for (const auto& e : table()) {
    if (e.action == action) return &e;
  }
  return nullptr;
}

Decision deny(std::string reason) { return {false, std::move(reason)}; }

Decision check_object(const Subject& subject, ObjectRule rule, const Resource& resource) {
  switch (rule) {
    case ObjectRule::kNone: return {true, {}};
    case ObjectRule::kSameOrganisation:
      if (!resource.exists) return deny("resource_not_found");
      if (resource.organisation_id != subject.organisation_id) {
        return deny("other_organisation");
      }
      return {true, {}};
    case ObjectRule::kPatientAccess:
      if (!resource.exists || resource.kind != "patient") return deny("resource_not_found");
      switch (subject.role) {
        case Role::kPatient:
          return resource.id == subject.account_id ? Decision{true, {}} : deny("not_own_data");
        case Role::kPractitioner:
          return resource.care == CareState::kActive ? Decision{true, {}}
                                                     : deny("no_active_care_relationship");
        case Role::kAssistant:
          return resource.delegated_care ? Decision{true, {}} : deny("no_delegation");
        default: return deny("role_not_permitted");
      }
  }
  return deny("unknown_object_rule");
}

}  // namespace

std::string_view care_state_name(CareState state) {
  switch (state) {
    case CareState::kNone: return "none";
    case CareState::kInvited: return "invited";
    case CareState::kActive: return "active";
    case CareState::kEnded: return "ended";
  }
  return "none";
}

Decision authorize(const Subject& subject, std::string_view action) {
  if (action == kPublic) return {true, {}};
  const Entry* entry = find(action);
  if (entry == nullptr) return deny("unknown_action");
  if (subject.enrolment_only && !entry->during_enrolment) {
    return deny("second_factor_enrolment_required");
  }
  // Assistants act on administrative data only, whatever a table entry says.
  if (subject.role == Role::kAssistant && entry->data == DataClass::kMedical) {
    return deny("role_not_permitted");
  }
  for (Role r : entry->roles) {
    if (r == subject.role) return {true, {}};
  }
  return deny("role_not_permitted");
}

Decision authorize(const Subject& subject, std::string_view action, const Resource& resource) {
  Decision d = authorize(subject, action);
  if (!d.allowed) return d;
  const Entry* entry = find(action);
  return check_object(subject, entry ? entry->rule : ObjectRule::kNone, resource);
}

std::vector<std::string_view> known_actions() {
  std::vector<std::string_view> out{kPublic};
  for (const auto& e : table()) out.push_back(e.action);
  return out;
}

std::vector<auth::Role> roles_for(std::string_view action) {
  if (action == kPublic) return kEveryone;
  const Entry* e = find(action);
  return e ? e->roles : std::vector<auth::Role>{};
}

bool allowed_during_enrolment(std::string_view action) {
  if (action == kPublic) return true;
  const Entry* e = find(action);
  return e != nullptr && e->during_enrolment;
}

std::optional<ObjectRule> object_rule_for(std::string_view action) {
  const Entry* e = find(action);
  if (e == nullptr) return std::nullopt;
  return e->rule;
}

std::optional<DataClass> data_class_for(std::string_view action) {
  const Entry* e = find(action);
  if (e == nullptr) return std::nullopt;
  return e->data;
}

}  // namespace hippocrate::access
