// Receiving a batch of delivered envelopes (docs/messaging.md "Fetch and acknowledge",
// "Refusal") as an operation of the client core, in the order that loses nothing:
//   1. each envelope opened (receive.h) against its sender's verified device list — read
//      once per sender for the operation's engine, again when it does not name the sending
//      device (one's own listing is then read again too: listen runs for long);
//   2. the decrypted messages appended to the local history (kRecord);
//   3. the sessions, the used one-time prekeys and the ids of the decrypted messages
//      committed in one write (a crash after it only redelivers messages this device
//      recognises by id: acknowledged then, not shown again);
//   4. the batch presented to the user (kPresent: read batch());
//   5. the settled ones acknowledged — by POST .../messages/ack (AckBy::kRequest), or left
//      to the host in to_acknowledge (AckBy::kHost: the live socket's Ack frame) — and those
//      that can never be read refused with their reason (their senders are told). A
//      message not settled (a transient failure) is left on the server for the next try.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "client/engine/engine.h"
#include "client/engine/operation.h"
#include "client/engine/receive.h"

namespace hippocrate::client {

enum class AckBy { kRequest, kHost };

struct ReceivedBatch {
  std::vector<Opened> opened;  // in the order delivered
  // Senders of a decrypted message who are not verified, to tell once how to verify them.
  std::vector<std::string> suggest_verification;
  std::vector<std::string> to_acknowledge;  // AckBy::kHost: the ids the host acknowledges
  bool kept = false;                        // some were left on the server for the next try
  std::size_t unreadable = 0;               // could not be read (unreadable())
};

class ReceiveBatch final : public OperationOf<ReceivedBatch> {
 public:
  ReceiveBatch(Engine& engine, std::vector<Incoming> incoming, AckBy ack_by);
  Step start() override;
  Step resume(Answer answer) override;
  // The batch so far (complete from kPresent on).
  const ReceivedBatch& batch() const { return batch_; }

 private:
  enum class Stage { kSenderList, kRecord, kCommit, kPresent, kAck, kRefuse };
  Step open_next();
  void opened(Opened o);
  Step record();
  Step commit();
  Step acknowledge();
  Step next_refusal();

  Engine& engine_;
  const std::vector<Incoming> incoming_;
  const AckBy ack_by_;
  Stage stage_ = Stage::kSenderList;
  std::size_t next_ = 0;
  KeystoreData data_;
  std::vector<std::pair<std::string, std::vector<std::string>>> refusals_;  // reason → ids
  std::size_t refused_ = 0;
  ReceivedBatch batch_;
};

}  // namespace hippocrate::client
