// The write of a send job (SendJobs): its sends checked again and stored in one write
// transaction, each answered on its own once that transaction has committed, with one audit
// record per recipient for those stored (docs/messaging.md "Send").
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "messaging/audit_records.h"
#include "messaging/contact_policy.h"
#include "messaging/mailbox_impl.h"
#include "messaging/policy_epoch.h"
#include "messaging/wire_frame.h"

namespace hippocrate::messaging {
namespace {

// The outcomes of a send's checks that concern that send alone: answered to its sender
// while the other sends of its job go on (nothing was written for it yet).
bool is_send_refusal(const Error& e) {
  return e.code() == "message_id_taken" || e.code() == "device_not_found" ||
         e.code() == "no_recipient_devices";
}

}  // namespace

Result<SendResult> Mailbox::Impl::send_in(store::Transaction& tx, const Actor& actor,
                                          const QueuedSend& send, bool& refused,
                                          StoredSends& stored) const {
  const SendRequest& request = *send.request;
  const std::int64_t now = send.now;
  const std::optional<std::int64_t>& passed_at_epoch = send.passed_at_epoch;
  SendResult out;
  out.message_id = request.message_id;
  static constexpr const char* kInsertMessage =
      "INSERT INTO messages (message_id, sender_id, sender_device, recipient_account, "
      "created_at) VALUES (?, ?, ?, ?, ?)";
  static constexpr const char* kInsertMessageUnlessStored =
      "INSERT INTO messages (message_id, sender_id, sender_device, recipient_account, "
      "created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING";
  const store::Params message_row{request.message_id, actor.account_id, request.sender_device,
                                  request.recipient, now};
  // Checks 2–4 passed on a snapshot at an epoch still current (no write of this job moves
  // it, so it is read once per job): only idempotency remains, and the insert itself
  // tells — a conflict means the id is stored already (a retry, or taken by another).
  if (passed_at_epoch) {
    if (!stored.epoch) {
      HIPPO_ASSIGN_OR_RETURN(std::int64_t epoch, read_policy_epoch(tx));
      stored.epoch = epoch;
    }
    if (*stored.epoch == *passed_at_epoch) {
      HIPPO_ASSIGN_OR_RETURN(std::int64_t inserted,
                             tx.execute(kInsertMessageUnlessStored, message_row));
      if (inserted == 0) {
        Precheck existing;
        HIPPO_RETURN_IF_ERROR(find_duplicate(tx, actor, request, existing));
        out.stored_at = existing.stored_at;
        out.duplicate = true;
        return out;
      }
      return store_envelopes(tx, send, stored, out);
    }
  }
  HIPPO_ASSIGN_OR_RETURN(Precheck check, precheck(tx, actor, request));
  // A refusal's own audit record (a stored send's is written with its job's others).
  const std::string resource = detail::account_resource(request.recipient);
  const std::string counts =
      "message=" + request.message_id + ",envelopes=" + std::to_string(request.envelopes.size());
  if (check.duplicate) {
    out.stored_at = check.stored_at;
    out.duplicate = true;
    return out;
  }
  if (!check.decision) {
    refused = true;
    HIPPO_RETURN_IF_ERROR(audit_.append(
        tx,
        detail::record(actor, "message.send", resource, "denied",
                       "reason=" + check.decision.reason + "," + counts, request.sender_device)));
    return out;
  }
  if (check.mismatch) {
    out.mismatch = std::move(check.mismatch);
    HIPPO_RETURN_IF_ERROR(audit_.append(
        tx, detail::record(actor, "message.send", resource, "failed",
                           "reason=device_list_mismatch," + counts, request.sender_device)));
    return out;
  }
  // 5. Store: the message and one mailbox row per envelope; its audit record is written
  // with the job's other sends to the same recipient (write_send_records).
  HIPPO_RETURN_IF_ERROR(tx.execute(kInsertMessage, message_row));
  return store_envelopes(tx, send, stored, out);
}

static_assert(wire::kMaxEnvelopes <= QueuedSend::kMaxAcknowledgeable &&
                  QueuedSend::kMaxAcknowledgeable <= 32,
              "QueuedSend::acknowledged has one bit per envelope");

Result<SendResult> Mailbox::Impl::store_envelopes(store::Transaction& tx, const QueuedSend& send,
                                                  StoredSends& stored, SendResult out) {
  const SendRequest& request = *send.request;
  const std::int64_t now = send.now;
  for (std::size_t i = 0; i < request.envelopes.size(); ++i) {
    // Its device acknowledged it while the job waited: it has it, nothing to store.
    if (send.acknowledged & (std::uint32_t{1} << i)) continue;
    const auto& e = request.envelopes[i];
    auto last = stored.last_seq.find(e.device_id);
    if (last == stored.last_seq.end()) {
      HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COALESCE(MAX(seq), 0) FROM mailbox "
                                                    "WHERE device_id = ?",
                                                    {e.device_id}));
      HIPPO_ASSIGN_OR_RETURN(std::int64_t max_seq, row->int64(0));
      last = stored.last_seq.emplace(e.device_id, max_seq).first;
    }
    HIPPO_RETURN_IF_ERROR(
        tx.execute("INSERT INTO mailbox (device_id, message_id, seq, ciphertext, stored_at) "
                   "VALUES (?, ?, ?, ?, ?)",
                   {e.device_id, request.message_id, last->second + 1, e.ciphertext, now}));
    ++last->second;
  }
  auto group = std::find_if(stored.by_recipient.begin(), stored.by_recipient.end(),
                            [&](const auto& g) { return g.recipient == request.recipient; });
  if (group == stored.by_recipient.end()) {
    group = stored.by_recipient.insert(stored.by_recipient.end(), {request.recipient, {}, 0});
  }
  group->message_ids.push_back(request.message_id);
  group->envelopes += request.envelopes.size();
  out.stored_at = now;
  return out;
}

