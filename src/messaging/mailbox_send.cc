// A send's way in (docs/messaging.md "Send", "Early delivery and the policy epoch"): the
// request validated, its checks run on a read snapshot (or skipped when the same facts
// passed at the policy epoch committed last), its envelopes delivered early when they
// pass, and the send added to its sender's job (SendJobs) for the write
// (mailbox_send_write.cc), which answers it.
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "base/ids.h"
#include "messaging/mailbox_impl.h"
#include "messaging/wire_frame.h"

namespace hippocrate::messaging {
namespace {

Status validate(const SendRequest& r) {
  if (!is_valid_id(r.message_id))
    return detail::invalid_field("message_id", "must be 32 lower-case hex");
  if (!is_valid_id(r.recipient)) return detail::invalid_field("recipient", "must be an account id");
  if (!is_valid_id(r.sender_device))
    return detail::invalid_field("sender_device", "must be a device id");
  if (r.envelopes.empty() || r.envelopes.size() > wire::kMaxEnvelopes) {
    return detail::invalid_field("envelopes", "must hold 1 to 32 envelopes");
  }
  std::set<std::string> seen;
  for (const auto& e : r.envelopes) {
    if (!is_valid_id(e.device_id))
      return detail::invalid_field("envelopes", "device ids must be 32 hex");
    if (!seen.insert(e.device_id).second)
      return detail::invalid_field("envelopes", "name a device twice");
    if (e.ciphertext.empty() || e.ciphertext.size() > wire::kMaxCiphertextBytes) {
      return detail::invalid_field("envelopes", "ciphertexts must hold 1 to 65536 bytes");
    }
  }
  return ok_status();
}

}  // namespace

void Mailbox::send_async(const Actor& actor, SendRequest request,
                         std::function<void(Result<SendResult>)> done) {
  if (auto valid = validate(request); !valid) return done(std::move(valid).error());
  Impl& m = *impl_;
  const std::int64_t now = unix_seconds(m.clock_.now());
  auto req = std::make_shared<const SendRequest>(std::move(request));
  // Early delivery: the same checks as the write, on the latest committed snapshot (a read
  // never waits for the writer). When they pass, the envelopes go to the devices connected
  // now, while the write is queued and made durable; the sender's answer waits for the
  // commit. The write checks again (checks 2–4 only if the policy epoch moved since they
  // passed): if it then refuses (a relationship ended in the meantime) or fails, the sender
  // is told; recipients de-duplicate by message id.
  const std::string key = Impl::passed_key(actor, *req);
  std::optional<std::int64_t> passed_at_epoch;
  if (auto at = m.passed_.epoch_of(key);
      at && at == m.committed_epoch_.value() && !m.recent_.contains(req->message_id)) {
    // The same facts passed at the epoch committed last (CommittedPolicyEpoch): nothing
    // the checks read has changed since, so no snapshot is read. A retry of a message
    // stored recently is recognised (recent_) and goes to the snapshot check; one of an
    // older message would be pushed again, and its receivers de-duplicate it by id
    // (delivery is at-least-once). The write decides idempotency either way.
    passed_at_epoch = at;
    m.early_without_read_.fetch_add(1, std::memory_order_relaxed);
  } else {
    auto early = m.store_.read(
        [&](store::Transaction& tx) { return m.snapshot_check(tx, actor, *req, key); });
    if (early && early->passed()) passed_at_epoch = early->policy_epoch;
  }
  QueuedSend queued{.request = req,
                    .now = now,
                    .passed_at_epoch = passed_at_epoch,
                    .pushed = passed_at_epoch.has_value(),
                    .done = std::move(done)};
  // Waiting in its job before it is pushed: an acknowledgement that comes back at once
  // finds it there (SendJobs::acknowledge), and the envelope is then never stored.
  const bool push = queued.pushed;
  auto job = m.send_jobs_.add(actor, std::move(queued));
  if (push) m.push_envelopes(actor, *req, now);
  if (job) m.queue_send_job(job);
}

Result<SendResult> Mailbox::send(const Actor& actor, const SendRequest& request) {
  std::promise<Result<SendResult>> promise;
  auto future = promise.get_future();
  send_async(actor, request, [&promise](Result<SendResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

}  // namespace hippocrate::messaging
