#include "client/engine/engine.h"

#include <cctype>
#include <chrono>
#include <string_view>

#include "base/ids.h"

namespace hippocrate::client {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Engine::Engine(AccountInfo me, std::optional<KeystoreData> state, Environment env)
    : me_(std::move(me)), state_(std::move(state)), env_(std::move(env)) {}

bool Engine::paired() const { return state_ && state_->contacts.contains(me_.account_id); }

Status Engine::require_paired() const {
  if (paired()) return ok_status();
  return Error::failed_precondition("device_not_paired", "this device is not paired yet");
}

Status Engine::require_state() const {
  if (has_state()) return ok_status();
  return Error::failed_precondition("device_not_paired", "this device is not set up");
}

void Engine::reload(std::optional<KeystoreData> state) {
  state_ = std::move(state);
  pending_.reset();
}

void Engine::forget_listings() {
  own_listing_.reset();
  sender_lists_.clear();
}

AccountInfo Engine::who_is(const std::string& account_id) const {
  if (account_id == me_.account_id) return me_;
  if (contacts_) {
    for (const auto& c : *contacts_) {
      if (c.account_id == account_id) return c;
    }
  }
  // No longer a contact (a care relationship ended): as the keystore last knew them.
  if (state_) {
    auto it = state_->contacts.find(account_id);
    if (it != state_->contacts.end() && !it->second.email.empty()) {
      return AccountInfo{account_id, it->second.email, it->second.display_name, ""};
    }
  }
  return AccountInfo{account_id, "", "", ""};
}

Result<AccountInfo> Engine::resolve(const std::string& who) const {
  const std::string key = lower(who);
  if (key == me_.account_id || key == lower(me_.email)) return me_;
  if (contacts_) {
    for (const auto& c : *contacts_) {
      if (c.account_id == key || lower(c.email) == key) return c;
    }
  }
  if (is_valid_id(key)) return AccountInfo{key, "", "", ""};
  return Error::permission_denied(
      "contact_not_permitted", who + " is not someone you may message (see: hippocrate contacts)");
}

std::vector<std::string> Engine::take_key_changes_met() {
  std::vector<std::string> out(key_changes_met_.begin(), key_changes_met_.end());
  key_changes_met_.clear();
  return out;
}

std::vector<std::string> Engine::pending_key_changes() const {
  std::vector<std::string> out;
  if (!state_) return out;
  for (const auto& [account_id, record] : state_->contacts) {
    if (account_id != me_.account_id && record.key_changed) out.push_back(account_id);
  }
  return out;
}

std::uint64_t Engine::now_seconds() const {
  return static_cast<std::uint64_t>(unix_seconds(env_.clock->now()));
}

std::uint64_t Engine::now_millis() const {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(env_.clock->now().time_since_epoch())
          .count());
}

std::string Engine::new_message_id() {
  return env_.new_message_id ? env_.new_message_id() : hippocrate::new_message_id();
}

Step Engine::request(ApiRequest request, bool keeps_devices) {
  if (request.method != "GET" && !keeps_devices) own_listing_.reset();
  return Step::ask(std::move(request));
}

std::optional<Step> Engine::ask_listing(const std::string& account_id) {
  if (account_id == me_.account_id) {
    if (own_listing_) return std::nullopt;
    return request({"GET", "/api/v1/me/devices", {}});
  }
  return request({"GET", "/api/v1/accounts/" + account_id + "/devices", {}});
}

Answer Engine::take_listing(const std::string& account_id, Answer* answer) {
  if (answer == nullptr) {
    // Only after ask_listing said one's own listing is cached; anything else is a bug of the
    // calling operation, answered as an error rather than read through an empty optional.
    if (account_id != me_.account_id || !own_listing_) {
      return Error::internal("operation_state", "no cached listing for this account");
    }
    return *own_listing_;
  }
  if (*answer && account_id == me_.account_id) own_listing_ = **answer;
  return std::move(*answer);
}

Result<VerifiedDevices> Engine::verify(KeystoreData& data, const std::string& account_id,
                                       const boost::json::object& listing) {
  auto v = verify_listing(data, me_.account_id, account_id, listing);
  if (!v && v.error().code() == "no_recipient_devices") {
    return Error::failed_precondition(
        "no_recipient_devices",
        describe(who_is(account_id)) + " has not set up encrypted messaging yet (no device)");
  }
  if (account_id != me_.account_id && data.contacts.contains(account_id)) {
    ContactRecord& record = data.contacts.at(account_id);
    // Remembered, to name them once the server's contact list no longer does.
    if (const AccountInfo who = who_is(account_id); !who.email.empty()) {
      record.email = who.email;
      record.display_name = who.display_name;
    }
    if (record.key_changed) key_changes_met_.insert(account_id);
  }
  return v;
}

Step Engine::commit(KeystoreData next) {
  pending_ = std::move(next);
  return Step::commit(*pending_);
}

Status Engine::committed(const Answer& answer) {
  if (!answer) {
    pending_.reset();
    return answer.error();
  }
  if (pending_) state_ = std::move(pending_);
  pending_.reset();
  return ok_status();
}

bool take_verification_hint(KeystoreData& data, const std::string& own_account,
                            const std::string& account_id) {
  if (account_id == own_account) return false;
  auto it = data.contacts.find(account_id);
  if (it == data.contacts.end() || it->second.verified || it->second.key_changed ||
      it->second.hint_shown) {
    return false;
  }
  it->second.hint_shown = true;
  return true;
}

}  // namespace hippocrate::client
