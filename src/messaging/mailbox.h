// Mailbox: sending a message (one envelope per device), per-device mailboxes, fetch and
// ack-then-delete, and the live push of new envelopes (docs/messaging.md "Send", "Fetch").
//
// A send is ONE write transaction: idempotency check, sender device, contact policy,
// device-set check, message row, one mailbox row per envelope, audit record. Only after
// its durable commit are the envelopes pushed to connected devices (LiveRegistry), so no
// device ever sees a message that could still roll back.
//
// Errors: "device_not_found" (404), "contact_not_permitted" (403, the refusal audited),
// "message_id_taken", "no_recipient_devices" (409), "invalid_field" (400). A device-set
// mismatch is not an Error: SendResult::mismatch holds the current devices (audited as a
// failed send). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "base/clock.h"
#include "messaging/live_registry.h"
#include "messaging/messaging_types.h"
#include "store/store.h"

namespace hippocrate::messaging {

struct Envelope {
  std::string device_id;
  Bytes ciphertext;  // opaque, 1..64 KiB
};

struct SendRequest {
  std::string message_id;  // chosen by the sender: 32 hex
  std::string recipient;   // account id
  std::string sender_device;
  std::vector<Envelope> envelopes;  // 1..32
};

struct SendResult {
  std::string message_id;
  std::int64_t stored_at = 0;
  bool duplicate = false;             // a retry of a message already stored
  std::optional<DeviceMap> mismatch;  // set: refused, nothing stored
};

struct StoredMessage {
  std::string message_id;
  std::string sender;
  std::string sender_device;
  std::int64_t stored_at = 0;
  std::int64_t seq = 0;  // the device's mailbox order
  Bytes ciphertext;
};

struct FetchResult {
  std::vector<StoredMessage> messages;
  bool more = false;  // more are pending after the last one
};

class Mailbox {
 public:
  Mailbox(store::Store& store, const Clock& clock, const audit::AuditLog& audit,
          LiveRegistry& live)
      : store_(store), clock_(clock), audit_(audit), live_(live) {}

  Result<SendResult> send(const Actor& actor, const SendRequest& request);
  // The device's pending envelopes with seq > after_seq, oldest first, at most `limit`
  // (1..kMaxFetch). Audited ("message.fetch", `via` = "http" | "socket").
  Result<FetchResult> fetch(const Actor& actor, const std::string& device_id, std::size_t limit,
                            std::string_view via, std::int64_t after_seq = 0);
  // Deletes the device's envelopes of these messages; returns how many were deleted.
  Result<std::int64_t> ack(const Actor& actor, const std::string& device_id,
                           const std::vector<std::string>& message_ids);

  // The `deliver` frame (wire_frame.h) for one stored envelope.
  static Result<std::string> deliver_frame(const StoredMessage& message);

 private:
  store::Store& store_;
  const Clock& clock_;
  const audit::AuditLog& audit_;
  LiveRegistry& live_;
};

}  // namespace hippocrate::messaging
