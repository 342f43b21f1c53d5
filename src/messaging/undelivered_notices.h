// Undelivered notices: a sender is told which of its messages were never received by
// their recipient, and why (docs/messaging.md, "Expiry" and "Refusal"). When the retention
// sweep deletes envelopes that the recipient's devices never acknowledged, or a recipient
// device refuses envelopes it can never read (Mailbox::refuse), one notice is recorded per
// (device of the sender, message, reason) — every current device of the sender, as the
// person may have moved to another — with how many of the recipient's devices missed it;
// each device lists its notices, shows them, and acknowledges them, which deletes them. A
// notice holds ids, times and the reason only (no content, which the server never had).
// Revoking a device deletes its notices. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "base/result.h"
#include "messaging/messaging_types.h"
#include "store/store.h"

namespace hippocrate::messaging {

// Why a message was not received (the stable words of the API and the `reason` column).
enum class UndeliveredReason {
  kExpired,           // "expired": deleted unread after the retention period
  kUndecryptable,     // "undecryptable": a recipient device could not decrypt it
  kSenderUnverified,  // "sender_unverified": a recipient device could not verify the
                      // sending device against the sender's signed device list
};
std::string_view reason_name(UndeliveredReason reason);
// The reason a recipient device may give when refusing ("undecryptable",
// "sender_unverified"); nullopt for any other word ("expired" is the sweep's alone).
std::optional<UndeliveredReason> refusal_reason(std::string_view name);

struct UndeliveredNotice {
  std::string message_id;
  std::string recipient;     // account id
  std::int64_t sent_at = 0;  // Unix seconds: when the server stored the message
  UndeliveredReason reason = UndeliveredReason::kExpired;
  std::int64_t devices = 0;     // recipient devices that did not receive it for `reason`
  std::int64_t expired_at = 0;  // Unix seconds: when the last of them was recorded (the
                                // sweep that deleted it, or the refusal)
};

struct UndeliveredList {
  std::vector<UndeliveredNotice> notices;  // oldest send first, then by reason
  bool more = false;                       // more messages' notices after these
};

// Inside the expiry's or the refusal's write transaction, before it deletes the envelopes
// whose mailbox keys (device_id, seq) `undelivered_keys` (a SELECT with `params`) returns:
// records or adds to the notices, for `reason`, of every current device of their senders.
// Only envelopes addressed to a device of the message's recipient count (not the sender's
// own other devices); a message to oneself gives none. Returns the devices that got a
// notice.
Result<std::vector<std::string>> record_undelivered(store::Transaction& tx,
                                                    std::string_view undelivered_keys,
                                                    const store::Params& params,
                                                    UndeliveredReason reason, std::int64_t now);

// The number of notices waiting for `device_id` (no check of who asks: callers have
// checked the device is the actor's).
Result<std::int64_t> count_undelivered(store::Transaction& tx, const std::string& device_id);

class UndeliveredNotices {
 public:
  UndeliveredNotices(store::Store& store, const audit::AuditLog& audit)
      : store_(store), audit_(audit) {}

  // The notices of the actor's own active device, for at most `limit` messages
  // (1..kMaxFetch), each with all its reasons (a page never splits a message). Audited
  // ("message.undelivered": the count of notices).
  Result<UndeliveredList> list(const Actor& actor, const std::string& device_id, std::size_t limit);
  // Deletes the device's notices for these messages (1..kMaxAck ids, every reason);
  // returns how many.
  // Audited ("message.undelivered_ack": the count).
  Result<std::int64_t> ack(const Actor& actor, const std::string& device_id,
                           const std::vector<std::string>& message_ids);
  // Deletes up to `limit` notices recorded more than `max_age_seconds` before `now` and
  // never acknowledged (a device that does not come back), oldest first, with one
  // audit record ("message.undelivered_expire": the count) when it deleted any. Returns
  // the count. Run by the retention sweep with the envelopes' retention period.
  Result<std::int64_t> expire(std::int64_t now, std::int64_t max_age_seconds,
                              std::int64_t limit = 10'000);

 private:
  store::Store& store_;
  const audit::AuditLog& audit_;
};

}  // namespace hippocrate::messaging
