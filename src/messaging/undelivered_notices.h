// Undelivered notices: a sender is told which of its messages were never received by
// their recipient (docs/messaging.md, "Expiry"). When the retention sweep deletes envelopes
// that the recipient's devices never acknowledged, it records one notice per (device of the
// sender, message) — every current device of the sender, as the person may have moved to
// another — with how many of the recipient's devices missed it; each device lists its
// notices, shows them, and acknowledges them, which deletes them. A notice holds ids and
// times only (no content, which the server never had). Revoking a device deletes its
// notices. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "base/result.h"
#include "messaging/messaging_types.h"
#include "store/store.h"

namespace hippocrate::messaging {

struct UndeliveredNotice {
  std::string message_id;
  std::string recipient;        // account id
  std::int64_t sent_at = 0;     // Unix seconds: when the server stored the message
  std::int64_t devices = 0;     // recipient devices whose envelope expired unread
  std::int64_t expired_at = 0;  // Unix seconds: the sweep that deleted the last of them
};

struct UndeliveredList {
  std::vector<UndeliveredNotice> notices;  // oldest send first
  bool more = false;                        // more notices after these
};

// Inside the expiry's write transaction, before it deletes the envelopes whose mailbox
// keys (device_id, seq) `expiring_keys` (a SELECT with `params`) returns: records or adds to the notices
// of every current device of their senders. Only envelopes addressed to a device of the
// message's recipient count (not the sender's own other devices); a message to oneself
// gives none. Returns the devices that got a notice.
Result<std::vector<std::string>> record_undelivered(store::Transaction& tx,
                                                    std::string_view expiring_keys,
                                                    const store::Params& params,
                                                    std::int64_t now);

// The number of notices waiting for `device_id` (no check of who asks: callers have
// checked the device is the actor's).
Result<std::int64_t> count_undelivered(store::Transaction& tx, const std::string& device_id);

class UndeliveredNotices {
 public:
  UndeliveredNotices(store::Store& store, const audit::AuditLog& audit)
      : store_(store), audit_(audit) {}

  // The notices of the actor's own active device, at most `limit` (1..kMaxFetch). Audited
  // ("message.undelivered": the count).
  Result<UndeliveredList> list(const Actor& actor, const std::string& device_id,
                               std::size_t limit);
  // Deletes the device's notices for these messages (1..kMaxAck ids); returns how many.
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
