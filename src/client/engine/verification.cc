#include "client/engine/verification.h"

#include "e2ee/safety_number.h"

namespace hippocrate::client {

Step FetchSafetyNumber::start() {
  HIPPO_FINISH_IF_ERROR(engine_.require_paired());
  if (account_id_ == engine_.me().account_id) {
    return finish(Error::invalid_argument(
        "not_a_contact_self", "that is you: a safety number is between you and someone else"));
  }
  stage_ = Stage::kList;
  if (auto ask = engine_.ask_listing(account_id_)) return *ask;
  return finish(Error::internal("operation_state", "safety number: no listing request"));
}

Step FetchSafetyNumber::resume(Answer answer) {
  switch (stage_) {
    case Stage::kList: {
      Answer listing = engine_.take_listing(account_id_, &answer);
      if (!listing) return finish(listing.error());
      KeystoreData data = engine_.state();
      auto devices = engine_.verify(data, account_id_, *listing);
      if (!devices) return finish(devices.error());
      stage_ = Stage::kCommit;
      return engine_.commit(std::move(data));
    }
    case Stage::kCommit: {
      HIPPO_FINISH_IF_ERROR(engine_.committed(answer));
      const KeystoreData& data = engine_.state();
      SafetyNumber out{data.contacts.at(account_id_), {}, {}};
      const e2ee::AccountFingerprintInput local{
          engine_.me().account_id, data.contacts.at(engine_.me().account_id).account_key};
      const e2ee::AccountFingerprintInput remote{account_id_, out.record.account_key};
      auto digits = e2ee::safety_number(local, remote);
      if (!digits) return finish(digits.error());
      auto qr = e2ee::safety_number_qr(local, remote);
      if (!qr) return finish(qr.error());
      out.digits = std::move(*digits);
      out.qr = std::move(*qr);
      return finish(std::move(out));
    }
  }
  return finish(Error::internal("operation_state", "safety number: unknown stage"));
}

Result<KeystoreData> verify_contact(KeystoreData data, const std::string& account_id,
                                    bool change_acknowledged) {
  auto it = data.contacts.find(account_id);
  if (it == data.contacts.end()) {
    return Error::failed_precondition("contact_unknown", "no account key is pinned for them yet");
  }
  if (it->second.key_changed) {
    if (!change_acknowledged) {
      return Error::failed_precondition(
          "key_change_unacknowledged",
          "their account key changed: compare the new safety number before verifying");
    }
    data = acknowledge_key_change(std::move(data), account_id);
  }
  return mark_verified(std::move(data), account_id);
}

}  // namespace hippocrate::client
