// A send's checks (mailbox_impl.h, Precheck: idempotency, the sender's device, the contact
// policy, the device set) and what lets early delivery skip them: the facts a send's checks
// depend on, and the policy epoch they passed at (docs/messaging.md "Early delivery and
// the policy epoch").
#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "messaging/contact_policy.h"
#include "messaging/devices.h"
#include "messaging/mailbox_impl.h"
#include "messaging/policy_epoch.h"

namespace hippocrate::messaging {

Status Mailbox::Impl::find_duplicate(store::Transaction& tx, const Actor& actor,
                                     const SendRequest& request, Precheck& out) {
  HIPPO_ASSIGN_OR_RETURN(auto existing,
                         tx.query_one("SELECT sender_id, sender_device, created_at FROM "
                                      "messages WHERE message_id = ?",
                                      {request.message_id}));
  if (!existing) return ok_status();
  HIPPO_ASSIGN_OR_RETURN(std::string sender, existing->text(0));
  HIPPO_ASSIGN_OR_RETURN(std::string sender_device, existing->text(1));
  if (sender != actor.account_id || sender_device != request.sender_device) {
    return Error::conflict("message_id_taken", "this message id is already used");
  }
  HIPPO_ASSIGN_OR_RETURN(out.stored_at, existing->int64(2));
  out.duplicate = true;
  return ok_status();
}

Result<Mailbox::Impl::Precheck> Mailbox::Impl::precheck(store::Transaction& tx, const Actor& actor,
                                                        const SendRequest& request) {
  Precheck out;
  HIPPO_ASSIGN_OR_RETURN(out.policy_epoch, read_policy_epoch(tx));
  // 1. A retry of a stored message answers the same, storing nothing.
  HIPPO_RETURN_IF_ERROR(find_duplicate(tx, actor, request, out));
  if (out.duplicate) return out;
  // 2. The sender's own active device.
  HIPPO_RETURN_IF_ERROR(require_own_device(tx, actor, request.sender_device));
  // 3. Who may message whom.
  HIPPO_ASSIGN_OR_RETURN(out.decision, contact_policy(tx, actor, request.recipient));
  if (!out.decision) return out;
  // 4. Exactly one envelope per current device of both parties but the sending one.
  HIPPO_ASSIGN_OR_RETURN(auto recipient_devices, current_devices(tx, request.recipient));
  if (recipient_devices.empty() && request.recipient != actor.account_id) {
    return Error::conflict("no_recipient_devices", "the recipient has no device yet");
  }
  HIPPO_ASSIGN_OR_RETURN(auto sender_devices, current_devices(tx, actor.account_id));
  std::set<std::string> expected(recipient_devices.begin(), recipient_devices.end());
  for (const auto& d : sender_devices) {
    if (d != request.sender_device) expected.insert(d);
  }
  std::set<std::string> given;
  for (const auto& e : request.envelopes) given.insert(e.device_id);
  if (given != expected) {
    out.mismatch =
        DeviceMap{{request.recipient, recipient_devices}, {actor.account_id, sender_devices}};
  }
  return out;
}

// Ids are 32 hex, so '/' separates them.
std::string Mailbox::Impl::passed_key(const Actor& actor, const SendRequest& request) {
  std::vector<std::string_view> devices;
  devices.reserve(request.envelopes.size());
  for (const auto& e : request.envelopes) devices.push_back(e.device_id);
  std::sort(devices.begin(), devices.end());
  std::string key = actor.account_id + "/" + std::string(auth::role_name(actor.role)) + "/" +
                    actor.organisation_id + "/" + request.sender_device + "/" + request.recipient;
  for (auto d : devices) {
    key += '/';
    key += d;
  }
  return key;
}

Result<Mailbox::Impl::Precheck> Mailbox::Impl::checks_since(
    store::Transaction& tx, const Actor& actor, const SendRequest& request,
    std::optional<std::int64_t> passed_at_epoch) {
  if (passed_at_epoch) {
    // Nothing checks 2–4 read has changed since they passed (every change to those rows
    // moves the epoch, in the changing transaction): only idempotency can differ.
    Precheck out;
    HIPPO_ASSIGN_OR_RETURN(out.policy_epoch, read_policy_epoch(tx));
    if (out.policy_epoch == *passed_at_epoch) {
      HIPPO_RETURN_IF_ERROR(find_duplicate(tx, actor, request, out));
      return out;
    }
  }
  return precheck(tx, actor, request);
}

Result<Mailbox::Impl::Precheck> Mailbox::Impl::snapshot_check(store::Transaction& tx,
                                                              const Actor& actor,
                                                              const SendRequest& request,
                                                              const std::string& key) {
  HIPPO_ASSIGN_OR_RETURN(Precheck out, checks_since(tx, actor, request, passed_.epoch_of(key)));
  if (out.passed()) passed_.remember(key, out.policy_epoch);
  return out;
}

}  // namespace hippocrate::messaging
