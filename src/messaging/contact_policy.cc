#include "messaging/contact_policy.h"

#include "base/ids.h"
#include "store/row_decode.h"

namespace hippocrate::messaging {
namespace {

using auth::Role;

access::Decision allow() { return {true, {}}; }
access::Decision deny(std::string reason) { return {false, std::move(reason)}; }

bool may_converse(Role r) {
  return r == Role::kAdmin || r == Role::kPractitioner || r == Role::kAssistant ||
         r == Role::kPatient;
}

}  // namespace

Error contact_not_permitted() {
  return Error::permission_denied(std::string(kContactNotPermitted),
                                  "you may not exchange messages with this account");
}

Result<access::Decision> contact_policy(store::Transaction& tx, const Actor& sender,
                                        std::string_view recipient_id) {
  if (!may_converse(sender.role)) return deny("role_cannot_message");
  if (recipient_id == sender.account_id) return allow();
  if (!is_valid_id(recipient_id)) return deny("unknown_recipient");
  HIPPO_ASSIGN_OR_RETURN(
      auto row, tx.query_one("SELECT role, organisation_id, status FROM accounts WHERE id = ?",
                             {std::string(recipient_id)}));
  if (!row) return deny("unknown_recipient");
  std::string role_name, organisation, status;
  HIPPO_RETURN_IF_ERROR(store::read_columns(*row, role_name, organisation, status));
  if (status == "disabled") return deny("unknown_recipient");
  const auto role = auth::parse_role(role_name);
  if (!role || !may_converse(*role)) return deny("role_cannot_message");

  const bool sender_patient = sender.role == Role::kPatient;
  const bool recipient_patient = *role == Role::kPatient;
  if (sender_patient && recipient_patient) return deny("patient_to_patient");
  if (sender_patient || recipient_patient) {
    const Role staff_role = sender_patient ? *role : sender.role;
    if (staff_role != Role::kPractitioner) return deny("patient_with_non_practitioner");
    const std::string practitioner = sender_patient ? std::string(recipient_id) : sender.account_id;
    const std::string patient = sender_patient ? sender.account_id : std::string(recipient_id);
    HIPPO_ASSIGN_OR_RETURN(
        auto link, tx.query_one("SELECT 1 FROM care_relationships WHERE practitioner_id = ? "
                                "AND patient_id = ? AND status = 'active' LIMIT 1",
                                {practitioner, patient}));
    return link ? allow() : deny("no_active_care_relationship");
  }
  // Staff ↔ staff.
  return organisation == sender.organisation_id ? allow() : deny("other_organisation");
}

Result<std::vector<Contact>> contacts_of(store::Transaction& tx, const Actor& actor) {
  if (!may_converse(actor.role)) return std::vector<Contact>{};
  HIPPO_ASSIGN_OR_RETURN(
      auto rows,
      tx.query("SELECT id, display_name, email, role FROM accounts WHERE id <> ? AND "
               "status <> 'disabled' AND ((organisation_id = ? AND role <> 'patient') OR id IN "
               "(SELECT patient_id FROM care_relationships WHERE practitioner_id = ? AND "
               "status = 'active') OR id IN (SELECT practitioner_id FROM care_relationships "
               "WHERE patient_id = ? AND status = 'active')) ORDER BY display_name, id",
               {actor.account_id, actor.organisation_id, actor.account_id, actor.account_id}));
  std::vector<Contact> out;
  for (const auto& row : rows) {
    Contact c;
    HIPPO_RETURN_IF_ERROR(store::read_columns(row, c.account_id, c.display_name, c.email, c.role));
    // The candidates are a superset; the policy decides, as for a send.
    HIPPO_ASSIGN_OR_RETURN(access::Decision d, contact_policy(tx, actor, c.account_id));
    if (d) out.push_back(std::move(c));
  }
  return out;
}

Result<bool> has_pending_messages_from(store::Transaction& tx, std::string_view recipient,
                                       std::string_view sender) {
  if (!is_valid_id(recipient) || !is_valid_id(sender) || recipient == sender) return false;
  // The mailbox is keyed by (device, seq): this reads the recipient's pending envelopes.
  HIPPO_ASSIGN_OR_RETURN(
      auto row,
      tx.query_one("SELECT 1 FROM mailbox b JOIN messages m ON m.message_id = "
                   "b.message_id WHERE b.device_id IN (SELECT id FROM devices WHERE "
                   "account_id = ? AND revoked_at IS NULL) AND m.sender_id = ? AND "
                   "m.recipient_account = ? LIMIT 1",
                   {std::string(recipient), std::string(sender), std::string(recipient)}));
  return row.has_value();
}

}  // namespace hippocrate::messaging
