// Mailbox::refuse: a recipient device gives back envelopes it can never read, and their
// senders are told why (docs/messaging.md, "Refusal").
#include <string>

#include "messaging/audit_records.h"
#include "messaging/devices.h"
#include "messaging/mailbox_impl.h"
#include "messaging/undelivered_notices.h"

namespace hippocrate::messaging {

Result<std::int64_t> Mailbox::refuse(const Actor& actor, const std::string& device_id,
                                     const std::vector<std::string>& message_ids,
                                     UndeliveredReason reason) {
  HIPPO_RETURN_IF_ERROR(validate_ack(message_ids));
  if (reason == UndeliveredReason::kExpired) {
    return Error::invalid_argument("invalid_field",
                                   "the field 'reason' must be undecryptable or sender_unverified");
  }
  std::vector<std::string> senders;  // the senders' devices given an undelivered notice
  auto refused = impl_->store_.write([&](store::Transaction& tx) -> Result<std::int64_t> {
    HIPPO_RETURN_IF_ERROR(require_own_device(tx, actor, device_id));
    // This device's envelopes of these messages (unknown ids, or another device's, match
    // nothing), by their mailbox key: the same rows for the notices and the deletion.
    std::string keys = "SELECT device_id, seq FROM mailbox WHERE device_id = ? AND message_id IN (";
    store::Params params{device_id};
    for (std::size_t i = 0; i < message_ids.size(); ++i) {
      keys += i == 0 ? "?" : ", ?";
      params.emplace_back(message_ids[i]);
    }
    keys += ")";
    HIPPO_ASSIGN_OR_RETURN(
        senders, record_undelivered(tx, keys, params, reason, unix_seconds(impl_->clock_.now())));
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t deleted,
        tx.execute("DELETE FROM mailbox WHERE (device_id, seq) IN (" + keys + ")", params));
    HIPPO_RETURN_IF_ERROR(impl_->audit_.append(
        tx, detail::record(actor, "message.refuse", detail::device_resource(device_id), "succeeded",
                           "count=" + std::to_string(deleted) +
                               ",reason=" + std::string(reason_name(reason)) +
                               ",senders_told=" + std::to_string(senders.size()),
                           device_id)));
    return deleted;
  });
  if (refused) impl_->tell_senders(senders);
  return refused;
}

}  // namespace hippocrate::messaging
