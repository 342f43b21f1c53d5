// Messenger: verified device lists, contacts, sending (fan-out with one retry on a device
// list mismatch) and decrypting. See client_messaging.h.
#include "cli/client_messaging.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <cctype>
#include <chrono>
#include <map>
#include <set>

#include "base/clock.h"
#include "base/ids.h"
#include "cli/output.h"
#include "client/engine/send.h"
#include "e2ee/device_list.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;


std::uint64_t now_seconds() { return static_cast<std::uint64_t>(unix_seconds(SystemClock().now())); }

std::uint64_t now_millis() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Status Messenger::refuse_unreadable(const std::vector<Opened>& opened) {
  std::map<std::string, json::array> by_reason;
  for (const auto& o : opened) {
    if (auto reason = refusal_reason(o)) by_reason[*reason].emplace_back(o.meta.message_id);
  }
  for (auto& [reason, ids] : by_reason) {
    json::object body{{"message_ids", std::move(ids)}, {"reason", reason}};
    HIPPO_RETURN_IF_ERROR(call("POST", "/api/v1/devices/" + device_id() + "/messages/refuse", &body));
  }
  return ok_status();
}

Result<json::object> Messenger::listing(const std::string& account_id) {
  if (account_id == me_.account_id) {
    // Read once per command while nothing changes (see own_listing_).
    if (!own_listing_) {
      HIPPO_ASSIGN_OR_RETURN(json::object fresh, call("GET", "/api/v1/me/devices"));
      own_listing_ = std::move(fresh);
    }
    return *own_listing_;
  }
  if (!is_valid_id(account_id)) return usage_error("not an account id: " + account_id);
  return call("GET", "/api/v1/accounts/" + account_id + "/devices");
}

Result<VerifiedDevices> Messenger::verified_devices(const std::string& account_id,
                                                    client::KeystoreData& data,
                                                    std::vector<std::string>& warnings) {
  HIPPO_ASSIGN_OR_RETURN(json::object l, listing(account_id));
  auto v = client::verify_listing(data, me_.account_id, account_id, l);
  if (!v && v.error().code() == "no_recipient_devices") {
    return Error::failed_precondition(
        "no_recipient_devices", describe(who_is(account_id)) +
                                    " has not set up encrypted messaging yet (no device)");
  }
  if (account_id != me_.account_id && data.contacts.contains(account_id)) {
    // Remembered, to name them once the server's contact list no longer does.
    if (const AccountInfo who = who_is(account_id); !who.email.empty()) {
      client::ContactRecord& record = data.contacts.at(account_id);
      record.email = who.email;
      record.display_name = who.display_name;
    }
    // Repeated at every command until the user accepts or verifies the new key.
    if (auto w = key_change_warning(data, account_id)) warnings.push_back(std::move(*w));
  }
  return v;
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
         "safety-number " + name + ") and run `hippocrate verify " + name +
         " --acknowledge-change` if they match, or accept the new key unverified with "
         "`hippocrate trust " + name + "`";
}

std::vector<std::string> Messenger::pending_key_changes() {
  std::vector<std::string> out;
  const auto& data = keystore_->data();
  for (const auto& [account_id, record] : data.contacts) {
    if (account_id == me_.account_id) continue;
    if (auto w = key_change_warning(data, account_id)) out.push_back(std::move(*w));
  }
  return out;
}

std::optional<std::string> Messenger::verification_hint(client::KeystoreData& data,
                                                        const std::string& account_id) {
  if (account_id == me_.account_id) return std::nullopt;
  auto it = data.contacts.find(account_id);
  if (it == data.contacts.end() || it->second.verified || it->second.key_changed ||
      it->second.hint_shown) {
    return std::nullopt;
  }
  it->second.hint_shown = true;
  const std::string name = command_name(account_id);
  return describe(who_is(account_id)) + " is not verified: compare your safety number with "
         "them (in person or on a video call: hippocrate safety-number " + name +
         "), then run: hippocrate verify " + name;
}

