// The client's encrypted keystore: everything private a device holds for end-to-end
// encryption, in one file encrypted at rest (docs/protocol.md §8).
//
// Contents (KeystoreData): the device identity, the account key if this device holds it,
// the private prekeys, one Double Ratchet session per peer device, verified-contact records,
// the last accepted device-list version per account, the ids of the messages received
// lately (SeenMessageIds), and the own account's devices this device was last told about.
//
// Contract:
//   - the file is XChaCha20-Poly1305-sealed under a key from a passphrase (Argon2id, salt and
//     cost in the file header) or from a random 32-byte key file `<file>.key` (mode 0600);
//   - commit() rewrites the whole file with write_file_atomic (temp file, fsync, rename) and
//     only then makes the new data current: a crash leaves the previous or the new file,
//     never a torn one, and a failed write changes nothing. Commit the new state BEFORE acting
//     on it (sending an envelope, acking a message, uploading prekeys);
//   - a wrong passphrase or key gives keystore_wrong_passphrase / keystore_wrong_key; a
//     modified or truncated file gives keystore_corrupt (data_loss): the keystore is never
//     silently reset or recreated;
//   - KeystoreData is a value whose secrets are shared immutable SecretBytes (e2ee/keys.h):
//     copy it, change the copy, commit the copy.
// Not thread-safe; one process at a time per file (the CLI holds PROFILE/keystore.lock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secret_bytes.h"
#include "crypto/argon2id.h"
#include "e2ee/device_list.h"
#include "e2ee/fan_out.h"
#include "e2ee/identity.h"
#include "e2ee/keys.h"
#include "e2ee/prekey_store.h"

namespace hippocrate::client {

struct ContactRecord {
  e2ee::PublicKey account_key{};  // the pinned account key (safety numbers derive from it)
  bool verified = false;          // the user compared safety numbers
  // A different account key was seen since it was pinned, and the user has not accepted it
  // yet (verify --acknowledge-change, or trust): sending to the contact is blocked, whether
  // they had been verified or not (docs/protocol.md §2.2).
  bool key_changed = false;
  // The one-line "not verified yet, here is how" hint was shown after a first exchange.
  bool hint_shown = false;
  // Who they are, as the server's contact list last named them (public directory data),
  // so that a message still delivered after the contact left that list (a care
  // relationship ended) names its sender. Empty: not known.
  std::string email;
  std::string display_name;
  bool operator==(const ContactRecord&) const = default;
};

// The ids of the messages this device has received and decrypted. Delivery is
// at-least-once (docs/messaging.md): the same message may come again (its acknowledgement
// was lost, or a sender's retry after an early delivery), and its message key is used up by
// then, so a client recognises it by its id before decrypting, acknowledges it and does not
// show it again. Kept in the keystore with the sessions, so the id and the ratchet state
// that consumed its key are committed by the same atomic write. Bounded: the most recent
// kLimit ids, the oldest dropped first (an older redelivery is then refused by the ratchet
// as e2ee_replay, as before). A value, like KeystoreData.
class SeenMessageIds {
 public:
  static constexpr std::size_t kLimit = 10'000;

  bool contains(std::string_view message_id) const { return index_.contains(message_id); }
  // Records `message_id` (32 lower-case hex) as the most recent one; past kLimit ids, drops
  // the oldest. Already present: nothing changes. Not an id (base/ids.h): ignored.
  void insert(const std::string& message_id);
  std::size_t size() const { return order_.size(); }
  bool empty() const { return order_.empty(); }
  // Oldest first.
  const std::deque<std::string>& in_order() const { return order_; }

