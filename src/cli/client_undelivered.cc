#include "cli/client_undelivered.h"

#include <algorithm>
#include <cstdio>

#include "cli/output.h"
#include "client/engine/undelivered.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

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
  (void)m.contacts();  // names for the recipients, fetched once
  client::ReportUndelivered report(m.engine());
  json::array all;
  // Shown (or handed to the caller), then acknowledged by the core.
  auto show = [&]() -> Status {
    for (const auto& n : report.page()) {
      if (as_json) {
        all.push_back(
            json::object{{"message_id", n.message_id},
                         {"recipient", json::object{{"account_id", n.recipient.account_id},
                                                    {"email", n.recipient.email},
                                                    {"display_name", n.recipient.display_name}}},
                         {"sent_at", n.sent_at},
                         {"reason", n.reason},
                         {"devices", n.devices},
                         {"expired_at", n.expired_at}});
      } else {
        print_notice(n.recipient, n.sent_at, n.reason, n.devices, n.message_id);
      }
    }
    return ok_status();
  };
  HIPPO_RETURN_IF_ERROR(m.run(report, show));
  return all;
}

}  // namespace hippocrate::cli
