// Checking who you talk to (docs/protocol.md §7, docs/cli.md "Messaging"):
//   safety-number EMAIL [--no-qr] [--light-background]   the 60 digits and a QR code
//   verify EMAIL [--acknowledge-change]                   mark the contact verified
//   trust EMAIL                                           accept a changed key unverified
// Both sides compute the same number from the two account keys; comparing it (in person,
// on a video call) proves no one sits in between. A contact whose account key changes,
// verified or not, is blocked for sending until the user accepts the new key: `verify
// --acknowledge-change` once the new safety number matches (verified again), or `trust`
// (accepted without comparing: recorded as not verified).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/client_commands.h"
#include "cli/client_messaging.h"
#include "cli/output.h"
#include "cli/terminal_qr.h"
#include "client/engine/verification.h"
#include "e2ee/safety_number.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

struct SafetyFlags {
  ClientFlags client;
  std::string who;
  bool no_qr = false;
  bool light_background = false;
  bool acknowledge_change = false;
};

struct Peer {
  AccountInfo account;
  client::ContactRecord record;
  std::string digits;
  std::string qr;
};

// Resolves `who`, then the core's FetchSafetyNumber (client/engine/verification.h).
Result<Peer> load_peer(Messenger& m, const std::string& who) {
  HIPPO_ASSIGN_OR_RETURN(AccountInfo account, m.resolve(who));
  if (account.account_id == m.me().account_id) {
    return usage_error("that is you: a safety number is between you and someone else");
  }
  client::FetchSafetyNumber fetch(m.engine(), account.account_id);
  auto number = m.run(fetch);
  // A key change is what verify and trust are about: they say it in their own words.
  std::vector<std::string> warnings = m.key_changes_met();
  if (auto change = m.key_change_warning(m.data(), account.account_id))
    std::erase(warnings, *change);
  print_warnings(warnings);
  if (!number) return number.error();
  return Peer{account, number->record, number->digits, number->qr};
}

Status run_safety_number(ClientContext& context, const SafetyFlags& flags) {
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kReady));
  HIPPO_ASSIGN_OR_RETURN(Peer peer, load_peer(*m, flags.who));
  if (context.json()) {
    print_json(json::object{{"account_id", peer.account.account_id},
                            {"email", peer.account.email},
                            {"safety_number", peer.digits},
                            {"qr", peer.qr},
                            {"verified", peer.record.verified},
                            {"key_changed", peer.record.key_changed}});
    return ok_status();
  }
  const std::string grouped = e2ee::format_safety_number(peer.digits);
  // 12 groups of 5: two lines of six.
  const std::size_t half = grouped.size() / 2;
  std::printf("Safety number with %s:\n\n  %s\n  %s\n\n", describe(peer.account).c_str(),
              grouped.substr(0, half).c_str(), grouped.substr(half + 1).c_str());
  if (!flags.no_qr) {
    HIPPO_ASSIGN_OR_RETURN(
        std::string qr,
        render_terminal_qr(peer.qr, flags.light_background ? TerminalTheme::kLightBackground
                                                           : TerminalTheme::kDarkBackground));
    std::fputs(qr.c_str(), stdout);
    std::printf("\n");
  }
  if (peer.record.key_changed) {
    std::printf(
        "Their account key CHANGED and sending to them is blocked: compare these "
        "digits with them, then `hippocrate verify %s --acknowledge-change`.\n",
        flags.who.c_str());
  } else if (peer.record.verified) {
    std::printf("You verified this contact.\n");
  } else {
    std::printf(
        "Compare these digits with the ones %s sees (in person or on a video call).\n"
        "If they match: hippocrate verify %s\n",
        peer.account.display_name.empty() ? "they" : peer.account.display_name.c_str(),
        flags.who.c_str());
  }
  return ok_status();
}

