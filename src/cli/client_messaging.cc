// Messenger: the CLI's words around the client core — key changes, verification hints,
// the refusal to send to a changed key — and the calls into it for contacts, device lists
// and sending. See client_messaging.h.
#include "cli/client_messaging.h"

#include "base/ids.h"
#include "cli/output.h"
#include "client/engine/contacts.h"

namespace hippocrate::cli {
namespace json = boost::json;

Result<json::object> Messenger::listing(const std::string& account_id) {
  if (account_id != me().account_id && !is_valid_id(account_id)) {
    return usage_error("not an account id: " + account_id);
  }
  auto ask = engine_.ask_listing(account_id);
  if (!ask) return engine_.take_listing(account_id, nullptr);
  client::Answer answer = perform(ask->request);
  return engine_.take_listing(account_id, &answer);
}

std::string Messenger::command_name(const std::string& account_id) {
  const AccountInfo who = who_is(account_id);
  return who.email.empty() ? account_id : who.email;
}

std::optional<std::string> Messenger::key_change_warning(const client::KeystoreData& data,
                                                         const std::string& account_id) {
  auto it = data.contacts.find(account_id);
  if (it == data.contacts.end() || !it->second.key_changed) return std::nullopt;
  const std::string name = command_name(account_id);
  return "THE ACCOUNT KEY OF " + describe(who_is(account_id)) + " HAS CHANGED since you " +
         (it->second.verified ? "verified it" : "first exchanged messages") +
         ". It may be a reinstall, or someone (even the server's operator) impersonating "
         "them. Sending to them is BLOCKED until you compare safety numbers (hippocrate "
         "safety-number " +
         name + ") and run `hippocrate verify " + name +
         " --acknowledge-change` if they match, or accept the new key unverified with "
         "`hippocrate trust " +
         name + "`";
}

std::vector<std::string> Messenger::pending_key_changes() {
  std::vector<std::string> out;
  for (const auto& account_id : engine_.pending_key_changes()) {
    if (auto w = key_change_warning(data(), account_id)) out.push_back(std::move(*w));
  }
  return out;
}

std::vector<std::string> Messenger::key_changes_met() {
  std::vector<std::string> out;
  for (const auto& account_id : engine_.take_key_changes_met()) {
    if (auto w = key_change_warning(data(), account_id)) out.push_back(std::move(*w));
  }
  return out;
}

std::string Messenger::verification_hint(const std::string& account_id) {
  const std::string name = command_name(account_id);
  return describe(who_is(account_id)) +
         " is not verified: compare your safety number with "
         "them (in person or on a video call: hippocrate safety-number " +
         name + "), then run: hippocrate verify " + name;
}

Result<std::vector<AccountInfo>> Messenger::contacts() {
  client::FetchContacts op(engine_);
  return run(op);
}

Result<AccountInfo> Messenger::resolve(const std::string& who) {
  HIPPO_RETURN_IF_ERROR(contacts());
  return engine_.resolve(who);
}

AccountInfo Messenger::who_is(const std::string& account_id) {
  if (account_id != me().account_id) (void)contacts();  // names, fetched once
  return engine_.who_is(account_id);
}

Result<Messenger::Sent> Messenger::send_text(const AccountInfo& to, std::string_view text,
                                             std::vector<std::string>& warnings) {
  client::SendText op(engine_, to, std::string(text));
  auto sent = run(op);
  for (auto& w : key_changes_met()) warnings.push_back(std::move(w));
  if (!sent) {
    if (sent.error().code() != "key_change_unacknowledged") return sent.error();
    const std::string name = to.email.empty() ? to.account_id : to.email;
    return Error::failed_precondition(
        "key_change_unacknowledged",
        "NOT SENT: the account key of " + describe(to) +
            " changed and you have not accepted the new one; nothing was sent to their "
            "devices. Compare safety numbers (hippocrate safety-number " +
            name + "), then run `hippocrate verify " + name +
            " --acknowledge-change`, or `hippocrate trust " + name +
            "` to accept it without comparing");
  }
  if (sent->not_in_history) {
    warnings.push_back("the message was sent but not kept in your local history (" +
                       sent->not_in_history->code() + ")");
  }
  Sent out{sent->message_id, sent->stored_at, sent->envelopes, std::nullopt};
  if (sent->suggest_verification) out.hint = verification_hint(to.account_id);
  return out;
}

Result<client::History> Messenger::history() {
  return client::History::open(
      std::make_unique<client::FileHistoryStorage>(context_.profile().dir() / "history"),
      keystore_->derive_subkey("Hippocrate history key"), me().account_id + device_id());
}

Status Messenger::record(const std::vector<client::HistoryRecord>& records) {
  HIPPO_ASSIGN_OR_RETURN(client::History history, this->history());
  for (const auto& r : records) HIPPO_RETURN_IF_ERROR(history.append(r));
  return ok_status();
}

}  // namespace hippocrate::cli
