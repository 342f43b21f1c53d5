#include "cli/client_undelivered.h"

#include <cstdio>

#include "cli/output.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

// At most this many pages of 100 per run (a bound, not a limit users meet).
constexpr int kMaxPages = 100;

void print_notice(const AccountInfo& recipient, std::int64_t sent_at, std::int64_t devices,
                  const std::string& message_id) {
  std::fprintf(stderr,
               "Warning: your message to %s sent %s (id %s) was never received on %lld of "
               "their device%s: the server deleted it unread after its retention period. Send "
               "it again, or contact them another way.\n",
               describe(recipient).c_str(), format_time(sent_at).c_str(),
               message_id.substr(0, 8).c_str(), static_cast<long long>(devices),
               devices == 1 ? "" : "s");
}

}  // namespace

Result<json::array> report_undelivered(Messenger& m, bool as_json) {
  const std::string target = "/api/v1/devices/" + m.device_id() + "/undelivered";
  json::array all;
  for (int page = 0; page < kMaxPages; ++page) {
    HIPPO_ASSIGN_OR_RETURN(json::object answer, m.call("GET", target + "?limit=100"));
    const auto* list = answer.if_contains("undelivered");
    if (list == nullptr || !list->is_array() || list->as_array().empty()) break;
    json::array ids;
    for (const auto& item : list->as_array()) {
      if (!item.is_object()) continue;
      const auto& o = item.as_object();
      const std::string id = json_string(o, "message_id");
      const AccountInfo recipient = m.who_is(json_string(o, "recipient"));
      if (as_json) {
        all.push_back(json::object{{"message_id", id},
                                   {"recipient", json::object{{"account_id", recipient.account_id},
                                                              {"email", recipient.email},
                                                              {"display_name",
                                                               recipient.display_name}}},
                                   {"sent_at", json_int(o, "sent_at")},
                                   {"devices", json_int(o, "devices")},
                                   {"expired_at", json_int(o, "expired_at")}});
      } else {
        print_notice(recipient, json_int(o, "sent_at"), json_int(o, "devices"), id);
      }
      ids.emplace_back(id);
    }
    if (ids.empty()) break;  // nothing recognisable to acknowledge: leave it for the next run
    // Shown (or handed to the caller), then acknowledged: a crash in between shows a notice
    // twice, never loses one.
    json::object ack{{"message_ids", std::move(ids)}};
    HIPPO_RETURN_IF_ERROR(m.call("POST", target + "/ack", &ack));
    if (!json_bool(answer, "more")) break;
  }
  return all;
}

}  // namespace hippocrate::cli
