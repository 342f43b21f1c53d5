#include "messaging/mailbox.h"

#include <algorithm>
#include <future>
#include <memory>
#include <set>

#include "base/ids.h"
#include "messaging/audit_records.h"
#include "messaging/contact_policy.h"
#include "messaging/device_ack.h"
#include "messaging/devices.h"
#include "messaging/policy_epoch.h"
#include "messaging/send_jobs.h"
#include "messaging/undelivered_notices.h"
#include "messaging/wire_frame.h"
#include "store/row_page.h"

namespace hippocrate::messaging {
namespace {

Error invalid(std::string_view field, std::string_view what) {
  return Error::invalid_argument("invalid_field",
                                 "the field '" + std::string(field) + "' " + std::string(what));
}

Status validate(const SendRequest& r) {
  if (!is_valid_id(r.message_id)) return invalid("message_id", "must be 32 lower-case hex");
  if (!is_valid_id(r.recipient)) return invalid("recipient", "must be an account id");
  if (!is_valid_id(r.sender_device)) return invalid("sender_device", "must be a device id");
  if (r.envelopes.empty() || r.envelopes.size() > wire::kMaxEnvelopes) {
    return invalid("envelopes", "must hold 1 to 32 envelopes");
  }
  std::set<std::string> seen;
  for (const auto& e : r.envelopes) {
    if (!is_valid_id(e.device_id)) return invalid("envelopes", "device ids must be 32 hex");
    if (!seen.insert(e.device_id).second) return invalid("envelopes", "name a device twice");
    if (e.ciphertext.empty() || e.ciphertext.size() > wire::kMaxCiphertextBytes) {
      return invalid("envelopes", "ciphertexts must hold 1 to 65536 bytes");
    }
  }
  return ok_status();
}

}  // namespace

Result<std::string> Mailbox::deliver_frame(const StoredMessage& m) {
  return wire::encode_deliver(m.message_id, m.sender, m.sender_device,
                              static_cast<std::uint64_t>(m.stored_at), m.ciphertext);
}

Status Mailbox::find_duplicate(store::Transaction& tx, const Actor& actor,
                               const SendRequest& request, Precheck& out) {
  HIPPO_ASSIGN_OR_RETURN(auto existing,
                         tx.query_one("SELECT sender_id, sender_device, created_at FROM "
                                      "messages WHERE message_id = ?",
                                      {request.message_id}));
  if (!existing) return ok_status();
  HIPPO_ASSIGN_OR_RETURN(std::string sender, existing->text(0));
  HIPPO_ASSIGN_OR_RETURN(std::string sender_device, existing->text(1));
  if (sender != actor.account_id || sender_device != request.sender_device) {
    return Error::conflict("message_id_taken", "this message id is already used");
  }
  HIPPO_ASSIGN_OR_RETURN(out.stored_at, existing->int64(2));
  out.duplicate = true;
  return ok_status();
}

Result<Mailbox::Precheck> Mailbox::precheck(store::Transaction& tx, const Actor& actor,
                                            const SendRequest& request) {
  Precheck out;
  HIPPO_ASSIGN_OR_RETURN(out.policy_epoch, read_policy_epoch(tx));
  // 1. A retry of a stored message answers the same, storing nothing.
  HIPPO_RETURN_IF_ERROR(find_duplicate(tx, actor, request, out));
  if (out.duplicate) return out;
  // 2. The sender's own active device.
  HIPPO_RETURN_IF_ERROR(require_own_device(tx, actor, request.sender_device));
  // 3. Who may message whom.
  HIPPO_ASSIGN_OR_RETURN(out.decision, contact_policy(tx, actor, request.recipient));
  if (!out.decision) return out;
  // 4. Exactly one envelope per current device of both parties but the sending one.
  HIPPO_ASSIGN_OR_RETURN(auto recipient_devices, current_devices(tx, request.recipient));
  if (recipient_devices.empty() && request.recipient != actor.account_id) {
    return Error::conflict("no_recipient_devices", "the recipient has no device yet");
  }
  HIPPO_ASSIGN_OR_RETURN(auto sender_devices, current_devices(tx, actor.account_id));
  std::set<std::string> expected(recipient_devices.begin(), recipient_devices.end());
  for (const auto& d : sender_devices) {
    if (d != request.sender_device) expected.insert(d);
  }
  std::set<std::string> given;
  for (const auto& e : request.envelopes) given.insert(e.device_id);
  if (given != expected) {
    out.mismatch = DeviceMap{{request.recipient, recipient_devices},
                             {actor.account_id, sender_devices}};
  }
  return out;
}

namespace {

// The outcomes of a send's checks that concern that send alone: answered to its sender
// while the other sends of its job go on (nothing was written for it yet).
bool is_send_refusal(const Error& e) {
  return e.code() == "message_id_taken" || e.code() == "device_not_found" ||
         e.code() == "no_recipient_devices";
}

}  // namespace

Result<SendResult> Mailbox::send_in(store::Transaction& tx, const Actor& actor,
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
      HIPPO_ASSIGN_OR_RETURN(
          std::int64_t inserted,
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
  const std::string counts = "message=" + request.message_id +
                             ",envelopes=" + std::to_string(request.envelopes.size());
  if (check.duplicate) {
    out.stored_at = check.stored_at;
    out.duplicate = true;
    return out;
  }
  if (!check.decision) {
    refused = true;
    HIPPO_RETURN_IF_ERROR(audit_.append(
        tx, detail::record(actor, "message.send", resource, "denied",
                           "reason=" + check.decision.reason + "," + counts,
                           request.sender_device)));
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

Result<SendResult> Mailbox::store_envelopes(store::Transaction& tx, const QueuedSend& send,
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
    HIPPO_RETURN_IF_ERROR(tx.execute(
        "INSERT INTO mailbox (device_id, message_id, seq, ciphertext, stored_at) "
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
Status Mailbox::write_send_records(store::Transaction& tx, const Actor& actor,
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

Status Mailbox::send_job_in(store::Transaction& tx, const Actor& actor,
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

void Mailbox::queue_send_job(std::shared_ptr<SendJob> job) {
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
      [this, job, running](Status status) {
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

void Mailbox::push_envelopes(const Actor& actor, const SendRequest& r, std::int64_t now) const {
  for (const auto& e : r.envelopes) {
    auto frame = wire::encode_deliver(r.message_id, actor.account_id, r.sender_device,
                                      static_cast<std::uint64_t>(now), e.ciphertext);
    if (frame) live_.push(e.device_id, std::move(*frame));
  }
}

namespace {

// Every fact checks 2–4 depend on (PassedChecks): ids are 32 hex, so '/' separates them.
std::string passed_key(const Actor& actor, const SendRequest& request) {
  std::vector<std::string_view> devices;
  devices.reserve(request.envelopes.size());
  for (const auto& e : request.envelopes) devices.push_back(e.device_id);
  std::sort(devices.begin(), devices.end());
  std::string key = actor.account_id + "/" + std::string(auth::role_name(actor.role)) + "/" +
                    actor.organisation_id + "/" + request.sender_device + "/" +
                    request.recipient;
  for (auto d : devices) {
    key += '/';
    key += d;
  }
  return key;
}

}  // namespace

Result<Mailbox::Precheck> Mailbox::checks_since(store::Transaction& tx, const Actor& actor,
                                                const SendRequest& request,
                                                std::optional<std::int64_t> passed_at_epoch) {
  if (passed_at_epoch) {
    // Nothing checks 2–4 read has changed since they passed (every change to those rows
    // moves the epoch, in the changing transaction): only idempotency can differ.
    Precheck out;
    HIPPO_ASSIGN_OR_RETURN(out.policy_epoch, read_policy_epoch(tx));
    if (out.policy_epoch == *passed_at_epoch) {
      HIPPO_RETURN_IF_ERROR(find_duplicate(tx, actor, request, out));
      return out;
    }
  }
  return precheck(tx, actor, request);
}

Result<Mailbox::Precheck> Mailbox::snapshot_check(store::Transaction& tx, const Actor& actor,
                                                  const SendRequest& request,
                                                  const std::string& key) {
  HIPPO_ASSIGN_OR_RETURN(Precheck out, checks_since(tx, actor, request, passed_.epoch_of(key)));
  if (out.passed()) passed_.remember(key, out.policy_epoch);
  return out;
}

void Mailbox::send_async(const Actor& actor, SendRequest request,
                         std::function<void(Result<SendResult>)> done) {
  if (auto valid = validate(request); !valid) return done(std::move(valid).error());
  const std::int64_t now = unix_seconds(clock_.now());
  auto req = std::make_shared<const SendRequest>(std::move(request));
  // Early delivery: the same checks as the write, on the latest committed snapshot (a read
  // never waits for the writer). When they pass, the envelopes go to the devices connected
  // now, while the write is queued and made durable; the sender's answer waits for the
  // commit. The write repeats every check: if it then refuses (a relationship ended in the
  // meantime) or fails, the sender is told; recipients de-duplicate by message id.
  const std::string key = passed_key(actor, *req);
  std::optional<std::int64_t> passed_at_epoch;
  if (auto at = passed_.epoch_of(key);
      at && at == committed_epoch_.value() && !recent_.contains(req->message_id)) {
    // The same facts passed at the epoch committed last (CommittedPolicyEpoch): nothing
    // the checks read has changed since, so no snapshot is read. A retry of a message
    // stored recently is recognised (recent_) and goes to the snapshot check; one of an
    // older message would be pushed again, and its receivers de-duplicate it by id
    // (delivery is at-least-once). The write decides idempotency either way.
    passed_at_epoch = at;
    early_without_read_.fetch_add(1, std::memory_order_relaxed);
  } else {
    auto early = store_.read(
        [&](store::Transaction& tx) { return snapshot_check(tx, actor, *req, key); });
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
  auto job = send_jobs_.add(actor, std::move(queued));
  if (push) push_envelopes(actor, *req, now);
  if (job) queue_send_job(std::move(job));
}

Result<SendResult> Mailbox::send(const Actor& actor, const SendRequest& request) {
  std::promise<Result<SendResult>> promise;
  auto future = promise.get_future();
  send_async(actor, request, [&promise](Result<SendResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

Result<FetchResult> Mailbox::fetch_in(store::Transaction& tx, const Actor& actor,
                                      const std::string& device_id, std::size_t limit,
                                      const std::string& via, std::int64_t after_seq,
                                      bool report_expired) const {
  HIPPO_RETURN_IF_ERROR(require_own_device(tx, actor, device_id));
  HIPPO_ASSIGN_OR_RETURN(
      auto rows, tx.query("SELECT b.message_id, m.sender_id, m.sender_device, b.stored_at, "
                          "b.seq, b.ciphertext FROM mailbox b JOIN messages m ON "
                          "m.message_id = b.message_id WHERE b.device_id = ? AND b.seq > ? "
                          "ORDER BY b.seq LIMIT ?",
                          {device_id, after_seq, store::page_query_limit(limit)}));
  FetchResult out;
  HIPPO_ASSIGN_OR_RETURN(
      out.more, store::decode_page(rows, limit, out.messages,
                                   [](const store::Row& row) -> Result<StoredMessage> {
                                     StoredMessage m;
                                     HIPPO_ASSIGN_OR_RETURN(m.message_id, row.text(0));
                                     HIPPO_ASSIGN_OR_RETURN(m.sender, row.text(1));
                                     HIPPO_ASSIGN_OR_RETURN(m.sender_device, row.text(2));
                                     HIPPO_ASSIGN_OR_RETURN(m.stored_at, row.int64(3));
                                     HIPPO_ASSIGN_OR_RETURN(m.seq, row.int64(4));
                                     HIPPO_ASSIGN_OR_RETURN(m.ciphertext, row.blob(5));
                                     return m;
                                   }));
  HIPPO_ASSIGN_OR_RETURN(
      auto expired,
      tx.query_one("SELECT expired FROM mailbox_expiries WHERE device_id = ?", {device_id}));
  if (expired) {
    HIPPO_ASSIGN_OR_RETURN(out.expired, expired->int64(0));
  }
  HIPPO_ASSIGN_OR_RETURN(out.undelivered, count_undelivered(tx, device_id));
  std::string detail = "count=" + std::to_string(out.messages.size()) + ",via=" + via;
  if (report_expired && out.expired > 0) {
    // Told now, in the transaction that answers: the count is not reported twice.
    HIPPO_RETURN_IF_ERROR(
        tx.execute("DELETE FROM mailbox_expiries WHERE device_id = ?", {device_id}));
    detail += ",expired_reported=" + std::to_string(out.expired);
  }
  // The read and its audit record commit together.
  HIPPO_RETURN_IF_ERROR(audit_.append(
      tx, detail::record(actor, "message.fetch", detail::device_resource(device_id),
                         "succeeded", detail, device_id)));
  return out;
}

void Mailbox::fetch_async(const Actor& actor, const std::string& device_id, std::size_t limit,
                          std::string_view via, std::int64_t after_seq,
                          std::function<void(Result<FetchResult>)> done) {
  if (limit == 0 || limit > kMaxFetch) return done(invalid("limit", "must be between 1 and 100"));
  store::write_async_result<FetchResult>(
      store_,
      [this, actor, device_id, limit, via = std::string(via), after_seq](store::Transaction& tx) {
        return fetch_in(tx, actor, device_id, limit, via, after_seq, false);
      },
      std::move(done));
}

Result<FetchResult> Mailbox::fetch(const Actor& actor, const std::string& device_id,
                                   std::size_t limit, std::string_view via,
                                   std::int64_t after_seq, bool report_expired) {
  if (limit == 0 || limit > kMaxFetch) return invalid("limit", "must be between 1 and 100");
  return store_.write([&](store::Transaction& tx) {
    return fetch_in(tx, actor, device_id, limit, std::string(via), after_seq, report_expired);
  });
}

Status Mailbox::validate_ack(const std::vector<std::string>& message_ids) {
  if (message_ids.empty() || message_ids.size() > kMaxAck) {
    return invalid("message_ids", "must hold 1 to 100 ids");
  }
  for (const auto& id : message_ids) {
    if (!is_valid_id(id)) return invalid("message_ids", "must hold 32-hex message ids");
  }
  return ok_status();
}

Result<std::int64_t> Mailbox::ack_in(store::Transaction& tx, const Actor& actor,
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
      store_,
      [this, actor, device_id, ids = std::move(message_ids),
       acknowledged_before_write](store::Transaction& tx) {
        return ack_in(tx, actor, device_id, ids, acknowledged_before_write);
      },
      std::move(done));
}

std::int64_t Mailbox::acknowledge_before_write(const std::string& device_id,
                                               std::vector<std::string>& message_ids) {
  // A malformed acknowledgement takes nothing: ack_async then refuses all of it, so no
  // envelope goes unwritten without its audit record.
  if (!validate_ack(message_ids).ok()) return 0;
  return send_jobs_.acknowledge(message_ids, device_id);
}

Result<std::int64_t> Mailbox::ack(const Actor& actor, const std::string& device_id,
                                  const std::vector<std::string>& message_ids) {
  HIPPO_RETURN_IF_ERROR(validate_ack(message_ids));
  return store_.write(
      [&](store::Transaction& tx) { return ack_in(tx, actor, device_id, message_ids); });
}

Result<std::int64_t> Mailbox::prune_delivered(std::int64_t now, std::int64_t limit) {
  return store_.write([&](store::Transaction& tx) -> Result<std::int64_t> {
    // Oldest first (rowid order is insertion order); the mailbox is read once.
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t deleted,
        tx.execute("DELETE FROM messages WHERE rowid IN (SELECT rowid FROM messages WHERE "
                   "created_at < ? AND message_id NOT IN (SELECT message_id FROM mailbox) "
                   "ORDER BY rowid LIMIT ?)",
                   {now - kRetryWindowSeconds, limit}));
    if (deleted > 0) {
      HIPPO_RETURN_IF_ERROR(audit_.append(
          tx, detail::sweep_record("message.prune", "count=" + std::to_string(deleted))));
    }
    return deleted;
  });
}

Result<std::int64_t> Mailbox::expire_undelivered(std::int64_t now, std::int64_t max_age_seconds,
                                                 std::int64_t limit) {
  std::vector<std::string> senders;  // the senders' devices given an undelivered notice
  auto deleted = store_.write([&](store::Transaction& tx) -> Result<std::int64_t> {
    // The same rows for the counts and the deletion, by their key: oldest first, in a
    // total order, inside one write transaction.
    static constexpr const char* kExpiring =
        "SELECT device_id, seq FROM mailbox WHERE stored_at < ? "
        "ORDER BY stored_at, device_id, seq LIMIT ?";
    const std::int64_t cutoff = now - max_age_seconds;
    HIPPO_ASSIGN_OR_RETURN(
        auto per_device,
        tx.query(std::string("SELECT device_id, COUNT(*) FROM mailbox WHERE (device_id, seq) IN (") +
                     kExpiring + ") GROUP BY device_id",
                 {cutoff, limit}));
    if (per_device.empty()) return std::int64_t{0};
    for (const auto& row : per_device) {
      HIPPO_ASSIGN_OR_RETURN(std::string device, row.text(0));
      HIPPO_ASSIGN_OR_RETURN(std::int64_t n, row.int64(1));
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "INSERT INTO mailbox_expiries (device_id, expired, last_expired_at) VALUES (?, ?, ?) "
          "ON CONFLICT (device_id) DO UPDATE SET expired = expired + excluded.expired, "
          "last_expired_at = excluded.last_expired_at",
          {device, n, now}));
    }
    HIPPO_ASSIGN_OR_RETURN(senders, record_undelivered(tx, kExpiring, {cutoff, limit},
                                                       UndeliveredReason::kExpired, now));
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t deleted,
        tx.execute(std::string("DELETE FROM mailbox WHERE (device_id, seq) IN (") + kExpiring + ")",
                   {cutoff, limit}));
    HIPPO_RETURN_IF_ERROR(audit_.append(
        tx, detail::sweep_record("message.expire",
                                 "count=" + std::to_string(deleted) +
                                     ",devices=" + std::to_string(per_device.size()) +
                                     ",senders_told=" + std::to_string(senders.size()) +
                                     ",older_than_days=" +
                                     std::to_string(max_age_seconds / 86'400))));
    return deleted;
  });
  if (deleted) tell_senders(senders);
  return deleted;
}

void Mailbox::tell_senders(const std::vector<std::string>& sender_devices) {
  // A sender's device connected now hears of it at once; the others at their next fetch.
  if (sender_devices.empty()) return;
  if (auto notice = wire::encode(wire::ErrorFrame{{}, "messages_undelivered", {}})) {
    for (const auto& device : sender_devices) live_.push(device, *notice);
  }
}

}  // namespace hippocrate::messaging
