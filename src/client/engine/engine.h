// The client core of one device of one account (docs/architecture.md "Client core"): its
// keystore state as last committed, what it knows of the server (its own listing for the
// current command, the verified lists of senders, the contacts), the injected clock and
// randomness, and the checks every operation shares. The operations (set_up.h,
// send_text.h, receive_batch.h, undelivered.h, …) run against it step by step
// (operation.h); the host gives it the state it loaded and stores what it commits.
//
// Not thread-safe: one host thread drives one operation at a time.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "client/engine/account.h"
#include "client/engine/device_lists.h"
#include "client/engine/operation.h"
#include "client/keystore.h"
#include "e2ee/device_list.h"
#include "e2ee/keys.h"

namespace hippocrate::client {

// Where time and randomness come from (tests inject fixed ones).
struct Environment {
  const Clock* clock = &SystemClock::instance();
  e2ee::KeySource* keys = &e2ee::system_key_source();
  std::function<std::string()> new_message_id;  // empty: base/ids.h's new_message_id
};

class Engine {
 public:
  // `state`: the keystore as the host loaded it; none when this profile has no device yet.
  Engine(AccountInfo me, std::optional<KeystoreData> state, Environment env = {});

  const AccountInfo& me() const { return me_; }
  bool has_state() const { return state_.has_value(); }
  const KeystoreData& state() const { return *state_; }  // requires has_state()
  const std::string& device_id() const { return state_->device.pub.device_id; }
  // True when this device may act: its own account key is pinned (registered or paired).
  bool paired() const;
  // "device_not_paired" unless paired() (require_paired) or a keystore exists (require_state).
  Status require_paired() const;
  Status require_state() const;
  // The host read its store again (another process of the profile may have changed it).
  void reload(std::optional<KeystoreData> state);
  // Forgets what was read from the server about device lists: the next operation reads
  // them again (a device_list_mismatch; the host's own writes to devices).
  void forget_listings();

  // --- Accounts (display data) -------------------------------------------------------
  // Sets the contacts (GET /api/v1/contacts, see FetchContacts in contacts.h).
  void set_contacts(std::vector<AccountInfo> contacts) { contacts_ = std::move(contacts); }
  const std::optional<std::vector<AccountInfo>>& contacts() const { return contacts_; }
  // Oneself, a contact, a former contact as the keystore remembers them, else the id.
  AccountInfo who_is(const std::string& account_id) const;
  // An e-mail (any case) or an account id: oneself, a contact, or an account id the
  // contact list does not show (the server decides, and audits). Else
  // "contact_not_permitted". Needs the contacts set.
  Result<AccountInfo> resolve(const std::string& who) const;

  // --- Trust ------------------------------------------------------------------------------
  // The accounts whose account key changed and is not accepted yet, met by the
  // operations since the last call (the host warns at every command that meets one).
  std::vector<std::string> take_key_changes_met();
  // Every such account the keystore knows (oneself excepted).
  std::vector<std::string> pending_key_changes() const;

  // --- For operations ---------------------------------------------------------------------
  std::uint64_t now_seconds() const;
  std::uint64_t now_millis() const;
  e2ee::KeySource& keys() { return *env_.keys; }
  std::string new_message_id();
  // A request step. One that is not a GET forgets one's own listing (it may change one's
  // devices) unless `keeps_devices` (a prekey upload, an acknowledgement).
  Step request(ApiRequest request, bool keeps_devices = false);
  // One's own listing as cached now (null when it is not).
  const boost::json::object* cached_own_listing() const {
    return own_listing_ ? &*own_listing_ : nullptr;
  }
  // Forgets one's own listing only (a sender's device it does not name: listen runs long).
  void forget_own_listing() { own_listing_.reset(); }
  // The listing of `account_id`'s devices: a request step, or nullopt when it is cached
  // (one's own, read once per command while nothing changes).
  std::optional<Step> ask_listing(const std::string& account_id);
  // The answer to ask_listing (cached when it is one's own), or the cached one when
  // `answer` is null (an internal error if there is none: call it after ask_listing).
  Answer take_listing(const std::string& account_id, Answer* answer);
  // verify_listing (device_lists.h) plus what the core remembers: a contact's name and
  // e-mail (to name them once the server's list no longer does) and a key change met.
  // "no_recipient_devices" with the account's name when it has no device list.
  Result<VerifiedDevices> verify(KeystoreData& data, const std::string& account_id,
                                 const boost::json::object& listing);
  // A commit step of `next`; committed(answer) makes it the state when the host stored it.
  Step commit(KeystoreData next);
  Status committed(const Answer& answer);
  // The verified list of a sender's devices, cached for the command (receive_batch.h).
  std::map<std::string, e2ee::DeviceList>& sender_lists() { return sender_lists_; }

 private:
  AccountInfo me_;
  std::optional<KeystoreData> state_;
  std::optional<KeystoreData> pending_;  // handed to the host by commit()
  Environment env_;
  std::optional<boost::json::object> own_listing_;
  std::map<std::string, e2ee::DeviceList> sender_lists_;
  std::optional<std::vector<AccountInfo>> contacts_;
  std::set<std::string> key_changes_met_;
};

// After a first exchange with a contact who is not verified (nor changed key): true once,
// setting hint_shown in `data` (to commit), so that the host says how to verify them.
bool take_verification_hint(KeystoreData& data, const std::string& own_account,
                            const std::string& account_id);

}  // namespace hippocrate::client
