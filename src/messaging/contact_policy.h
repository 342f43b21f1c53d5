// Who may message whom (docs/messaging.md "Contact policy"). Symmetric; decided from the
// accounts and care_relationships tables read in the caller's transaction, so a care
// relationship that ends stops the conversation with the next request.
//
//   oneself                        always
//   practitioner ↔ patient         an active care relationship between them
//   staff ↔ staff                  admin/practitioner/assistant of the same organisation
//   anything else                  refused (patient ↔ patient, assistant or admin ↔
//                                  patient, auditors, unknown or disabled accounts)
//
// The Decision's reason is precise (for the audit trail): "no_active_care_relationship",
// "patient_to_patient", "patient_with_non_practitioner", "other_organisation",
// "role_cannot_message", "unknown_recipient". Callers answer every refusal alike, with
// kContactNotPermitted, so the answer does not reveal whether an account exists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "access/policy.h"
#include "messaging/messaging_types.h"
#include "store/store.h"

namespace hippocrate::messaging {

inline constexpr std::string_view kContactNotPermitted = "contact_not_permitted";

Result<access::Decision> contact_policy(store::Transaction& tx, const Actor& sender,
                                        std::string_view recipient_id);

// An account the caller may message (GET /api/v1/contacts).
struct Contact {
  std::string account_id;
  std::string display_name;
  std::string email;
  std::string role;
};

// Every other account `actor` may message, by display name: the candidates (staff of the
// same organisation, the other party of an active care relationship) each checked with
// contact_policy in the same transaction.
Result<std::vector<Contact>> contacts_of(store::Transaction& tx, const Actor& actor);

// The error every refusal answers with (403 "contact_not_permitted").
Error contact_not_permitted();

// Whether an active device of `recipient` still holds an envelope of a message `sender`
// sent to it. Such a message passed the contact policy when the server accepted it; this
// is the one exception to the policy, for reading `sender`'s signed device list only
// (DeviceDirectory::devices_of), so that the recipient can authenticate the sending device
// and read what was accepted before a care relationship ended (docs/messaging.md
// "Devices"). Never for sending, claiming prekeys or listing contacts.
Result<bool> has_pending_messages_from(store::Transaction& tx, std::string_view recipient,
                                       std::string_view sender);

}  // namespace hippocrate::messaging
