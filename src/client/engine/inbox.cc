#include "client/engine/inbox.h"

#include <algorithm>

#include "client/engine/json_fields.h"

namespace hippocrate::client {

Step ReadInbox::start() {
  HIPPO_FINISH_IF_ERROR(engine_.require_paired());
  return fetch();
}

Step ReadInbox::fetch() {
  batch_.reset();
  if (batches_++ == kMaxBatches) return finish(read_);
  return engine_.request(
      {"GET", "/api/v1/devices/" + engine_.device_id() + "/messages?limit=100", {}});
}

Step ReadInbox::resume(Answer answer) {
  if (batch_) return forward(batch_->resume(std::move(answer)));
  if (!answer) return finish(answer.error());
  read_.expired += json_int(*answer, "expired");
  read_.undelivered = read_.undelivered || json_int(*answer, "undelivered") > 0;
  more_ = json_bool(*answer, "more");
  std::vector<Incoming> incoming = parse_incoming(*answer);
  if (incoming.empty()) return finish(read_);
  batch_ = std::make_unique<ReceiveBatch>(engine_, std::move(incoming), AckBy::kRequest);
  return forward(batch_->start());
}

Step ReadInbox::forward(Step step) {
  if (step.kind != Step::Kind::kDone) return step;
  auto& outcome = batch_->result();
  if (!outcome) return finish(outcome.error());
  read_.unreadable += outcome->unreadable;
  read_.shown +=
      static_cast<std::size_t>(std::count_if(outcome->opened.begin(), outcome->opened.end(),
                                             [](const Opened& o) { return !o.duplicate; }));
  // A kept message would come back first in the next batch: try again in a later run.
  if (outcome->kept || !more_) return finish(read_);
  return fetch();
}

}  // namespace hippocrate::client
