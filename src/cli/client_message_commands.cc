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
#include "client/engine/inbox.h"

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
    std::printf(
        "Nobody you may message yet (patients: an active care relationship; staff: "
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

Status run_inbox(ClientContext& context) {
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kReady));
  client::ReadInbox inbox(m->engine());
  json::array all;
  std::vector<std::string> hints;
  // Each batch is shown once the keystore holds its sessions, before it is acknowledged
  // (client/engine/inbox.h); a message received before, delivered again, is not shown.
  auto show = [&]() -> Status {
    for (const auto& o : inbox.batch().opened) {
      if (o.duplicate) continue;
      if (context.json())
        all.push_back(opened_json(*m, o));
      else
        print_opened(*m, o);
    }
    for (const auto& id : inbox.batch().suggest_verification)
      hints.push_back(m->verification_hint(id));
    return ok_status();
  };
  HIPPO_ASSIGN_OR_RETURN(client::InboxRead read, m->run(inbox, show));
  if (read.expired > 0 && !context.json()) print_expired(read.expired);
  json::array notices;
  if (read.undelivered) {
    HIPPO_ASSIGN_OR_RETURN(notices, report_undelivered(*m, context.json()));
  }
  // Every contact whose account key change is not accepted yet, at every inbox.
  std::vector<std::string> warnings = m->key_changes_met();
  for (auto& w : m->pending_key_changes()) warnings.push_back(std::move(w));
  print_warnings(warnings);
  for (const auto& h : hints) std::fprintf(stderr, "hippocrate: %s\n", h.c_str());
  if (context.json()) {
    json::object answer{{"messages", std::move(all)},
                        {"expired", read.expired},
                        {"undelivered", std::move(notices)}};
    if (read.unreadable > 0) answer["unreadable"] = read.unreadable;
    print_json(answer);
  } else if (read.shown == 0) {
    std::printf("No new messages.\n");
  }
  return unreadable_status(read.unreadable);
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
    throw CLI::RuntimeError(run_client_command(
        flags->client, [flags](ClientContext& c) { return run_send(c, *flags); }));
  });
  add_plain_command(app, "inbox", "Fetch, decrypt and show your new messages", run_inbox);
}

}  // namespace hippocrate::cli
