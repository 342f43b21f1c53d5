// Reading this device's mailbox over HTTP (docs/messaging.md "Fetch and acknowledge"):
// batches of up to 100 envelopes (GET /api/v1/devices/{id}/messages?limit=100), each
// received by ReceiveBatch (receive_batch.h: history, commit, present, acknowledge or
// refuse), until the mailbox is empty, a message is kept for a later try (it would come
// back first in the next batch), or kMaxBatches. The server's counts of expired messages
// and of undelivered notices come with each answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "client/engine/engine.h"
#include "client/engine/operation.h"
#include "client/engine/receive_batch.h"

namespace hippocrate::client {

struct InboxRead {
  std::size_t shown = 0;       // messages presented (duplicates excepted)
  std::size_t unreadable = 0;  // of those, could not be read
  std::int64_t expired = 0;    // deleted unread by the server's retention since last told
  bool undelivered = false;    // notices of sent messages never received wait (undelivered.h)
};

class ReadInbox final : public OperationOf<InboxRead> {
 public:
  // At most this many batches of 100 per run (a bound, not a limit users meet).
  static constexpr int kMaxBatches = 100;

  explicit ReadInbox(Engine& engine) : engine_(engine) {}
  Step start() override;
  Step resume(Answer answer) override;
  // At kPresent: the batch to show (its duplicates are not to be shown again).
  const ReceivedBatch& batch() const { return batch_->batch(); }

 private:
  Step fetch();
  Step forward(Step step);

  Engine& engine_;
  int batches_ = 0;
  bool more_ = false;
  std::unique_ptr<ReceiveBatch> batch_;  // set while a batch is received
  InboxRead read_;
};

}  // namespace hippocrate::client
