// The client side of end-to-end encrypted messaging shared by the CLI commands (devices,
// send, inbox, listen, safety-number, verify): this device's encrypted keystore in the
// profile, its registration with the server, and the verified device lists of accounts
// (docs/protocol.md, docs/messaging.md, docs/cli.md "Messaging").
//
// The keystore is PROFILE/keystore (0600), sealed with the random key PROFILE/keystore.key
// (0600), or with a passphrase when $HIPPOCRATE_KEYSTORE_PASSPHRASE is set when it is
// created (and then needed each time). A Messenger holds an exclusive lock
// (PROFILE/keystore.lock, flock) while it may change the keystore, so two commands of the
// same profile never overwrite each other's session state.
//
// Trust: the account key of another account is pinned the first time it is seen (trust on
// first use; the safety number is how people check it, and the first exchange with an
// unverified contact prints how, once). A different key later blocks sending to that
// contact, verified or not, with a loud warning at every command that meets it, until the
// user accepts it (`verify --acknowledge-change` after comparing safety numbers, or `trust`
// without). A new device under the same account key is normal (pairing) and blocks
// nothing. One's own account key is never learnt from the server: the first device creates
// it, a paired device is given it by the user (`devices add --account-key`); a device
// added to or removed from one's own account is told to the user's other devices once.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/secret_bytes.h"
#include "cli/client_context.h"
#include "client/history.h"
#include "client/engine/device_lists.h"
#include "client/engine/device_setup.h"
#include "client/engine/receive.h"
#include "client/keystore.h"
#include "e2ee/device_list.h"
#include "e2ee/message_content.h"

namespace hippocrate::cli {

struct AccountInfo {
  std::string account_id;
  std::string email;
  std::string display_name;
  std::string role;
};
// "Name <email>", or the account id when nothing else is known.
std::string describe(const AccountInfo& account);

// The client core's types and checks (src/client/engine/), used by the commands.
using client::Incoming;
using client::Opened;
using client::publish_device_list;
using client::refusal_reason;
using client::settled;
using client::unreadable;
using client::VerifiedDevices;

class KeystoreLock;

class Messenger {
 public:
  enum class Setup {
    kReady,    // register this profile as the account's first device if needed; refuse a
               // device still waiting for pairing
    kPairing,  // open whatever exists (devices add / devices list): no automatic setup
  };
  // Logs in with the profile's session, locks and opens the keystore, registers the device
  // and replenishes its one-time prekeys (kReady).
  static Result<std::unique_ptr<Messenger>> open(ClientContext& context, Setup setup);
  ~Messenger();

  ClientContext& context() { return context_; }
  const AccountInfo& me() const { return me_; }
  bool has_keystore() const { return keystore_.has_value(); }
  const client::KeystoreData& data() const { return keystore_->data(); }
  const std::string& device_id() const { return keystore_->data().device.pub.device_id; }
  // True when this device may act (its own account key is pinned: registered or paired).
  bool paired() const;
  Status commit(client::KeystoreData next);
  // listen: release the keystore lock while waiting, take it back (re-reading the
  // keystore, which another command may have changed) before processing.
  void unlock();
  Status relock();

  // JSON API calls with this session. `body` is serialised JSON (public data only).
  Result<boost::json::object> call(std::string_view method, std::string_view target,
                                   const boost::json::object* body = nullptr);
  // Refuses, for this device, those of `opened` that have a refusal_reason (one request per
  // reason): the server deletes them and tells their senders. The others are left alone.
  Status refuse_unreadable(const std::vector<Opened>& opened);

  // Creates the keystore of a device that is not registered yet (devices add): a fresh
  // identity for this account, no account key.
  Status create_pending_device();
  // The pending device's pairing payload (docs/protocol.md §2.2): its public identity, then
  // its current signed prekey — made or rotated here and kept (private half) in the
  // keystore first — so that the approving device can publish it with the registration
  // and the new device can be sent to before it completes the pairing.
  Result<Bytes> pairing_payload();
  // Registers the first device of the account (new account key) — what kReady does.
  Status register_first_device();
  // Pins `account_key` as one's own (devices add --account-key), then checks that the
  // server's signed list includes this device, and uploads prekeys.
  Status complete_pairing(const e2ee::PublicKey& account_key);
  // Uploads a signed prekey and one-time prekeys when the server runs low (§2.4).
  Status replenish_prekeys();
  // Sends one request of the client core (its state committed before), answer dropped.
  Status send(const client::ApiRequest& request);

