// The client's encrypted keystore: everything private a device holds for end-to-end
// encryption, in one file encrypted at rest (docs/protocol.md §8).
//
// Contents (KeystoreData): the device identity, the account key if this device holds it,
// the private prekeys, one Double Ratchet session per peer device, verified-contact records
// and the last accepted device-list version per account.
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
// Not thread-safe; one process at a time per file (the CLI holds no lock yet).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
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
  bool key_changed = false;       // a different account key was seen since; not acknowledged
  bool operator==(const ContactRecord&) const = default;
};

struct KeystoreData {
  e2ee::DeviceIdentity device;
  std::optional<e2ee::AccountKey> account_key;
  e2ee::PrekeyStore prekeys;
  e2ee::SessionMap sessions;
  std::map<std::string, ContactRecord> contacts;              // by account id
  std::map<std::string, std::uint64_t> device_list_versions;  // by account id
};

// Records `key` as `account_id`'s account key: pins it if unknown; if it differs from the
// pinned one, replaces it and sets key_changed (a verified contact then stays blocked for
// sending until acknowledge_key_change). Returns the updated copy.
KeystoreData observe_account_key(KeystoreData data, const std::string& account_id,
                                 const e2ee::PublicKey& key);
// Sending to a verified contact whose key changed is refused until acknowledged.
bool sending_blocked(const KeystoreData& data, const std::string& account_id);
KeystoreData mark_verified(KeystoreData data, const std::string& account_id);
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
  // Opens and decrypts `file`. Errors: keystore_not_found, keystore_key_missing,
  // keystore_wrong_passphrase, keystore_wrong_key, keystore_corrupt,
  // keystore_unknown_version, keystore_key_file_* (base/key_file.h).
  static Result<Keystore> open(const std::filesystem::path& file, const KeystoreUnlock& unlock);

  // `<file>.key`: where a key-file keystore keeps its key.
  static std::filesystem::path key_file_path(const std::filesystem::path& file);

  const KeystoreData& data() const { return data_; }
  const std::filesystem::path& path() const { return file_; }

  // Encrypts and writes `next` atomically, then makes it current. On error neither the file
  // nor data() changed.
  Status commit(KeystoreData next);

 private:
  Keystore(std::filesystem::path file, Bytes header, SecretBytes key, KeystoreData data)
      : file_(std::move(file)), header_(std::move(header)), key_(std::move(key)),
        data_(std::move(data)) {}

  std::filesystem::path file_;
  Bytes header_;    // magic … key_check: the AEAD associated data, fixed for the file's life
  SecretBytes key_;
  KeystoreData data_;
};

// The plaintext encoding of KeystoreData (for tests that look inside, e.g. forward secrecy).
SecretBytes encode_keystore_data(const KeystoreData& data);
Result<KeystoreData> decode_keystore_data(std::span<const std::uint8_t> bytes);

}  // namespace hippocrate::client
