// Receiving (docs/protocol.md §4–5, docs/messaging.md "Fetch and acknowledge",
// "Refusal"): one delivered envelope opened against the sender's verified device list, and
// what the device then tells the server — acknowledge, refuse with a reason, or leave it
// for the next try. Pure: the caller fetched the envelope and the sender's listing, and
// commits the KeystoreData (sessions, prekeys, seen ids) before acknowledging.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "base/error.h"
#include "base/result.h"
#include "client/keystore.h"
#include "e2ee/device_list.h"
#include "e2ee/message_content.h"

namespace hippocrate::client {

struct Incoming {
  std::string message_id;
  std::string sender;
  std::string sender_device;
  std::int64_t stored_at = 0;
  Bytes ciphertext;
};

struct Opened {
  Incoming meta;
  std::optional<e2ee::MessageContent> content;  // set: decrypted
  std::optional<Error> error;                   // set: not read (an e2ee_* code, or why not)
  // Set (and neither of the above): this device already received and decrypted a message
  // with this id (KeystoreData::seen_messages) — a redelivery, to acknowledge and not show.
  bool duplicate = false;
  // With `error`: the sender could not be verified (their signed device list could not be
  // read or checked, or does not name the sending device), so the message was not
  // decrypted at all — as opposed to a message that failed to decrypt (altered).
  bool sender_unverified = false;
};

// The envelopes of an answer of GET /api/v1/devices/{id}/messages ({"messages": [...]});
// an entry that is not an object is skipped, a ciphertext that does not decode is empty
// (it then fails to decrypt and is refused).
std::vector<Incoming> parse_incoming(const boost::json::object& answer);

// At-least-once delivery: a message already decrypted comes again when its ack was lost.
// Only ids of decrypted messages are recorded (the id inside the ciphertext equals the
// server's), so an altered or forged envelope never marks an id as received. Check this
// first: a duplicate needs no device list.
bool already_received(const KeystoreData& data, const std::string& message_id);
Opened duplicate_of(const Incoming& in);

// The message when its sender could not be verified (`why`: the error of the listing or of
// its check): not decrypted, `sender_unverified`.
Opened unverified_sender(const Incoming& in, Error why);

// Decrypts `in` with the sender's signed device list into `data` (advanced only on
// success: the session, the used one-time prekey, the message id added to seen_messages).
// A sending device the list does not name gives e2ee_unknown_device, `sender_unverified`.
Opened open_envelope(KeystoreData& data, const Incoming& in, const e2ee::DeviceList& sender_list,
                     std::uint64_t now_seconds);

// Whether a received message is settled — decrypted, already received (a duplicate), or
// refused for good (an e2ee_* error) — and so is answered to the server now (acknowledged
// or refused). Anything else (the network, the server, a sender the server will not
// describe now) may pass: the message stays on the server for the next try.
bool settled(const Opened& o);
// Whether it could not be read (an error other than a replay, which was shown before).
bool unreadable(const Opened& o);
// The reason a settled message that can never be read is refused rather than acknowledged,
// so that its sender is told (POST .../messages/refuse): "sender_unverified" when its
// sender could not be verified, else "undecryptable". Nullopt for every other message.
std::optional<std::string> refusal_reason(const Opened& o);

}  // namespace hippocrate::client
