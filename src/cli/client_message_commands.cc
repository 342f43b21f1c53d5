// End-to-end encrypted messages from the command line (docs/cli.md "Messaging"):
//   contacts                 the people you may message
//   send EMAIL [TEXT | -]    encrypt for each of their devices and yours, send
//   inbox                    fetch, decrypt, print, then acknowledge (a message received
//                            before, delivered again, is acknowledged without being shown);
//                            then the notices of sent messages never received
// `listen` is in client_message_listen_command.cc; both print through print_opened.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>

#include "cli/client_commands.h"
#include "cli/client_message_output.h"
#include "cli/client_messaging.h"
#include "cli/client_undelivered.h"
#include "cli/command_helpers.h"
#include "cli/output.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

Status run_contacts(ClientContext& context) {
  HIPPO_ASSIGN_OR_RETURN(SecretBytes token, context.session_token());
  HIPPO_ASSIGN_OR_RETURN(json::object answer, context.call("GET", "/api/v1/contacts", {}, &token));
  if (context.json()) {
    print_json(answer);
    return ok_status();
  }
  const auto* list = answer.if_contains("contacts");
  if (list == nullptr || !list->is_array() || list->as_array().empty()) {
    std::printf("Nobody you may message yet (patients: an active care relationship; staff: "
                "your organisation).\n");
    return ok_status();
  }
  std::printf("%-30s  %-36s  %s\n", "NAME", "E-MAIL", "ROLE");
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    std::printf("%-30s  %-36s  %s\n", json_string(o, "display_name").c_str(),
                json_string(o, "email").c_str(), json_string(o, "role").c_str());
  }
  return ok_status();
}

struct SendFlags {
  ClientFlags client;
  std::string to;
  std::string text;
};

Status run_send(ClientContext& context, const SendFlags& flags) {
  std::string text = flags.text;
  if (text.empty() || text == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  if (text.empty()) return usage_error("nothing to send: give TEXT, or - to read standard input");
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kReady));
  HIPPO_ASSIGN_OR_RETURN(AccountInfo to, m->resolve(flags.to));
  std::vector<std::string> warnings;
  auto sent = m->send_text(to, text, warnings);
  print_warnings(warnings);
  if (!sent) return sent.error();
  if (sent->hint) std::fprintf(stderr, "hippocrate: %s\n", sent->hint->c_str());
  if (context.json()) {
    print_json(json::object{{"message_id", sent->message_id},
                            {"stored_at", sent->stored_at},
                            {"recipient", to.account_id},
                            {"envelopes", sent->envelopes}});
    return ok_status();
  }
  std::printf("Sent to %s (encrypted for %zu device%s).\n", describe(to).c_str(), sent->envelopes,
              sent->envelopes == 1 ? "" : "s");
  return ok_status();
}

Result<std::vector<Incoming>> parse_batch(const json::object& answer) {
  std::vector<Incoming> out;
  const auto* list = answer.if_contains("messages");
  if (list == nullptr || !list->is_array()) return out;
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    auto ciphertext = base64url_decode(json_string(o, "ciphertext"));
    out.push_back({json_string(o, "message_id"), json_string(o, "sender"),
                   json_string(o, "sender_device"), json_int(o, "stored_at"),
                   ciphertext ? std::move(*ciphertext) : Bytes{}});
  }
  return out;
}

// At most this many batches of 100 per run (a bound, not a limit users meet).
constexpr int kMaxBatches = 100;

Status run_inbox(ClientContext& context) {
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kReady));
  const std::string target = "/api/v1/devices/" + m->device_id() + "/messages";
  json::array all;
  std::size_t count = 0;
  std::int64_t expired = 0;  // told once by the server (its count is reset when answered)
  bool undelivered = false;  // notices of messages this account sent, never received
  std::vector<std::string> warnings;  // printed once, after the messages
  std::vector<std::string> hints;
  std::size_t unread = 0;  // messages that could not be read (unreadable)
  for (int batch = 0; batch < kMaxBatches; ++batch) {
    HIPPO_ASSIGN_OR_RETURN(json::object answer, m->call("GET", target + "?limit=100"));
    expired += json_int(answer, "expired");
    undelivered = undelivered || json_int(answer, "undelivered") > 0;
    HIPPO_ASSIGN_OR_RETURN(std::vector<Incoming> incoming, parse_batch(answer));
    if (incoming.empty()) break;
    client::KeystoreData data = m->data();
    std::vector<Opened> opened;
    for (const auto& in : incoming) {
      opened.push_back(m->open_incoming(data, in, warnings));
      if (opened.back().content) {
        if (auto hint = m->verification_hint(data, in.sender)) hints.push_back(std::move(*hint));
      }
    }
    // The sessions and the ids of the decrypted messages first (one atomic write), then
    // the acknowledgement: a crash in between only redelivers messages this device
    // recognises by their id (acknowledged then, not shown again), never loses one.
    // The history before both: an acknowledged message is never missing from it.
    HIPPO_RETURN_IF_ERROR(m->record_received(opened));
    HIPPO_RETURN_IF_ERROR(m->commit(std::move(data)));
    json::array ids;
    bool kept = false;
    for (const auto& o : opened) {
      if (!settled(o)) kept = true;
      else if (!refusal_reason(o)) ids.emplace_back(o.meta.message_id);
      if (unreadable(o)) ++unread;
      if (o.duplicate) continue;  // already shown: acknowledged silently
      if (context.json()) all.push_back(opened_json(*m, o));
      else print_opened(*m, o);
      ++count;
    }
    if (!ids.empty()) {
      json::object ack{{"message_ids", std::move(ids)}};
      HIPPO_RETURN_IF_ERROR(m->call("POST", target + "/ack", &ack));
    }
    // Those that can never be read are refused instead: their senders are told.
    HIPPO_RETURN_IF_ERROR(m->refuse_unreadable(opened));
    // A kept message would come back first in the next batch: try again in a later run.
    if (kept || !json_bool(answer, "more")) break;
  }
  if (expired > 0 && !context.json()) print_expired(expired);
  json::array notices;
  if (undelivered) {
    HIPPO_ASSIGN_OR_RETURN(notices, report_undelivered(*m, context.json()));
  }
  // Every contact whose account key change is not accepted yet, at every inbox.
  for (auto& w : m->pending_key_changes()) warnings.push_back(std::move(w));
  print_warnings(warnings);
  for (const auto& h : hints) std::fprintf(stderr, "hippocrate: %s\n", h.c_str());
  if (context.json()) {
    json::object answer{{"messages", std::move(all)},
                        {"expired", expired},
                        {"undelivered", std::move(notices)}};
    if (unread > 0) answer["unreadable"] = unread;
    print_json(answer);
  } else if (count == 0) {
    std::printf("No new messages.\n");
  }
  return unreadable_status(unread);
}

}  // namespace

void add_message_commands(CLI::App& app) {
  add_plain_command(app, "contacts", "The people you may message", run_contacts);
  auto flags = std::make_shared<SendFlags>();
  auto* send = app.add_subcommand("send", "Send an end-to-end encrypted message");
  send->add_option("to", flags->to, "The recipient's e-mail (or account id)")->required();
  send->add_option("text", flags->text, "The message; - (or nothing) reads standard input");
  add_client_flags(send, flags->client, false);
  send->callback([flags] {
    throw CLI::RuntimeError(
        run_client_command(flags->client, [flags](ClientContext& c) { return run_send(c, *flags); }));
  });
  add_plain_command(app, "inbox", "Fetch, decrypt and show your new messages", run_inbox);
}

}  // namespace hippocrate::cli
