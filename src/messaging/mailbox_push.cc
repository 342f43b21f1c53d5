// The frames the mailbox hands to devices: `deliver` frames (for a stored envelope, and
// for a send's envelopes pushed live to connected devices through LiveRegistry), and the
// `messages_undelivered` notice pushed to connected senders.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "messaging/mailbox_impl.h"
#include "messaging/wire_frame.h"

namespace hippocrate::messaging {

Result<std::string> Mailbox::deliver_frame(const StoredMessage& m) {
  return wire::encode_deliver(m.message_id, m.sender, m.sender_device,
                              static_cast<std::uint64_t>(m.stored_at), m.ciphertext);
}

void Mailbox::Impl::push_envelopes(const Actor& actor, const SendRequest& r,
                                   std::int64_t now) const {
  for (const auto& e : r.envelopes) {
    auto frame = wire::encode_deliver(r.message_id, actor.account_id, r.sender_device,
                                      static_cast<std::uint64_t>(now), e.ciphertext);
    if (frame) live_.push(e.device_id, std::move(*frame));
  }
}

void Mailbox::Impl::tell_senders(const std::vector<std::string>& sender_devices) {
  // A sender's device connected now hears of it at once; the others at their next fetch.
  if (sender_devices.empty()) return;
  if (auto notice = wire::encode(wire::ErrorFrame{{}, "messages_undelivered", {}})) {
    for (const auto& device : sender_devices) live_.push(device, *notice);
  }
}

}  // namespace hippocrate::messaging
