#include "cli/client_undelivered.h"

#include <algorithm>
#include <cstdio>

#include "cli/output.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

// At most this many pages of 100 per run (a bound, not a limit users meet).
constexpr int kMaxPages = 100;

// What happened to the message on `devices` of the recipient's devices, by the notice's
// reason (docs/messaging.md "Expiry" and "Refusal"); an unknown word (a newer server) is
// said as it is, after the reason's own check (only lowercase letters and '_').
std::string what_happened(const std::string& reason, std::int64_t devices) {
  const std::string on = std::to_string(devices) + " of their device" + (devices == 1 ? "" : "s");
  if (reason == "expired") {
    return "was never received on " + on +
           ": the server deleted it unread after its retention period";
  }
  if (reason == "undecryptable") {
    return "could not be read on " + on +
           ": it failed to decrypt there (altered on the way, or not encrypted for that device)";
  }
  if (reason == "sender_unverified") {
    return "could not be read on " + on +
           ": it could not be verified as coming from you there (your sending device is not in "
           "your account's signed device list, or the list fails its checks: see `devices "
           "list`)";
  }
  const bool plain = !reason.empty() && std::all_of(reason.begin(), reason.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || c == '_';
  });
  return "was not received on " + on + " (" + (plain ? reason : std::string("no reason given")) +
         ")";
}

void print_notice(const AccountInfo& recipient, std::int64_t sent_at, const std::string& reason,
                  std::int64_t devices, const std::string& message_id) {
  std::fprintf(stderr,
               "Warning: your message to %s sent %s (id %s) %s. Send it again, or contact them "
               "another way.\n",
               describe(recipient).c_str(), format_time(sent_at).c_str(),
               message_id.substr(0, 8).c_str(), what_happened(reason, devices).c_str());
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
                                   {"reason", json_string(o, "reason")},
                                   {"devices", json_int(o, "devices")},
                                   {"expired_at", json_int(o, "expired_at")}});
      } else {
        print_notice(recipient, json_int(o, "sent_at"), json_string(o, "reason"),
                     json_int(o, "devices"), id);
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
