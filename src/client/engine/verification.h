// Checking who one talks to (docs/protocol.md §7): both sides compute the same safety
// number from the two account keys; comparing it (in person, on a video call, or by
// scanning the other's QR code) proves no one sits in between. A contact whose account key
// changed, verified or not, is blocked for sending until the user accepts the new key:
// verified again after comparing (verify_contact with the change acknowledged), or accepted
// without comparing (keystore.h's acknowledge_key_change: recorded as not verified).
#pragma once

#include <string>

#include "client/engine/account.h"
#include "client/engine/engine.h"
#include "client/engine/operation.h"
#include "client/keystore.h"

namespace hippocrate::client {

struct SafetyNumber {
  ContactRecord record;  // as pinned now (verified, key_changed)
  std::string digits;    // 60
  std::string qr;        // the text of the QR code this device shows
};

// Reads and verifies `account_id`'s device list (pinning its account key on first use,
// recording a change), commits what was seen, and computes the safety number with it.
// Errors: not_a_contact_self (oneself), the list's.
class FetchSafetyNumber final : public OperationOf<SafetyNumber> {
 public:
  FetchSafetyNumber(Engine& engine, std::string account_id)
      : engine_(engine), account_id_(std::move(account_id)) {}
  Step start() override;
  Step resume(Answer answer) override;

 private:
  enum class Stage { kList, kCommit };
  Engine& engine_;
  const std::string account_id_;
  Stage stage_ = Stage::kList;
};

// The state with `account_id` marked verified (the user compared safety numbers). A key
// change not yet accepted needs `change_acknowledged` (the user compared the NEW number),
// else "key_change_unacknowledged" and nothing changes.
Result<KeystoreData> verify_contact(KeystoreData data, const std::string& account_id,
                                    bool change_acknowledged);

}  // namespace hippocrate::client