// One `message.send` record per recipient for the sends a job stored: "message=ID" for
// one, "messages=ID;ID;…" for several (SendJobs bounds a job so the ids fit the detail).
Status Mailbox::Impl::write_send_records(store::Transaction& tx, const Actor& actor,
                                         const std::string& sender_device,
                                         const StoredSends& stored) const {
  for (const auto& g : stored.by_recipient) {
    std::string detail = g.message_ids.size() == 1 ? "message=" : "messages=";
    for (std::size_t i = 0; i < g.message_ids.size(); ++i) {
      if (i > 0) detail += ';';
      detail += g.message_ids[i];
    }
    detail += ",envelopes=" + std::to_string(g.envelopes);
    HIPPO_RETURN_IF_ERROR(audit_.append(
        tx, detail::record(actor, "message.send", detail::account_resource(g.recipient),
                           "succeeded", detail, sender_device)));
  }
  return ok_status();
}

Status Mailbox::Impl::send_job_in(store::Transaction& tx, const Actor& actor,
                                  const std::vector<QueuedSend>& sends,
                                  std::vector<SendOutcome>& outcomes) const {
  outcomes.clear();
  if (sends.empty()) return ok_status();
  outcomes.reserve(sends.size());
  StoredSends stored;
  for (const auto& s : sends) {
    bool refused = false;
    Result<SendResult> r = send_in(tx, actor, s, refused, stored);
    // Anything but a refusal of this send (a storage error) fails the whole job: its
    // transaction rolls back and every send in it is answered with the error.
    if (!r && !is_send_refusal(r.error())) return std::move(r).error();
    outcomes.push_back({std::move(r), refused});
  }
  // Every send of a job names the same sending device (SendJobs' key).
  return write_send_records(tx, actor, sends.front().request->sender_device, stored);
}

void Mailbox::Impl::queue_send_job(const std::shared_ptr<SendJob>& job) {
  struct Running {
    std::vector<QueuedSend> sends;
    std::vector<SendOutcome> outcomes;
  };
  auto running = std::make_shared<Running>();
  store_.write_async(
      [this, job, running](store::Transaction& tx) -> Status {
        for (auto& s : send_jobs_.take(*job)) running->sends.push_back(std::move(s));
        return send_job_in(tx, job->actor(), running->sends, running->outcomes);
      },
      [this, job, running](const Status& status) {
        // A job that never ran (its batch could not begin) is closed and answered here.
        for (auto& s : send_jobs_.take(*job)) running->sends.push_back(std::move(s));
        for (std::size_t i = 0; i < running->sends.size(); ++i) {
          QueuedSend& s = running->sends[i];
          if (!status.ok() || i >= running->outcomes.size()) {
            s.done(status.ok() ? Error::internal("send_not_run", "the send was not run")
                               : status.error());
            continue;
          }
          SendOutcome& o = running->outcomes[i];
          if (o.result && o.refused) {
            s.done(contact_not_permitted());
            continue;
          }
          const bool stored = o.result && !o.result->mismatch;
          if (stored) recent_.add(s.request->message_id);  // stored (now or before)
          // Not delivered early (the snapshot check could not tell yet): deliver now that
          // the message is stored.
          if (stored && !s.pushed && !o.result->duplicate) {
            push_envelopes(job->actor(), *s.request, s.now);
          }
          s.done(std::move(o.result));
        }
      });
}

}  // namespace hippocrate::messaging
