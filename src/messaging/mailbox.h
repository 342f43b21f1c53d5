// Mailbox: sending a message (one envelope per device), per-device mailboxes, fetch and
// ack-then-delete, and the live push of new envelopes (docs/messaging.md "Send", "Fetch").
//
// A send is written in ONE write transaction: idempotency check, sender device, contact
// policy, device-set check, message row, one mailbox row per envelope, audit record. The
// sends of one sender waiting for the writer share a job (SendJobs): each is checked and
// answered on its own, and the stored ones share one audit record per recipient. The same
// checks first run on a read snapshot, or not at all when a send with the same facts passed
// at the policy epoch committed last; when they pass, the envelopes are pushed to the
// connected devices (LiveRegistry) at once, while the write waits for its group commit —
// delivery latency does not include the queue nor the fsync. The write repeats checks 2–4
// only if the policy epoch has moved since they passed. The sender's answer waits for the
// commit. If the write then refuses or fails, the sender is told and retries with the same
// message id, so a device may see a message id twice: clients de-duplicate by id.
//
// Send, fetch and ack have an asynchronous form (`*_async`, the callback runs on the
// store's writer thread: keep it short, never call a synchronous store write from it) used
// by the WebSocket path so an I/O thread never waits for an fsync, and a synchronous one;
// refuse and the retention sweeps are synchronous.
//
// Errors: "device_not_found" (404), "contact_not_permitted" (403, the refusal audited),
// "message_id_taken", "no_recipient_devices" (409), "invalid_field" (400). A device-set
// mismatch is not an Error: SendResult::mismatch holds the current devices (audited as a
// failed send). Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/result.h"
#include "messaging/messaging_types.h"
#include "messaging/undelivered_notices.h"  // UndeliveredReason
#include "store/store.h"

namespace hippocrate::messaging {

class LiveRegistry;

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
  // Envelopes for this device deleted unread by expire_undelivered since the device was
  // last told (a fetch with `report_expired`, which resets the count).
  std::int64_t expired = 0;
  // Notices waiting for this device as a sender: its messages that a recipient never
  // received (undelivered_notices.h); listed and acknowledged apart.
  std::int64_t undelivered = 0;
};

class Mailbox {
 public:
  // `store`, `clock`, `audit` and `live` must outlive it.
  Mailbox(store::Store& store, const Clock& clock, const audit::AuditLog& audit,
          LiveRegistry& live);
  ~Mailbox();
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  Result<SendResult> send(const Actor& actor, const SendRequest& request);
  void send_async(const Actor& actor, SendRequest request,
                  std::function<void(Result<SendResult>)> done);
  // The device's pending envelopes with seq > after_seq, oldest first, at most `limit`
  // (1..kMaxFetch). Audited ("message.fetch", `via` = "http" | "socket"). Both forms
  // report the device's expired count; `report_expired` also resets it (in the same
  // transaction): the caller shows it to the user.
  Result<FetchResult> fetch(const Actor& actor, const std::string& device_id, std::size_t limit,
                            std::string_view via, std::int64_t after_seq = 0,
                            bool report_expired = false);
  void fetch_async(const Actor& actor, const std::string& device_id, std::size_t limit,
                   std::string_view via, std::int64_t after_seq,
                   std::function<void(Result<FetchResult>)> done);
  // Deletes the device's envelopes of these messages; returns how many were deleted.
  Result<std::int64_t> ack(const Actor& actor, const std::string& device_id,
                           const std::vector<std::string>& message_ids);
  // `acknowledged_before_write`: how many further ids of this device's acknowledgement
  // were taken by acknowledge_before_write (counted in the result and the audit record;
  // `message_ids` may then be empty).
  void ack_async(const Actor& actor, const std::string& device_id,
                 std::vector<std::string> message_ids, std::int64_t acknowledged_before_write,
                 std::function<void(Result<std::int64_t>)> done);
  // An acknowledgement's ids whose envelope for `device_id` was delivered early and is
  // still waiting for its write (SendJobs::acknowledge): that envelope will not be stored
  // at all. Removes them from `message_ids` (the rest are in the mailbox, or unknown) and
  // returns how many; a malformed list (see validate_ack) is left whole. The caller must
  // have authenticated `device_id` as the acknowledging actor's own device (its socket does
  // so on opening): only that device's envelopes are dropped. The acknowledgement is then
  // audited by ack_async with that count.
  std::int64_t acknowledge_before_write(const std::string& device_id,
                                        std::vector<std::string>& message_ids);

  // A retry with a message id is recognised (answered as the original, stored once) for
  // kRetryWindow after the send. Then the `messages` row of a message that no mailbox holds
  // any more is deleted: prune_delivered(now) deletes up to `limit` of them, oldest first,
  // with one audit record ("message.prune", the count) when it deleted any. Returns the count.
  static constexpr std::int64_t kRetryWindowSeconds = 7 * 24 * 3600;
  Result<std::int64_t> prune_delivered(std::int64_t now, std::int64_t limit = 10'000);

  // Deletes up to `limit` envelopes stored more than `max_age_seconds` before `now` and never
  // acknowledged, oldest first; adds them to their devices' expired counts and tells the
  // senders (record_undelivered: a notice for each of their devices, and a
  // `messages_undelivered` error frame to those connected now), with one audit record
  // ("message.expire": count, devices, sender devices told) when it deleted any. Returns
  // the count.
  // The scan reads the whole mailbox, oldest stored_at first (no index on stored_at: an
  // index is a page written per envelope): the mailbox holds only unacknowledged envelopes.
  Result<std::int64_t> expire_undelivered(std::int64_t now, std::int64_t max_age_seconds,
                                          std::int64_t limit = 10'000);

  // A recipient device refuses envelopes it can never read (they fail to decrypt, or the
  // sender's signed device list fails its checks): deletes the device's envelopes of these
  // messages (1..kMaxAck ids; unknown ones count nothing, as in ack) and tells their
  // senders why (record_undelivered with `reason`, and a `messages_undelivered` error
  // frame to their devices connected now), with one audit record ("message.refuse":
  // count, reason, sender devices told). `reason` is not kExpired ("invalid_field");
  // "device_not_found" when the device is not the actor's active one. Returns the count
  // deleted. An envelope delivered early on the socket and not written yet is not there
  // to refuse: it is delivered again later (docs/messaging.md "Refusal").
  Result<std::int64_t> refuse(const Actor& actor, const std::string& device_id,
                              const std::vector<std::string>& message_ids,
                              UndeliveredReason reason);

  // Sends delivered early without reading a snapshot: their facts had passed at the
  // policy epoch committed last (docs/messaging.md, "Early delivery"). For tests and
  // diagnosis.
  std::uint64_t early_deliveries_without_read() const;

  // The `deliver` frame (wire_frame.h) for one stored envelope.
  static Result<std::string> deliver_frame(const StoredMessage& message);
  // OK for 1..kMaxAck well-formed message ids; else "invalid_field".
  static Status validate_ack(const std::vector<std::string>& message_ids);

 private:
  // Its state and the steps its operations share (mailbox_impl.h, seen by the mailbox_*.cc
  // files alone).
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hippocrate::messaging