Status Messenger::check_own_devices(std::vector<std::string>& notices) {
  client::KeystoreData data = keystore_->data();
  std::vector<std::string> warnings;
  HIPPO_ASSIGN_OR_RETURN(VerifiedDevices own, verified_devices(me_.account_id, data, warnings));
  const client::OwnDeviceChanges changes = client::own_device_changes(data, own);
  if (!changes.changed && data.device_list_versions == keystore_->data().device_list_versions) {
    return ok_status();
  }
  for (const auto& id : changes.added) {
    notices.push_back(
        "A DEVICE WAS ADDED TO YOUR ACCOUNT: " + id + " (registered " +
        format_time(own.registered_at[id]) +
        "). It receives your messages from now on. If you did not add it, revoke it on your "
        "first device (hippocrate devices revoke " + id + ") and tell your administrator");
  }
  for (const auto& id : changes.removed) {
    notices.push_back("the device " + id +
                      " was removed from your account: it receives nothing new");
  }
  // Told once: the next command compares with this set.
  data.own_devices.emplace();
  for (const auto& d : own.current.devices) data.own_devices->insert(d.device_id);
  return commit(std::move(data));
}

Result<std::vector<AccountInfo>> Messenger::contacts() {
  if (contacts_) return *contacts_;
  HIPPO_ASSIGN_OR_RETURN(json::object answer, call("GET", "/api/v1/contacts"));
  std::vector<AccountInfo> out;
  if (const auto* list = answer.if_contains("contacts"); list && list->is_array()) {
    for (const auto& item : list->as_array()) {
      if (!item.is_object()) continue;
      const auto& o = item.as_object();
      out.push_back({json_string(o, "account_id"), json_string(o, "email"),
                     json_string(o, "display_name"), json_string(o, "role")});
    }
  }
  contacts_ = out;
  return out;
}

Result<AccountInfo> Messenger::resolve(const std::string& who) {
  const std::string key = lower(who);
  if (key == me_.account_id || key == lower(me_.email)) return me_;
  HIPPO_ASSIGN_OR_RETURN(auto list, contacts());
  for (const auto& c : list) {
    if (c.account_id == key || lower(c.email) == key) return c;
  }
  // An account id the contact list does not show: the server decides (and audits).
  if (is_valid_id(key)) return AccountInfo{key, "", "", ""};
  return Error::permission_denied(
      "contact_not_permitted",
      who + " is not someone you may message (see: hippocrate contacts)");
}

AccountInfo Messenger::who_is(const std::string& account_id) {
  if (account_id == me_.account_id) return me_;
  if (auto list = contacts()) {
    for (const auto& c : *list) {
      if (c.account_id == account_id) return c;
    }
  }
  // No longer a contact (a care relationship ended): as the keystore last knew them.
  if (keystore_) {
    auto it = keystore_->data().contacts.find(account_id);
    if (it != keystore_->data().contacts.end() && !it->second.email.empty()) {
      return AccountInfo{account_id, it->second.email, it->second.display_name, ""};
    }
  }
  return AccountInfo{account_id, "", "", ""};
}

