#include "client/engine/undelivered.h"

#include <boost/json/array.hpp>

#include "client/engine/json_fields.h"

namespace hippocrate::client {

namespace json = boost::json;

Step ReportUndelivered::start() {
  if (!engine_.has_state()) return finish(std::vector<UndeliveredNotice>{});
  return fetch();
}

Step ReportUndelivered::fetch() {
  if (pages_++ == kMaxPages) return finish(std::move(all_));
  stage_ = Stage::kPage;
  return engine_.request(
      {"GET", "/api/v1/devices/" + engine_.device_id() + "/undelivered?limit=100", {}});
}

Step ReportUndelivered::resume(Answer answer) {
  if (!answer) return finish(answer.error());
  switch (stage_) {
    case Stage::kPage: {
      page_.clear();
      more_ = json_bool(*answer, "more");
      if (const auto* list = answer->if_contains("undelivered"); list && list->is_array()) {
        for (const auto& item : list->as_array()) {
          if (!item.is_object()) continue;
          const auto& o = item.as_object();
          page_.push_back({json_string(o, "message_id"),
                           engine_.who_is(json_string(o, "recipient")), json_int(o, "sent_at"),
                           json_string(o, "reason"), json_int(o, "devices"),
                           json_int(o, "expired_at")});
        }
      }
      if (page_.empty()) return finish(std::move(all_));
      stage_ = Stage::kPresent;
      return Step::present();
    }
    case Stage::kPresent: {
      json::array ids;
      for (const auto& n : page_) ids.emplace_back(n.message_id);
      all_.insert(all_.end(), page_.begin(), page_.end());
      stage_ = Stage::kAck;
      return engine_.request({"POST", "/api/v1/devices/" + engine_.device_id() + "/undelivered/ack",
                              json::object{{"message_ids", std::move(ids)}}},
                             /*keeps_devices=*/true);
    }
    case Stage::kAck:
      if (!more_) return finish(std::move(all_));
      return fetch();
  }
  return finish(Error::internal("operation_state", "undelivered: unknown stage"));
}

}  // namespace hippocrate::client