Status run_verify(ClientContext& context, const SafetyFlags& flags) {
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kReady));
  HIPPO_ASSIGN_OR_RETURN(Peer peer, load_peer(*m, flags.who));
  const std::string& id = peer.account.account_id;
  auto verified = client::verify_contact(m->data(), id, flags.acknowledge_change);
  if (!verified) {
    if (verified.error().code() != "key_change_unacknowledged") return verified.error();
    std::fprintf(stderr, "hippocrate: WARNING: THE ACCOUNT KEY OF %s CHANGED.\n",
                 describe(peer.account).c_str());
    return Error::failed_precondition("key_change_unacknowledged",
                                      "compare the new safety number (hippocrate safety-number " +
                                          flags.who +
                                          ") and, only if it matches, run: hippocrate verify " +
                                          flags.who + " --acknowledge-change");
  }
  HIPPO_RETURN_IF_ERROR(m->commit(std::move(*verified)));
  if (context.json()) {
    print_json(json::object{{"verified", id}, {"safety_number", peer.digits}});
    return ok_status();
  }
  std::printf(
      "%s is now verified (safety number %s...). You will be warned, and sending "
      "blocked, if their account key changes.\n",
      describe(peer.account).c_str(), peer.digits.substr(0, 10).c_str());
  return ok_status();
}

// Accepts a changed account key without comparing safety numbers: sending works again,
// the contact is recorded as NOT verified, and the hint to verify them comes back.
Status run_trust(ClientContext& context, const SafetyFlags& flags) {
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kReady));
  HIPPO_ASSIGN_OR_RETURN(Peer peer, load_peer(*m, flags.who));
  const std::string& id = peer.account.account_id;
  const bool changed = peer.record.key_changed;
  if (changed) {
    HIPPO_RETURN_IF_ERROR(m->commit(client::acknowledge_key_change(m->data(), id)));
  }
  if (context.json()) {
    print_json(json::object{{"accepted", changed}, {"account_id", id}, {"verified", false}});
    return ok_status();
  }
  if (!changed) {
    std::printf("The account key of %s has not changed: nothing to accept.\n",
                describe(peer.account).c_str());
    return ok_status();
  }
  std::printf(
      "Accepted the new account key of %s WITHOUT comparing safety numbers: you may "
      "send to them again, and they are NOT verified. Compare as soon as you can: "
      "hippocrate safety-number %s, then hippocrate verify %s\n",
      describe(peer.account).c_str(), flags.who.c_str(), flags.who.c_str());
  return ok_status();
}

void add_trust(CLI::App& app) {
  auto flags = std::make_shared<SafetyFlags>();
  auto* cmd = app.add_subcommand(
      "trust", "Accept a contact's changed account key without comparing safety numbers");
  cmd->add_option("who", flags->who, "The contact's e-mail (or account id)")->required();
  add_client_flags(cmd, flags->client, false);
  cmd->callback([flags] {
    throw CLI::RuntimeError(run_client_command(
        flags->client, [flags](ClientContext& c) { return run_trust(c, *flags); }));
  });
}

void add(CLI::App& app, const char* name, const char* help, bool verify) {
  auto flags = std::make_shared<SafetyFlags>();
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("who", flags->who, "The contact's e-mail (or account id)")->required();
  if (verify) {
    cmd->add_flag("--acknowledge-change", flags->acknowledge_change,
                  "Accept a changed account key (after comparing the new safety number)");
  } else {
    cmd->add_flag("--no-qr", flags->no_qr, "Do not draw the QR code");
    cmd->add_flag("--light-background", flags->light_background,
                  "Draw the QR code for dark text on a light terminal");
  }
  add_client_flags(cmd, flags->client, false);
  cmd->callback([flags, verify] {
    throw CLI::RuntimeError(run_client_command(flags->client, [flags, verify](ClientContext& c) {
      return verify ? run_verify(c, *flags) : run_safety_number(c, *flags);
    }));
  });
}

}  // namespace

void add_safety_commands(CLI::App& app) {
  add(app, "safety-number", "Show the safety number to compare with a contact", false);
  add(app, "verify", "Mark a contact verified after comparing safety numbers", true);
  add_trust(app);
}

}  // namespace hippocrate::cli