Result<Messenger::Sent> Messenger::send_text(const AccountInfo& to, std::string_view text,
                                             std::vector<std::string>& warnings) {
  HIPPO_RETURN_IF_ERROR(client::check_text_size(text));
  const std::string message_id = new_message_id();
  for (int attempt = 0;; ++attempt) {
    client::KeystoreData data = keystore_->data();
    HIPPO_ASSIGN_OR_RETURN(VerifiedDevices own, verified_devices(me_.account_id, data, warnings));
    std::vector<e2ee::DeviceList> lists{own.current};
    if (to.account_id != me_.account_id) {
      auto theirs = verified_devices(to.account_id, data, warnings);
      if (!theirs) return theirs.error();
      if (client::sending_blocked(data, to.account_id)) {
        HIPPO_RETURN_IF_ERROR(commit(std::move(data)));  // remember what was seen
        const std::string name = to.email.empty() ? to.account_id : to.email;
        return Error::failed_precondition(
            "key_change_unacknowledged",
            "NOT SENT: the account key of " + describe(to) +
                " changed and you have not accepted the new one; nothing was sent to their "
                "devices. Compare safety numbers (hippocrate safety-number " + name +
                "), then run `hippocrate verify " + name +
                " --acknowledge-change`, or `hippocrate trust " + name +
                "` to accept it without comparing");
      }
      if (theirs->current.devices.empty()) {
        return Error::failed_precondition("no_recipient_devices",
                                          describe(to) + " has no messaging device");
      }
      lists.push_back(theirs->current);
    }
    // Bundles for the devices without a session, claimed per account.
    e2ee::BundleMap bundles;
    for (const auto& [account, ids] : client::bundles_to_claim(data, lists)) {
      json::object body{{"device_ids", json::array(ids.begin(), ids.end())}};
      HIPPO_ASSIGN_OR_RETURN(json::object got,
                             call("POST", "/api/v1/accounts/" + account + "/prekey-bundles", &body));
      client::add_claimed_bundles(account, got, bundles);
    }
    HIPPO_ASSIGN_OR_RETURN(client::OutgoingMessage outgoing,
                           client::encrypt_text(data, lists, bundles, message_id, to.account_id,
                                                text, now_millis(), now_seconds()));
    data.sessions = std::move(outgoing.sessions);
    // The next sessions are stored before the envelopes leave (keystore.h).
    HIPPO_RETURN_IF_ERROR(commit(std::move(data)));
    auto sent = call("POST", "/api/v1/messages", &outgoing.body);
    if (sent) {
      Sent out{message_id, json_int(*sent, "stored_at"), outgoing.envelopes, std::nullopt};
      // Sent: into the history (a failure only leaves it out there, said on stderr).
      auto history = this->history();
      Status recorded = ok_status();
      if (!history) {
        recorded = history.error();
      } else {
        recorded = history->append({message_id, to.account_id, client::Direction::kSent,
                                    device_id(),
                                    static_cast<std::int64_t>(outgoing.content.sent_at_ms),
                                    static_cast<std::int64_t>(now_millis()), std::string(text)});
      }
      if (!recorded.ok()) {
        warnings.push_back("the message was sent but not kept in your local history (" +
                           recorded.error().code() + ")");
      }
      client::KeystoreData after = keystore_->data();
      if ((out.hint = verification_hint(after, to.account_id))) {
        (void)commit(std::move(after));  // a failure only shows the hint again next time
      }
      return out;
    }
    if (sent.error().code() != "device_list_mismatch" || attempt > 0) return sent.error();
    sender_lists_.clear();  // the device lists changed: fetch them again
  }
}

Opened Messenger::open_incoming(client::KeystoreData& data, const Incoming& in,
                                std::vector<std::string>& warnings) {
  if (client::already_received(data, in.message_id)) return client::duplicate_of(in);
  auto cached = sender_lists_.find(in.sender);
  if (cached == sender_lists_.end() || !e2ee::find_device(cached->second, in.sender_device)) {
    own_listing_.reset();  // a device of one's own added meanwhile (listen runs for long)
    auto v = verified_devices(in.sender, data, warnings);
    if (!v) return client::unverified_sender(in, v.error());
    cached = sender_lists_.insert_or_assign(in.sender, v->signed_list).first;
  }
  return client::open_envelope(data, in, cached->second, now_seconds());
}

Result<client::History> Messenger::history() {
  return client::History::open(
      std::make_unique<client::FileHistoryStorage>(context_.profile().dir() / "history"),
      keystore_->derive_subkey("Hippocrate history key"), me_.account_id + device_id());
}

Status Messenger::record_received(const std::vector<Opened>& opened) {
  if (std::none_of(opened.begin(), opened.end(), [](const Opened& o) { return o.content; })) {
    return ok_status();
  }
  HIPPO_ASSIGN_OR_RETURN(client::History history, this->history());
  for (const auto& o : opened) {
    if (!o.content) continue;
    const bool mine = o.meta.sender == me_.account_id;
    // A copy of what one sent from another device: its recipient is not in the content
    // (protocol.md §5.1), so it is kept as sent by oneself in the conversation with oneself.
    HIPPO_RETURN_IF_ERROR(history.append(
        {o.meta.message_id, o.meta.sender, mine ? client::Direction::kSent : client::Direction::kReceived,
         o.meta.sender_device, static_cast<std::int64_t>(o.content->sent_at_ms),
         static_cast<std::int64_t>(now_millis()),
         std::string(o.content->body.begin(), o.content->body.end())}));
  }
  return ok_status();
}

}  // namespace hippocrate::cli