 private:
  std::deque<std::string> order_;
  std::set<std::string, std::less<>> index_;
};

struct KeystoreData {
  e2ee::DeviceIdentity device;
  std::optional<e2ee::AccountKey> account_key;
  e2ee::PrekeyStore prekeys;
  e2ee::SessionMap sessions;
  std::map<std::string, ContactRecord> contacts;              // by account id
  std::map<std::string, std::uint64_t> device_list_versions;  // by account id
  SeenMessageIds seen_messages;                               // received and decrypted
  // The own account's current devices (signed list ∩ the server's routing) as this device
  // last saw and told its user; none: not known yet (a keystore of an older release), taken
  // as they are at the next check without a notice.
  std::optional<std::set<std::string>> own_devices;
};

// Records `key` as `account_id`'s account key: pins it if unknown; if it differs from the
// pinned one, replaces it and sets key_changed (the contact, verified or not, then stays
// blocked for sending until acknowledge_key_change). Returns the updated copy.
KeystoreData observe_account_key(KeystoreData data, const std::string& account_id,
                                 const e2ee::PublicKey& key);
// Sending to a contact whose account key changed is refused until the change is accepted.
bool sending_blocked(const KeystoreData& data, const std::string& account_id);
// Verified with the pinned key (the user compared safety numbers): clears key_changed.
KeystoreData mark_verified(KeystoreData data, const std::string& account_id);
// Accepts a changed key without verifying it: key_changed and verified are cleared (the
// new key is not the one the user verified), and the verification hint is shown again.
KeystoreData acknowledge_key_change(KeystoreData data, const std::string& account_id);

// How the keystore key is obtained.
class KeystoreUnlock {
 public:
  static KeystoreUnlock passphrase(SecretBytes passphrase,
                                   crypto::Argon2Params params = crypto::kArgon2DefaultParams);
  static KeystoreUnlock key_file();

  bool uses_passphrase() const { return uses_passphrase_; }
  const SecretBytes& passphrase_bytes() const { return passphrase_; }
  const crypto::Argon2Params& params() const { return params_; }

 private:
  bool uses_passphrase_ = false;
  SecretBytes passphrase_;
  crypto::Argon2Params params_{};
};

class Keystore {
 public:
  // Creates `file` (error keystore_exists if present) holding `initial`.
  static Result<Keystore> create(const std::filesystem::path& file, const KeystoreUnlock& unlock,
                                 KeystoreData initial);
  // Opens and decrypts `file` (a keystore written before SeenMessageIds existed opens with
  // none). Errors: keystore_not_found, keystore_key_missing, keystore_wrong_passphrase,
  // keystore_wrong_key, keystore_corrupt, keystore_unknown_version (a file or contents
  // format from a newer release), keystore_key_file_* (base/key_file.h).
  static Result<Keystore> open(const std::filesystem::path& file, const KeystoreUnlock& unlock);

  // `<file>.key`: where a key-file keystore keeps its key.
  static std::filesystem::path key_file_path(const std::filesystem::path& file);

  const KeystoreData& data() const { return data_; }
  const std::filesystem::path& path() const { return file_; }

  // A 32-byte key for another file of this profile sealed at rest (the message history,
  // client/history.h): HKDF-SHA256-Expand(PRK = the keystore key, info = `label`, 32)
  // (RFC 5869 §2.3; the keystore key is already uniformly random). It is unlocked the same
  // way (key file or passphrase) and there is no second secret to keep.
  SecretBytes derive_subkey(std::string_view label) const;

  // Encrypts and writes `next` atomically, then makes it current. On error neither the file
  // nor data() changed.
  Status commit(KeystoreData next);

 private:
  Keystore(std::filesystem::path file, Bytes header, SecretBytes key, KeystoreData data)
      : file_(std::move(file)),
        header_(std::move(header)),
        key_(std::move(key)),
        data_(std::move(data)) {}

  std::filesystem::path file_;
  Bytes header_;  // magic … key_check: the AEAD associated data, fixed for the file's life
  SecretBytes key_;
  KeystoreData data_;
};

// The plaintext encoding of KeystoreData (for tests that look inside, e.g. forward secrecy).
SecretBytes encode_keystore_data(const KeystoreData& data);
Result<KeystoreData> decode_keystore_data(std::span<const std::uint8_t> bytes);

}  // namespace hippocrate::client
