// The local message history from the command line (docs/cli.md "Messaging",
// docs/messaging.md "Local history"): what this device decrypted or sent, kept encrypted in
// PROFILE/history (client/history.h), since the server deletes a message once received.
//   conversations                        one line per contact: last message, how many
//   history EMAIL [--limit N] [--json]   the last N messages with them, oldest first
// Nothing is fetched from the server but the names of one's contacts.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json/array.hpp>
#include <cctype>
#include <cstdio>
#include <map>
#include <memory>

#include "cli/client_commands.h"
#include "cli/client_messaging.h"
#include "cli/command_helpers.h"
#include "cli/output.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

constexpr std::size_t kPreviewChars = 40;

// Control characters become ' ' (a preview is one line; escape sequences never reach the
// terminal), cut at `max` bytes without splitting a UTF-8 character.
std::string one_line(std::string_view text, std::size_t max) {
  std::string out(text.substr(0, std::min(text.size(), max)));
  if (out.size() < text.size()) {
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  }
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return out.size() < text.size() ? out + "..." : out;
}

// Newline and tab kept, other control characters '?' (as inbox prints a message).
std::string printable(std::string text) {
  for (char& c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f) c = '?';
  }
  return text;
}

std::string when(std::int64_t ms) { return format_time(ms / 1000); }

Status run_conversations(ClientContext& context) {
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kPairing));
  if (!m->has_keystore())
    return Error::failed_precondition("no_keystore", "no messages yet on this device");
  HIPPO_ASSIGN_OR_RETURN(client::History history, m->history());
  struct Summary {
    std::size_t count = 0;
    const client::HistoryRecord* last = nullptr;
  };
  std::map<std::string, Summary> by_contact;
  for (const auto& r : history.records()) {
    Summary& s = by_contact[r.contact];
    ++s.count;
    if (s.last == nullptr || r.sent_at_ms >= s.last->sent_at_ms) s.last = &r;
  }
  std::vector<std::pair<std::string, Summary>> rows(by_contact.begin(), by_contact.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.last->sent_at_ms > b.second.last->sent_at_ms;  // the latest first
  });
  if (context.json()) {
    json::array out;
    for (const auto& [id, s] : rows) {
      const AccountInfo who = m->who_is(id);
      out.push_back(json::object{{"account_id", id},
                                 {"email", who.email},
                                 {"display_name", who.display_name},
                                 {"messages", s.count},
                                 {"last_sent_at_ms", s.last->sent_at_ms},
                                 {"last_from_me", s.last->direction == client::Direction::kSent}});
    }
    print_json(json::object{{"conversations", std::move(out)}});
    return ok_status();
  }
  if (rows.empty()) {
    std::printf("No messages yet on this device.\n");
    return ok_status();
  }
  std::printf("%-24s  %-30s  %-23s  %8s  %s\n", "NAME", "E-MAIL", "LAST MESSAGE", "MESSAGES",
              "LAST");
  for (const auto& [id, s] : rows) {
    const AccountInfo who = m->who_is(id);
    const std::string name = id == m->me().account_id ? "(you, other devices)" : who.display_name;
    const std::string preview = (s.last->direction == client::Direction::kSent ? "You: " : "") +
                                one_line(s.last->text, kPreviewChars);
    std::printf("%-24s  %-30s  %-23s  %8zu  %s\n", name.c_str(),
                (who.email.empty() ? id : who.email).c_str(), when(s.last->sent_at_ms).c_str(),
                s.count, preview.c_str());
  }
  return ok_status();
}

// EMAIL or an account id → the account, among one's contacts or, for someone who no longer
// is one (a care relationship ended), as the keystore last knew them: their history stays.
Result<AccountInfo> history_contact(Messenger& m, const std::string& who) {
  auto current = m.resolve(who);
  if (current || current.error().code() != "contact_not_permitted") return current;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (const auto& [id, record] : m.data().contacts) {
    if (!record.email.empty() && lower(record.email) == lower(who)) {
      return AccountInfo{id, record.email, record.display_name, ""};
    }
  }
  return current;
}

struct HistoryFlags {
  ClientFlags client;
  std::string with;
  int limit = 50;
};

Status run_history(ClientContext& context, const HistoryFlags& flags) {
  if (flags.limit <= 0) return usage_error("--limit must be at least 1");
  HIPPO_ASSIGN_OR_RETURN(auto m, Messenger::open(context, Messenger::Setup::kPairing));
  if (!m->has_keystore())
    return Error::failed_precondition("no_keystore", "no messages yet on this device");
  HIPPO_ASSIGN_OR_RETURN(AccountInfo who, history_contact(*m, flags.with));
  HIPPO_ASSIGN_OR_RETURN(client::History history, m->history());
  std::vector<const client::HistoryRecord*> with;
  for (const auto& r : history.records()) {
    if (r.contact == who.account_id) with.push_back(&r);
  }
  // Oldest to newest by the sender's time (the order they were written in a conversation);
  // appended order breaks ties.
  std::stable_sort(with.begin(), with.end(),
                   [](const auto* a, const auto* b) { return a->sent_at_ms < b->sent_at_ms; });
  const std::size_t limit = static_cast<std::size_t>(flags.limit);
  if (with.size() > limit)
    with.erase(with.begin(), with.end() - static_cast<std::ptrdiff_t>(limit));
  if (context.json()) {
    json::array out;
    for (const auto* r : with) {
      out.push_back(json::object{{"message_id", r->message_id},
                                 {"from_me", r->direction == client::Direction::kSent},
                                 {"sender_device", r->sender_device},
                                 {"sent_at_ms", r->sent_at_ms},
                                 {"received_at_ms", r->received_at_ms},
                                 {"text", r->text}});
    }
    print_json(json::object{{"account_id", who.account_id},
                            {"email", who.email},
                            {"messages", std::move(out)}});
    return ok_status();
  }
  if (with.empty()) {
    std::printf("No messages with %s on this device.\n", describe(who).c_str());
    return ok_status();
  }
  const std::string them = describe(m->who_is(who.account_id));
  for (const auto* r : with) {
    std::printf("%s  %s\n%s\n\n", when(r->sent_at_ms).c_str(),
                r->direction == client::Direction::kSent ? "You" : them.c_str(),
                printable(r->text).c_str());
  }
  return ok_status();
}

}  // namespace

void add_history_commands(CLI::App& app) {
  add_plain_command(app, "conversations", "The people you exchanged messages with on this device",
                    run_conversations);
  auto flags = std::make_shared<HistoryFlags>();
  auto* history = app.add_subcommand("history", "Your past messages with someone, oldest first");
  history->add_option("with", flags->with, "Their e-mail (or account id)")->required();
  history->add_option("--limit", flags->limit, "Show the last N messages (default 50)");
  add_client_flags(history, flags->client, false);
  history->callback([flags] {
    throw CLI::RuntimeError(run_client_command(
        flags->client, [flags](ClientContext& c) { return run_history(c, *flags); }));
  });
}

}  // namespace hippocrate::cli
