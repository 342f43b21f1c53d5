#include "client/engine/receive.h"

#include "base/encoding.h"
#include "client/engine/json_fields.h"
#include "e2ee/errors.h"
#include "e2ee/session_cipher.h"

namespace hippocrate::client {

std::vector<Incoming> parse_incoming(const boost::json::object& answer) {
  std::vector<Incoming> out;
  const auto* list = answer.if_contains("messages");
  if (list == nullptr || !list->is_array()) return out;
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    auto ciphertext = base64url_decode(json_string(o, "ciphertext"));
    out.push_back({json_string(o, "message_id"), json_string(o, "sender"),
                   json_string(o, "sender_device"), json_int(o, "stored_at"),
                   ciphertext ? std::move(*ciphertext) : Bytes{}});
  }
  return out;
}

bool already_received(const KeystoreData& data, const std::string& message_id) {
  return data.seen_messages.contains(message_id);
}

Opened duplicate_of(const Incoming& in) {
  Opened out{in, std::nullopt, std::nullopt};
  out.duplicate = true;
  return out;
}

Opened unverified_sender(const Incoming& in, Error why) {
  Opened out{in, std::nullopt, std::move(why)};
  out.sender_unverified = true;
  return out;
}

Opened open_envelope(KeystoreData& data, const Incoming& in, const e2ee::DeviceList& sender_list,
                     std::uint64_t now_seconds) {
  Opened out{in, std::nullopt, std::nullopt};
  const auto* sender = e2ee::find_device(sender_list, in.sender_device);
  if (sender == nullptr) return unverified_sender(in, e2ee::errors::unknown_device());
  const e2ee::DeviceAddress address{in.sender, in.sender_device};
  const auto existing = data.sessions.find(address);
  auto r = e2ee::decrypt_message(data.device, data.prekeys, *sender,
                                 existing == data.sessions.end() ? nullptr : &existing->second,
                                 in.ciphertext, now_seconds);
  if (!r) {
    out.error = r.error();
    return out;
  }
  if (r->content.message_id != in.message_id) {
    // Not recorded: the session stays as it was for the genuine messages.
    out.error = e2ee::errors::malformed("the message id inside differs from the server's");
    return out;
  }
  data.sessions.insert_or_assign(address, r->session);
  if (r->used_one_time_prekey) {
    data.prekeys = e2ee::without_one_time_prekey(data.prekeys, *r->used_one_time_prekey);
  }
  data.seen_messages.insert(in.message_id);
  out.content = std::move(r->content);
  return out;
}

bool settled(const Opened& o) {
  if (o.content || o.duplicate) return true;
  // Only a message that can never become readable is answered: its bytes or its sender's
  // signed list fail the protocol's checks. A sender the server will not describe now
  // (contact_not_permitted, no device list) may be described later: the message stays,
  // and if it never opens the retention sweep tells its sender (docs/messaging.md "Expiry").
  return o.error->code().starts_with("e2ee_");
}

bool unreadable(const Opened& o) { return o.error && o.error->code() != "e2ee_replay"; }

std::optional<std::string> refusal_reason(const Opened& o) {
  if (!settled(o) || !unreadable(o)) return std::nullopt;
  return o.sender_unverified ? "sender_unverified" : "undecryptable";
}

}  // namespace hippocrate::client
