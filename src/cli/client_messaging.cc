// Messenger: verified device lists, contacts, sending (fan-out with one retry on a device
// list mismatch) and decrypting. See client_messaging.h.
#include "cli/client_messaging.h"

#include <map>

#include <algorithm>
#include <boost/json/array.hpp>
#include <cctype>
#include <chrono>
#include <set>

#include "base/clock.h"
#include "base/ids.h"
#include "cli/output.h"
#include "e2ee/errors.h"
#include "e2ee/fan_out.h"
#include "e2ee/session_cipher.h"

namespace hippocrate::cli {
namespace {

namespace json = boost::json;

constexpr std::uint8_t kPublishedListFormat = 0x01;
constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";

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

Result<e2ee::PrekeyBundle> bundle_of(const json::object& o) {
  e2ee::PrekeyBundle b;
  auto identity = base64url_decode(json_string(o, "identity"));
  if (!identity) return e2ee::errors::malformed("bundle identity");
  HIPPO_ASSIGN_OR_RETURN(b.identity, e2ee::decode_device_identity(*identity));
  auto spk = base64url_decode(json_string(o, "signed_prekey"));
  if (!spk || spk->empty()) return e2ee::errors::missing_bundle();
  e2ee::Reader r(*spk, "signed prekey");
  b.signed_prekey = e2ee::read_signed_prekey(r);
  HIPPO_RETURN_IF_ERROR(r.finish());
  const auto& otk = json_object(o, "one_time_prekey");
  if (!otk.empty()) {
    auto key = base64url_decode(json_string(otk, "key"));
    const std::int64_t id = json_int(otk, "id", -1);
    if (!key || key->size() != e2ee::kKeyBytes || id < 0 || id > UINT32_MAX) {
      return e2ee::errors::malformed("one-time prekey");
    }
    e2ee::OneTimePrekeyPublic p;
    p.id = static_cast<std::uint32_t>(id);
    std::copy(key->begin(), key->end(), p.public_key.begin());
    b.one_time_prekey = p;
  }
  return b;
}

}  // namespace

Bytes publish_device_list(const e2ee::PublicKey& account_key,
                          std::span<const std::uint8_t> signed_list) {
  Bytes out;
  out.reserve(1 + account_key.size() + signed_list.size());
  out.push_back(kPublishedListFormat);
  out.insert(out.end(), account_key.begin(), account_key.end());
  out.insert(out.end(), signed_list.begin(), signed_list.end());
  return out;
}

bool settled(const Opened& o) {
  if (o.content || o.duplicate) return true;
  // Only a message that can never become readable is acknowledged (deleted): its bytes or
  // its sender's signed list fail the protocol's checks. A sender the server will not
  // describe now (contact_not_permitted, no device list) may be described later: the
  // message stays, and if it never opens the retention sweep tells its sender
  // (docs/messaging.md "Expiry").
  return o.error->code().starts_with("e2ee_");
}

bool unreadable(const Opened& o) {
  return o.error && o.error->code() != "e2ee_replay";
}

std::optional<std::string> refusal_reason(const Opened& o) {
  if (!settled(o) || !unreadable(o)) return std::nullopt;
  return o.sender_unverified ? "sender_unverified" : "undecryptable";
}

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
  if (account_id == me_.account_id) return call("GET", "/api/v1/me/devices");
  if (!is_valid_id(account_id)) return usage_error("not an account id: " + account_id);
  return call("GET", "/api/v1/accounts/" + account_id + "/devices");
}

