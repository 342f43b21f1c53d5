#include "client/engine/receive_batch.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <map>

namespace hippocrate::client {

namespace json = boost::json;

ReceiveBatch::ReceiveBatch(Engine& engine, std::vector<Incoming> incoming, AckBy ack_by)
    : engine_(engine), incoming_(std::move(incoming)), ack_by_(ack_by) {}

Step ReceiveBatch::start() {
  HIPPO_FINISH_IF_ERROR(engine_.require_paired());
  data_ = engine_.state();
  return open_next();
}

void ReceiveBatch::opened(Opened o) {
  if (o.content && take_verification_hint(data_, engine_.me().account_id, o.meta.sender)) {
    batch_.suggest_verification.push_back(o.meta.sender);
  }
  if (unreadable(o)) ++batch_.unreadable;
  batch_.opened.push_back(std::move(o));
  ++next_;
}

Step ReceiveBatch::open_next() {
  while (next_ < incoming_.size()) {
    const Incoming& in = incoming_[next_];
    // A duplicate needs no device list (its key is used up).
    if (already_received(data_, in.message_id)) {
      opened(duplicate_of(in));
      continue;
    }
    auto& lists = engine_.sender_lists();
    auto cached = lists.find(in.sender);
    if (cached == lists.end() || !e2ee::find_device(cached->second, in.sender_device)) {
      engine_.forget_own_listing();  // a device of one's own added meanwhile
      stage_ = Stage::kSenderList;
      // Never cached now: a request.
      if (auto ask = engine_.ask_listing(in.sender)) return std::move(*ask);
      opened(unverified_sender(in, Error::internal("operation_state", "no listing request")));
      continue;
    }
    opened(open_envelope(data_, in, cached->second, engine_.now_seconds()));
  }
  return record();
}

Step ReceiveBatch::resume(Answer answer) {
  switch (stage_) {
    case Stage::kSenderList: {
      const Incoming& in = incoming_[next_];
      Answer listing = engine_.take_listing(in.sender, &answer);
      if (!listing) {
        opened(unverified_sender(in, listing.error()));
        return open_next();
      }
      auto v = engine_.verify(data_, in.sender, *listing);
      if (!v) {
        opened(unverified_sender(in, v.error()));
        return open_next();
      }
      const e2ee::DeviceList& list =
          engine_.sender_lists().insert_or_assign(in.sender, v->signed_list).first->second;
      opened(open_envelope(data_, in, list, engine_.now_seconds()));
      return open_next();
    }
    case Stage::kRecord:
      if (!answer) return finish(answer.error());
      return commit();
    case Stage::kCommit:
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      stage_ = Stage::kPresent;
      return Step::present();
    case Stage::kPresent:
      if (!answer) return finish(answer.error());
      return acknowledge();
    case Stage::kAck:
    case Stage::kRefuse:
      if (!answer) return finish(answer.error());
      return next_refusal();
  }
  return finish(Error::internal("operation_state", "receive: unknown stage"));
}

Step ReceiveBatch::record() {
  std::vector<HistoryRecord> records;
  for (const auto& o : batch_.opened) {
    if (!o.content) continue;
    // A copy of what one sent from another device: its recipient is not in the content
    // (protocol.md §5.1), so it is kept as sent by oneself in the conversation with oneself.
    const bool mine = o.meta.sender == engine_.me().account_id;
    records.push_back({o.meta.message_id, o.meta.sender,
                       mine ? Direction::kSent : Direction::kReceived, o.meta.sender_device,
                       static_cast<std::int64_t>(o.content->sent_at_ms),
                       static_cast<std::int64_t>(engine_.now_millis()),
                       std::string(o.content->body.begin(), o.content->body.end())});
  }
  // The history before the commit and the acknowledgement: an acknowledged message is
  // never missing from it (the history keeps one copy of an id).
  if (records.empty()) return commit();
  stage_ = Stage::kRecord;
  return Step::record(std::move(records));
}

Step ReceiveBatch::commit() {
  const bool changed = std::any_of(batch_.opened.begin(), batch_.opened.end(),
                                   [](const Opened& o) { return !o.duplicate; });
  stage_ = Stage::kCommit;
  if (!changed) return resume(answered_ok());  // duplicates only: nothing to store
  return engine_.commit(std::move(data_));
}

Step ReceiveBatch::acknowledge() {
  std::map<std::string, std::vector<std::string>> by_reason;
  std::vector<std::string> ids;
  for (const auto& o : batch_.opened) {
    if (!settled(o)) {
      batch_.kept = true;
    } else if (auto reason = refusal_reason(o)) {
      by_reason[*reason].push_back(o.meta.message_id);
    } else {
      ids.push_back(o.meta.message_id);
    }
  }
  refusals_.assign(by_reason.begin(), by_reason.end());
  refused_ = 0;
  if (ids.empty()) return next_refusal();
  if (ack_by_ == AckBy::kHost) {
    batch_.to_acknowledge = std::move(ids);
    return next_refusal();
  }
  stage_ = Stage::kAck;
  return engine_.request({"POST", "/api/v1/devices/" + engine_.device_id() + "/messages/ack",
                          json::object{{"message_ids", json::array(ids.begin(), ids.end())}}},
                         /*keeps_devices=*/true);
}

// Those that can never be read are refused instead of acknowledged: their senders are told
// (one request per reason).
Step ReceiveBatch::next_refusal() {
  if (refused_ == refusals_.size()) return finish(std::move(batch_));
  const auto& [reason, ids] = refusals_[refused_++];
  stage_ = Stage::kRefuse;
  return engine_.request(
      {"POST", "/api/v1/devices/" + engine_.device_id() + "/messages/refuse",
       json::object{{"message_ids", json::array(ids.begin(), ids.end())}, {"reason", reason}}},
      /*keeps_devices=*/true);
}

}  // namespace hippocrate::client