  // The raw listing: own (GET /me/devices, revoked included) or another account's.
  Result<boost::json::object> listing(const std::string& account_id);
  // Fetches, verifies and pins (into `data`, which the caller commits) an account's list.
  // `warnings` receives a loud message when the account key changed.
  Result<VerifiedDevices> verified_devices(const std::string& account_id,
                                           client::KeystoreData& data,
                                           std::vector<std::string>& warnings);
  // Compares the own account's current devices with those this device last saw: a notice
  // for each one added or removed since (once: the new set is committed). The first check
  // of an older keystore records them without a notice.
  Status check_own_devices(std::vector<std::string>& notices);
  // The warning about `account_id`'s unaccepted account key change, if any.
  std::optional<std::string> key_change_warning(const client::KeystoreData& data,
                                                const std::string& account_id);
  // The warnings of every contact whose key change is not accepted yet.
  std::vector<std::string> pending_key_changes();
  // After a first exchange with a contact who is not verified: the one-line hint saying how
  // to verify them, once (it sets hint_shown in `data`, which the caller commits).
  std::optional<std::string> verification_hint(client::KeystoreData& data,
                                               const std::string& account_id);

  // Signs and uploads a new own device list naming `device_ids` (and `added`, for a new
  // device, registered with PUT /api/v1/devices/{id}). Needs the account key.
  Status publish_own_list(const std::vector<e2ee::DevicePublicIdentity>& devices,
                          const e2ee::DevicePublicIdentity* added);

  // The accounts one may message (GET /api/v1/contacts), cached.
  Result<std::vector<AccountInfo>> contacts();
  // EMAIL (a contact's) or an account id → the account. Errors: contact_not_permitted.
  Result<AccountInfo> resolve(const std::string& who);
  // Who an account id is, for display (contacts, oneself), else just the id.
  AccountInfo who_is(const std::string& account_id);
  // How to name `account_id` in a command line: its e-mail, else the id.
  std::string command_name(const std::string& account_id);

  // Encrypts `text` for every current device of `to` and one's other devices, commits the
  // sessions, sends. On 409 device_list_mismatch (a device was added or revoked since the
  // lists were read) it fetches and verifies both lists again — new devices get a session
  // from a claimed bundle, revoked ones are left out — and sends once more with the same
  // message id (the server stored nothing the first time); a second mismatch is returned.
  // The device ids named by the 409 answer are not trusted: only the signed lists count.
  struct Sent {
    std::string message_id;
    std::int64_t stored_at = 0;
    std::size_t envelopes = 0;
    std::optional<std::string> hint;  // verification_hint after a first send, to print
  };
  Result<Sent> send_text(const AccountInfo& to, std::string_view text,
                         std::vector<std::string>& warnings);

  // Decrypts one delivered envelope into `data` (advanced only on success: the session,
  // the used one-time prekey, and the message id added to data.seen_messages, so the caller
  // commits them in one write before acknowledging). An id already in data.seen_messages is
  // not decrypted (its key is used up): the result is `duplicate`, and `data` is unchanged.
  Opened open_incoming(client::KeystoreData& data, const Incoming& in,
                       std::vector<std::string>& warnings);

  // The local history (client/history.h) in PROFILE/history, read afresh (another command
  // of the profile may have appended since): sealed with a key derived from the keystore's,
  // bound to this account and device. Call with the keystore lock held.
  Result<client::History> history();
  // Appends the decrypted messages among `opened` (one's own from another device as sent
  // by oneself): call BEFORE committing the keystore and acknowledging, so that an
  // acknowledged message is never missing (a crash in between decrypts it again, and the
  // history keeps one copy of an id).
  Status record_received(const std::vector<Opened>& opened);

 private:
  Messenger(ClientContext& context, SecretBytes token, AccountInfo me);
  Status load_keystore();
  Status ensure_registered();

  ClientContext& context_;
  SecretBytes token_;
  AccountInfo me_;
  std::unique_ptr<KeystoreLock> lock_;
  std::optional<client::Keystore> keystore_;
  std::optional<std::vector<AccountInfo>> contacts_;
  std::map<std::string, e2ee::DeviceList> sender_lists_;  // open_incoming cache
  // GET /api/v1/me/devices as read last in this command, until a request other than a GET
  // (or a sender's device the cache does not know): a send reads it once, not three times.
  std::optional<boost::json::object> own_listing_;
};

// The keystore file of a profile.
std::filesystem::path keystore_path(const Profile& profile);

// Prints warnings on stderr, prefixed, impossible to miss.
void print_warnings(const std::vector<std::string>& warnings);

}  // namespace hippocrate::cli