Result<VerifiedDevices> Messenger::verified_devices(const std::string& account_id,
                                                    client::KeystoreData& data,
                                                    std::vector<std::string>& warnings) {
  HIPPO_ASSIGN_OR_RETURN(json::object l, listing(account_id));
  const std::string text = json_string(l, "device_list");
  if (text.empty()) {
    return Error::failed_precondition(
        "no_recipient_devices", describe(who_is(account_id)) +
                                    " has not set up encrypted messaging yet (no device)");
  }
  auto blob = base64url_decode(text);
  if (!blob || blob->size() < 1 + e2ee::kKeyBytes) return e2ee::errors::malformed("device list");
  if ((*blob)[0] != kPublishedListFormat) return e2ee::errors::unknown_version("device list");
  VerifiedDevices v;
  std::copy_n(blob->begin() + 1, e2ee::kKeyBytes, v.account_key.begin());
  const std::span<const std::uint8_t> signed_list(blob->data() + 1 + e2ee::kKeyBytes,
                                                  blob->size() - 1 - e2ee::kKeyBytes);
  auto pinned = data.contacts.find(account_id);
  if (account_id == me_.account_id) {
    // Never learnt from the server: the first device made it, a paired one was told.
    if (pinned == data.contacts.end()) {
      return Error::failed_precondition("device_not_paired", "this device is not paired yet");
    }
    v.account_key = pinned->second.account_key;
  } else if (pinned == data.contacts.end()) {
    data = client::observe_account_key(std::move(data), account_id, v.account_key);  // first use
  } else if (pinned->second.account_key != v.account_key) {
    // Verified or not, the change blocks sending until the user accepts it (protocol.md
    // §2.2): whoever can write the server's database can swap an account key and the
    // devices it signs, and the first message after the swap would go to the impostor.
    data = client::observe_account_key(std::move(data), account_id, v.account_key);
    data.device_list_versions.erase(account_id);  // a new key starts a new list history
  }
  if (account_id != me_.account_id) {
    // Remembered, to name them once the server's contact list no longer does.
    if (const AccountInfo who = who_is(account_id); !who.email.empty()) {
      client::ContactRecord& record = data.contacts.at(account_id);
      record.email = who.email;
      record.display_name = who.display_name;
    }
  }
  // Repeated at every command until the user accepts or verifies the new key.
  if (account_id != me_.account_id) {
    if (auto w = key_change_warning(data, account_id)) warnings.push_back(std::move(*w));
  }
  std::uint64_t last_seen = 0;
  if (auto it = data.device_list_versions.find(account_id); it != data.device_list_versions.end()) {
    last_seen = it->second;
  }
  HIPPO_ASSIGN_OR_RETURN(v.signed_list, e2ee::verify_device_list(signed_list, v.account_key,
                                                                 account_id, last_seen));
  data.device_list_versions[account_id] = v.signed_list.version;
  v.server_version = json_int(l, "device_list_version");
  std::set<std::string> routed;
  if (const auto* devices = l.if_contains("devices"); devices && devices->is_array()) {
    for (const auto& d : devices->as_array()) {
      if (!d.is_object()) continue;
      const auto* revoked = d.as_object().if_contains("revoked_at");
      if (revoked != nullptr && !revoked->is_null()) continue;
      const std::string id = json_string(d.as_object(), "device_id");
      routed.insert(id);
      v.registered_at[id] = json_int(d.as_object(), "registered_at");
    }
  }
  v.current = v.signed_list;
  std::erase_if(v.current.devices, [&](const auto& d) { return !routed.contains(d.device_id); });
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
  std::set<std::string> current;
  for (const auto& d : own.current.devices) current.insert(d.device_id);
  const bool known = data.own_devices.has_value();
  if (known && *data.own_devices == current &&
      data.device_list_versions == keystore_->data().device_list_versions) {
    return ok_status();
  }
  if (known) {
    for (const auto& id : current) {
      if (data.own_devices->contains(id) || id == device_id()) continue;
      notices.push_back(
          "A DEVICE WAS ADDED TO YOUR ACCOUNT: " + id + " (registered " +
          format_time(own.registered_at[id]) +
          "). It receives your messages from now on. If you did not add it, revoke it on your "
          "first device (hippocrate devices revoke " + id + ") and tell your administrator");
    }
    for (const auto& id : *data.own_devices) {
      if (current.contains(id)) continue;
      notices.push_back("the device " + id +
                        " was removed from your account: it receives nothing new");
    }
  }
  // Told once: the next command compares with this set.
  data.own_devices = std::move(current);
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
  if (text.size() > e2ee::kMaxBodyBytes) {
    return Error::resource_exhausted("message_too_large", "a message holds at most 64 KiB");
  }
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
    std::map<std::string, json::array> wanted;
    for (const auto& a : e2ee::devices_needing_bundles(data.device, lists, data.sessions)) {
      wanted[a.account_id].emplace_back(a.device_id);
    }
    for (auto& [account, ids] : wanted) {
      json::object body{{"device_ids", std::move(ids)}};
      HIPPO_ASSIGN_OR_RETURN(json::object got,
                             call("POST", "/api/v1/accounts/" + account + "/prekey-bundles", &body));
      if (const auto* list = got.if_contains("bundles"); list && list->is_array()) {
        for (const auto& item : list->as_array()) {
          if (!item.is_object()) continue;
          auto bundle = bundle_of(item.as_object());
          if (!bundle) continue;  // fan_out reports the device as e2ee_missing_bundle
          bundles[{account, bundle->identity.device_id}] = std::move(*bundle);
        }
      }
    }
    e2ee::MessageContent content{message_id, me_.account_id, device_id(),
                                 now_millis(),
                                 std::string(kTextContentType),
                                 Bytes(text.begin(), text.end())};
    HIPPO_ASSIGN_OR_RETURN(e2ee::FanOut fan, e2ee::fan_out(data.device, lists, data.sessions,
                                                           bundles, content, now_seconds()));
    if (fan.envelopes.empty()) {
      return Error::failed_precondition("no_recipient_devices", "there is no device to send to");
    }
    data.sessions = std::move(fan.sessions);
    // The next sessions are stored before the envelopes leave (keystore.h).
    HIPPO_RETURN_IF_ERROR(commit(std::move(data)));
    json::array envelopes;
    for (const auto& e : fan.envelopes) {
      envelopes.push_back(json::object{{"device_id", e.to.device_id},
                                       {"ciphertext", base64url_encode(e.envelope)}});
    }
    json::object body{{"message_id", message_id},
                      {"recipient", to.account_id},
                      {"sender_device", device_id()},
                      {"envelopes", std::move(envelopes)}};
    auto sent = call("POST", "/api/v1/messages", &body);
    if (sent) {
      Sent out{message_id, json_int(*sent, "stored_at"), fan.envelopes.size(), std::nullopt};
      // Sent: into the history (a failure only leaves it out there, said on stderr).
      auto history = this->history();
      Status recorded = ok_status();
      if (!history) {
        recorded = history.error();
      } else {
        recorded = history->append({message_id, to.account_id, client::Direction::kSent,
                                    device_id(), static_cast<std::int64_t>(content.sent_at_ms),
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
  Opened out{in, std::nullopt, std::nullopt};
  // At-least-once delivery: a message already decrypted comes again when its ack was lost.
  // Only ids of decrypted messages are recorded (the id inside the ciphertext equals the
  // server's), so an altered or forged envelope never marks an id as received.
  if (data.seen_messages.contains(in.message_id)) {
    out.duplicate = true;
    return out;
  }
  auto cached = sender_lists_.find(in.sender);
  if (cached == sender_lists_.end() || !e2ee::find_device(cached->second, in.sender_device)) {
    auto v = verified_devices(in.sender, data, warnings);
    if (!v) {
      out.error = v.error();
      out.sender_unverified = true;
      return out;
    }
    cached = sender_lists_.insert_or_assign(in.sender, v->signed_list).first;
  }
  const auto* sender = e2ee::find_device(cached->second, in.sender_device);
  if (sender == nullptr) {
    out.error = e2ee::errors::unknown_device();
    out.sender_unverified = true;
    return out;
  }
  const e2ee::DeviceAddress address{in.sender, in.sender_device};
  const auto existing = data.sessions.find(address);
  auto r = e2ee::decrypt_message(data.device, data.prekeys, *sender,
                                 existing == data.sessions.end() ? nullptr : &existing->second,
                                 in.ciphertext, now_seconds());
  if (!r) {
    out.error = r.error();
    return out;
  }
  if (r->content.message_id != in.message_id) {
    // Not committed: the session stays as it was for the genuine messages.
    out.error = e2ee::errors::malformed("the message id inside differs from the server's");
    return out;
  }
  data.sessions.insert_or_assign(address, r->session);
  if (r->used_one_time_prekey) {
    data.prekeys = e2ee::without_one_time_prekey(data.prekeys, *r->used_one_time_prekey);
  }
  data.seen_messages.insert(in.message_id);
  out.content = std::move(r->content);
  return out;
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
