// Acknowledging envelopes: the device has them, they are deleted from its mailbox (or,
// delivered early and still waiting for their write, never stored); audited as
// "message.ack".
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/ids.h"
#include "messaging/device_ack.h"
#include "messaging/mailbox_impl.h"

namespace hippocrate::messaging {

Status Mailbox::validate_ack(const std::vector<std::string>& message_ids) {
  if (message_ids.empty() || message_ids.size() > kMaxAck) {
    return detail::invalid_field("message_ids", "must hold 1 to 100 ids");
  }
  for (const auto& id : message_ids) {
    if (!is_valid_id(id))
      return detail::invalid_field("message_ids", "must hold 32-hex message ids");
  }
  return ok_status();
}

Result<std::int64_t> Mailbox::Impl::ack_in(store::Transaction& tx, const Actor& actor,
                                           const std::string& device_id,
                                           const std::vector<std::string>& message_ids,
                                           std::int64_t acknowledged_before_write) const {
  // The mailbox is keyed by (device, seq): the envelope is found by scanning the device's
  // envelopes in order, stopping at the first match (a message has one envelope per device;
  // acks come oldest first, so it is usually the first row), then deleted by its key.
  return detail::delete_acknowledged(
      tx, audit_, actor, device_id, message_ids,
      "DELETE FROM mailbox WHERE (device_id, seq) = (SELECT device_id, seq FROM mailbox "
      "WHERE device_id = ? AND message_id = ? LIMIT 1)",
      "message.ack", acknowledged_before_write);
}

void Mailbox::ack_async(const Actor& actor, const std::string& device_id,
                        std::vector<std::string> message_ids,
                        std::int64_t acknowledged_before_write,
                        std::function<void(Result<std::int64_t>)> done) {
  if (acknowledged_before_write < 0) {
    return done(Error::internal("invalid_ack_count", "a negative acknowledgement count"));
  }
  // No ids left is fine when acknowledge_before_write took them all: still audited.
  if (!message_ids.empty() || acknowledged_before_write == 0) {
    if (auto valid = validate_ack(message_ids); !valid) return done(std::move(valid).error());
  }
  store::write_async_result<std::int64_t>(
      impl_->store_,
      [impl = impl_.get(), actor, device_id, ids = std::move(message_ids),
       acknowledged_before_write](store::Transaction& tx) {
        return impl->ack_in(tx, actor, device_id, ids, acknowledged_before_write);
      },
      std::move(done));
}

std::int64_t Mailbox::acknowledge_before_write(const std::string& device_id,
                                               std::vector<std::string>& message_ids) {
  // A malformed acknowledgement takes nothing: ack_async then refuses all of it, so no
  // envelope goes unwritten without its audit record.
  if (!validate_ack(message_ids).ok()) return 0;
  return impl_->send_jobs_.acknowledge(message_ids, device_id);
}

Result<std::int64_t> Mailbox::ack(const Actor& actor, const std::string& device_id,
                                  const std::vector<std::string>& message_ids) {
  HIPPO_RETURN_IF_ERROR(validate_ack(message_ids));
  return impl_->store_.write(
      [&](store::Transaction& tx) { return impl_->ack_in(tx, actor, device_id, message_ids); });
}

}  // namespace hippocrate::messaging
