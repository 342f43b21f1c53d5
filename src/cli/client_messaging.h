// The CLI's binding of the client core (src/client/engine/: the protocol, without I/O) for
// the messaging commands (devices, send, inbox, listen, safety-number, verify): the HTTPS
// client with the profile's session, this device's encrypted keystore file in the profile,
// the local history file, and the words the terminal shows (docs/protocol.md,
// docs/messaging.md, docs/cli.md "Messaging"). The core decides; this shell performs its
// steps (client/engine/operation.h) and prints.
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
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/secret_bytes.h"
#include "cli/client_context.h"
#include "client/engine/account.h"
#include "client/engine/device_lists.h"
#include "client/engine/device_setup.h"
#include "client/engine/engine.h"
#include "client/engine/operation.h"
#include "client/engine/receive.h"
#include "client/engine/send_text.h"
#include "client/history.h"
#include "client/keystore.h"
#include "e2ee/device_list.h"

namespace hippocrate::cli {

// The client core's types, used by the commands.
using client::AccountInfo;
using client::describe;
using client::Incoming;
using client::Opened;
using client::settled;
using client::unreadable;

class KeystoreLock;

class Messenger final : private client::Host {
 public:
  enum class Setup {
    kReady,    // register this profile as the account's first device if needed; refuse a
               // device still waiting for pairing
    kPairing,  // open whatever exists (devices add / devices list): no automatic setup
  };
  // Logs in with the profile's session, locks and opens the keystore, and (kReady) runs the
  // core's SetUpDevice (client/engine/set_up.h): first registration (then the recovery
  // key, shown once), re-registration, prekeys, and the notices of one's own devices
  // added or removed since, printed.
  static Result<std::unique_ptr<Messenger>> open(ClientContext& context, Setup setup);
  ~Messenger() override;

  ClientContext& context() { return context_; }
  client::Engine& engine() { return engine_; }
  const AccountInfo& me() const { return engine_.me(); }
  bool has_keystore() const { return engine_.has_state(); }
  const client::KeystoreData& data() const { return engine_.state(); }
  const std::string& device_id() const { return engine_.device_id(); }
  bool paired() const { return engine_.paired(); }
  // Stores `next` (creating the keystore file when there is none) and gives it to the core.
  Status commit(client::KeystoreData next);
  // listen: release the keystore lock while waiting, take it back (re-reading the
  // keystore, which another command may have changed) before processing.
  void unlock();
  Status relock();

  // Runs an operation of the core to its end: its requests with this session, its commits
  // to the keystore, its records to the history; `present` at its kPresent steps.
  // Runs may nest (a `present` that needs the contacts runs FetchContacts).
  template <typename T>
  Result<T> run(client::OperationOf<T>& op, std::function<Status()> present = {}) {
    std::function<Status()> outer = std::exchange(present_, std::move(present));
    auto result = client::run(op, *this);
    present_ = std::move(outer);
    return result;
  }

  // The raw listing: own (GET /me/devices, revoked included) or another account's.
  Result<boost::json::object> listing(const std::string& account_id);
  // The warning about `account_id`'s unaccepted account key change, if any.
  std::optional<std::string> key_change_warning(const client::KeystoreData& data,
                                                const std::string& account_id);
  // The warnings of every contact whose key change is not accepted yet.
  std::vector<std::string> pending_key_changes();
  // The warnings of the key changes the core met since the last call.
  std::vector<std::string> key_changes_met();
  // The one-line hint saying how to verify `account_id` (after the core's
  // take_verification_hint said it is time).
  std::string verification_hint(const std::string& account_id);

  // The accounts one may message (GET /api/v1/contacts), fetched once.
  Result<std::vector<AccountInfo>> contacts();
  // EMAIL (a contact's) or an account id → the account. Errors: contact_not_permitted.
  Result<AccountInfo> resolve(const std::string& who);
  // Who an account id is, for display (contacts, oneself), else just the id.
  AccountInfo who_is(const std::string& account_id);
  // How to name `account_id` in a command line: its e-mail, else the id.
  std::string command_name(const std::string& account_id);

  // The core's SendText (client/engine/send_text.h), with the CLI's words: `warnings`
  // gets the key changes met, `hint` how to verify a recipient met for the first time.
  struct Sent {
    std::string message_id;
    std::int64_t stored_at = 0;
    std::size_t envelopes = 0;
    std::optional<std::string> hint;
  };
  Result<Sent> send_text(const AccountInfo& to, std::string_view text,
                         std::vector<std::string>& warnings);

  // The local history (client/history.h) in PROFILE/history, read afresh (another command
  // of the profile may have appended since): sealed with a key derived from the keystore's,
  // bound to this account and device. Call with the keystore lock held.
  Result<client::History> history();

 private:
  Messenger(ClientContext& context, SecretBytes token, AccountInfo me);
  Status load_keystore();
  Status set_up();
  // client::Host
  client::Answer perform(const client::ApiRequest& request) override;
  Status store(const client::KeystoreData& state) override;
  Status record(const std::vector<client::HistoryRecord>& records) override;
  Status present() override;

  ClientContext& context_;
  SecretBytes token_;
  client::Engine engine_;
  std::unique_ptr<KeystoreLock> lock_;
  std::optional<client::Keystore> keystore_;
  std::function<Status()> present_;
};

// The keystore file of a profile.
std::filesystem::path keystore_path(const Profile& profile);

// Prints warnings on stderr, prefixed, impossible to miss.
void print_warnings(const std::vector<std::string>& warnings);

}  // namespace hippocrate::cli
