#include "client/engine/send_text.h"

#include <boost/json/array.hpp>

#include "client/engine/json_fields.h"

namespace hippocrate::client {

namespace json = boost::json;

SendText::SendText(Engine& engine, AccountInfo to, std::string text)
    : engine_(engine), to_(std::move(to)), text_(std::move(text)) {}

Step SendText::start() {
  if (Status size = check_text_size(text_); !size.ok()) return finish(size.error());
  HIPPO_FINISH_IF_ERROR(engine_.require_paired());
  message_id_ = engine_.new_message_id();
  return begin_attempt();
}

Step SendText::begin_attempt() {
  data_ = engine_.state();
  lists_.clear();
  bundles_.clear();
  stage_ = Stage::kOwnList;
  if (auto ask = engine_.ask_listing(engine_.me().account_id)) return *ask;
  return with_own_list(engine_.take_listing(engine_.me().account_id, nullptr));
}

Step SendText::resume(Answer answer) {
  switch (stage_) {
    case Stage::kOwnList:
      return with_own_list(engine_.take_listing(engine_.me().account_id, &answer));
    case Stage::kTheirList: return with_their_list(engine_.take_listing(to_.account_id, &answer));
    case Stage::kBlocked: {
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      return finish(Error::failed_precondition(
          "key_change_unacknowledged",
          "not sent: the account key of " + describe(to_) +
              " changed and you have not accepted the new one; nothing was sent to their "
              "devices"));
    }
    case Stage::kClaim:
      if (!answer) return finish(answer.error());
      add_claimed_bundles(claims_[claimed_ - 1].first, *answer, bundles_);
      return next_claim();
    case Stage::kSessions:
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      stage_ = Stage::kPost;
      return engine_.request({"POST", "/api/v1/messages", outgoing_.body});
    case Stage::kPost: return after_post(std::move(answer));
    case Stage::kRecord: return after_record(answer);
    case Stage::kHint:
      // A failure only shows the hint again next time.
      (void)engine_.committed(answer);
      return finish(std::move(sent_));
  }
  return finish(Error::internal("operation_state", "send: unknown stage"));
}

Step SendText::with_own_list(Answer listing) {
  if (!listing) return finish(listing.error());
  auto own = engine_.verify(data_, engine_.me().account_id, *listing);
  if (!own) return finish(own.error());
  lists_.push_back(own->current);
  if (to_.account_id == engine_.me().account_id) return claim_bundles();  // a note to oneself
  stage_ = Stage::kTheirList;
  if (auto ask = engine_.ask_listing(to_.account_id)) return *ask;
  return finish(Error::internal("operation_state", "send: no request for the recipient's list"));
}

Step SendText::with_their_list(Answer listing) {
  if (!listing) return finish(listing.error());
  auto theirs = engine_.verify(data_, to_.account_id, *listing);
  if (!theirs) return finish(theirs.error());
  if (sending_blocked(data_, to_.account_id)) {
    stage_ = Stage::kBlocked;  // what was seen is remembered, then nothing is sent
    return engine_.commit(std::move(data_));
  }
  if (theirs->current.devices.empty()) {
    return finish(Error::failed_precondition("no_recipient_devices",
                                             describe(to_) + " has no messaging device"));
  }
  lists_.push_back(theirs->current);
  return claim_bundles();
}

Step SendText::claim_bundles() {
  claims_.clear();
  for (auto& c : bundles_to_claim(data_, lists_)) claims_.emplace_back(std::move(c));
  claimed_ = 0;
  return next_claim();
}

Step SendText::next_claim() {
  if (claimed_ == claims_.size()) return encrypt();
  const auto& [account, ids] = claims_[claimed_++];
  stage_ = Stage::kClaim;
  json::object body{{"device_ids", json::array(ids.begin(), ids.end())}};
  // A claim uses up one-time prekeys of the recipient's devices, never changes one's own.
  return engine_.request(
      {"POST", "/api/v1/accounts/" + account + "/prekey-bundles", std::move(body)},
      /*keeps_devices=*/true);
}

Step SendText::encrypt() {
  auto outgoing = encrypt_text(data_, lists_, bundles_, message_id_, to_.account_id, text_,
                               engine_.now_millis(), engine_.now_seconds(), engine_.keys());
  if (!outgoing) return finish(outgoing.error());
  outgoing_ = std::move(*outgoing);
  data_.sessions = std::move(outgoing_.sessions);
  stage_ = Stage::kSessions;  // stored before the envelopes leave (keystore.h)
  return engine_.commit(std::move(data_));
}

Step SendText::after_post(Answer answer) {
  if (!answer) {
    if (answer.error().code() != "device_list_mismatch" || attempt_ > 0) {
      return finish(answer.error());
    }
    ++attempt_;
    engine_.forget_listings();  // the device lists changed: read them again
    return begin_attempt();
  }
  sent_.message_id = message_id_;
  sent_.stored_at = json_int(*answer, "stored_at");
  sent_.envelopes = outgoing_.envelopes;
  stage_ = Stage::kRecord;
  return Step::record(
      {HistoryRecord{message_id_, to_.account_id, Direction::kSent, engine_.device_id(),
                     static_cast<std::int64_t>(outgoing_.content.sent_at_ms),
                     static_cast<std::int64_t>(engine_.now_millis()), text_}});
}

Step SendText::after_record(const Answer& answer) {
  if (!answer) sent_.not_in_history = answer.error();  // sent all the same
  KeystoreData after = engine_.state();
  if (!take_verification_hint(after, engine_.me().account_id, to_.account_id)) {
    return finish(std::move(sent_));
  }
  sent_.suggest_verification = true;
  stage_ = Stage::kHint;
  return engine_.commit(std::move(after));
}

}  // namespace hippocrate::client
