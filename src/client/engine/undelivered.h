// The notices of messages this account sent that some recipient device never read
// (docs/messaging.md "Expiry" and "Refusal"): GET /api/v1/devices/{id}/undelivered, page by
// page (100 a page, at most kMaxPages), each page presented to the user (kPresent: read
// page()) and then acknowledged (POST .../undelivered/ack): a crash in between shows a
// notice twice, never loses one. A page with nothing recognisable is left for a later run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/engine/account.h"
#include "client/engine/engine.h"
#include "client/engine/operation.h"

namespace hippocrate::client {

struct UndeliveredNotice {
  std::string message_id;
  AccountInfo recipient;
  std::int64_t sent_at = 0;
  // expired | undecryptable | sender_unverified, or a newer server's word (as it is).
  std::string reason;
  std::int64_t devices = 0;  // how many of the recipient's devices
  std::int64_t expired_at = 0;
};

class ReportUndelivered final : public OperationOf<std::vector<UndeliveredNotice>> {
 public:
  static constexpr int kMaxPages = 100;

  explicit ReportUndelivered(Engine& engine) : engine_(engine) {}
  Step start() override;
  Step resume(Answer answer) override;
  // At kPresent: the notices of the page to show.
  const std::vector<UndeliveredNotice>& page() const { return page_; }

 private:
  enum class Stage { kPage, kPresent, kAck };
  Step fetch();

  Engine& engine_;
  Stage stage_ = Stage::kPage;
  int pages_ = 0;
  bool more_ = false;
  std::vector<UndeliveredNotice> page_;
  std::vector<UndeliveredNotice> all_;
};

}  // namespace hippocrate::client
