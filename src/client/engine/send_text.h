// Sending one text message (docs/protocol.md §3, docs/messaging.md "Send") as an operation
// of the client core: one's own and the recipient's verified device lists, the prekey
// bundles of the devices without a session (claimed per account), the fan-out encrypted to
// exactly those devices, the new sessions committed BEFORE the envelopes leave, POST
// /api/v1/messages, then the sent message into the local history.
//
// On 409 device_list_mismatch (a device was added or revoked since the lists were read) it
// reads and verifies both lists again — new devices get a session from a claimed bundle,
// revoked ones are left out — and sends once more with the same message id (the server
// stored nothing the first time); a second mismatch is the result. The device ids named by
// the 409 answer are not trusted: only the signed lists count.
//
// Errors: message_too_large; no_recipient_devices; key_change_unacknowledged (the
// recipient's account key changed and the user has not accepted it: nothing is sent, what
// was seen is committed); the e2ee_* errors of a list or bundle that fails its checks; the
// server's (contact_not_permitted, device_list_mismatch twice, …).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/engine/engine.h"
#include "client/engine/operation.h"
#include "client/engine/send.h"

namespace hippocrate::client {

struct SentMessage {
  std::string message_id;
  std::int64_t stored_at = 0;  // the server's time of the send
  std::size_t envelopes = 0;   // devices it was encrypted for
  // A first exchange with a recipient who is not verified: say once how to verify them.
  bool suggest_verification = false;
  // Sent, but the local history did not keep it (why).
  std::optional<Error> not_in_history;
};

class SendText final : public OperationOf<SentMessage> {
 public:
  SendText(Engine& engine, AccountInfo to, std::string text);
  Step start() override;
  Step resume(Answer answer) override;

 private:
  enum class Stage { kOwnList, kTheirList, kBlocked, kClaim, kSessions, kPost, kRecord, kHint };
  Step begin_attempt();
  Step with_own_list(Answer listing);
  Step with_their_list(Answer listing);
  Step claim_bundles();
  Step next_claim();
  Step encrypt();
  Step after_post(Answer answer);
  Step after_record(const Answer& answer);

  Engine& engine_;
  const AccountInfo to_;
  const std::string text_;
  std::string message_id_;
  int attempt_ = 0;
  Stage stage_ = Stage::kOwnList;
  KeystoreData data_;  // the state this attempt changes
  std::vector<e2ee::DeviceList> lists_;
  std::vector<std::pair<std::string, std::vector<std::string>>> claims_;
  std::size_t claimed_ = 0;
  e2ee::BundleMap bundles_;
  OutgoingMessage outgoing_;
  SentMessage sent_;
};

}  // namespace hippocrate::client
