#include "cli/client_message_output.h"

#include <cstdio>
#include <string>

#include "cli/output.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

// Control characters other than newline and tab become '?' (escape sequences included).
std::string printable(const Bytes& body) {
  std::string out(body.begin(), body.end());
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f) c = '?';
  }
  return out;
}

json::object sender_json(Messenger& m, const std::string& account_id) {
  const AccountInfo who = m.who_is(account_id);
  return json::object{{"account_id", who.account_id},
                      {"email", who.email},
                      {"display_name", who.display_name}};
}

bool is_duplicate(const Opened& o) { return o.error && o.error->code() == "e2ee_replay"; }

}  // namespace

json::object opened_json(Messenger& m, const Opened& o) {
  json::object out{{"message_id", o.meta.message_id},
                   {"sender", sender_json(m, o.meta.sender)},
                   {"sender_device", o.meta.sender_device},
                   {"stored_at", o.meta.stored_at},
                   {"from_me", o.meta.sender == m.me().account_id}};
  if (o.content) {
    out["sent_at_ms"] = o.content->sent_at_ms;
    out["content_type"] = o.content->content_type;
    out["text"] = std::string(o.content->body.begin(), o.content->body.end());
  } else if (o.error) {
    out["error"] = json::object{{"code", o.error->code()}, {"message", o.error->message()}};
    out["duplicate"] = is_duplicate(o);
    out["kept"] = !settled(o);
    out["sender_unverified"] = o.sender_unverified;
  } else if (o.duplicate) {
    out["duplicate"] = true;  // inbox and listen leave these out
  }
  return out;
}

void print_opened(Messenger& m, const Opened& o) {
  if (o.duplicate) return;  // already shown when it was first received
  const std::string device = o.meta.sender_device.substr(0, 8);
  const std::string from = o.meta.sender == m.me().account_id
                               ? "you (your device " + device + ")"
                               : describe(m.who_is(o.meta.sender)) + "  (device " + device + ")";
  if (!o.content) {
    if (is_duplicate(o)) {
      std::fprintf(stderr,
                   "hippocrate: message %s from %s was delivered again; already shown, "
                   "ignored.\n",
                   o.meta.message_id.c_str(), from.c_str());
      return;
    }
    const char* id = o.meta.message_id.c_str();
    const char* code = o.error->code().c_str();
    const char* why = o.error->message().c_str();
    if (o.sender_unverified && !settled(o)) {
      // Nothing says the message was altered: it was not even opened.
      std::fprintf(stderr,
                   "hippocrate: WARNING: message %s from %s was NOT shown: its sender could not "
                   "be verified now (%s: %s). It was not opened and stays on the server; run "
                   "inbox again later, and if this persists, contact the sender another way.\n",
                   id, from.c_str(), code, why);
      return;
    }
    if (o.sender_unverified) {
      std::fprintf(stderr,
                   "hippocrate: WARNING: message %s from %s was NOT shown: its sender could not "
                   "be verified (%s: %s): the device that sent it is not in their account's "
                   "signed device list, or that list fails its checks. It was not decrypted "
                   "and is removed from the server, and the sender is told it could not be "
                   "read; contact the sender another way.\n",
                   id, from.c_str(), code, why);
      return;
    }
    if (!settled(o)) {
      std::fprintf(stderr,
                   "hippocrate: message %s from %s could not be opened now (%s: %s); it stays "
                   "on the server for the next try.\n",
                   id, from.c_str(), code, why);
      return;
    }
    std::fprintf(stderr,
                 "hippocrate: WARNING: message %s from %s could NOT be decrypted (%s: %s): it "
                 "was altered after it was sent, or was not encrypted for this device. It is "
                 "removed from the server, and the sender is told it could not be read.\n",
                 id, from.c_str(), code, why);
    return;
  }
  std::printf("From: %s\nSent: %s\n\n%s\n\n", from.c_str(),
              format_time(static_cast<std::int64_t>(o.content->sent_at_ms / 1000)).c_str(),
              printable(o.content->body).c_str());
  std::fflush(stdout);
}

Status unreadable_status(std::size_t count) {
  if (count == 0) return ok_status();
  return Error::failed_precondition(
      "messages_unreadable", std::to_string(count) + (count == 1 ? " message" : " messages") +
                                 " could not be read (see the warnings above)");
}

void print_expired(std::int64_t count) {
  std::fprintf(stderr,
               "Warning: %lld message%s sent to this device %s never received and expired on "
               "the server (it keeps messages for a limited time until a device receives "
               "them). Ask their senders to send them again.\n",
               static_cast<long long>(count), count == 1 ? "" : "s", count == 1 ? "was" : "were");
}

}  // namespace hippocrate::cli
