// The local message history of a device (docs/messaging.md "Local history"): every message
// this device decrypted or sent, kept in the profile, encrypted at rest, since the server
// deletes a message once it is acknowledged.
//
// Layout: an append-only log (HistoryStorage), not the keystore — the keystore is rewritten
// whole at each change, a history grows to thousands of messages. The log is
//   "HPHS" ‖ u8 format (0x01) ‖ record*
//   record = u32 length ‖ u32 ~length ‖ XChaCha20-Poly1305(key, plaintext, ad) (crypto/aead.h)
//   ad     = "Hippocrate history record" ‖ owner (account id ‖ device id) ‖ u64 index
// where `index` counts records from 0 and `key` is derived from the keystore's own key
// (Keystore::derive_subkey, "Hippocrate history key"): no second secret to keep. The index
// in the AD means a record moved, swapped, replayed at another position or copied from
// another profile or account fails to open.
//
// Contract:
//   - append() writes one record durably (the storage's append: write + fsync) before it
//     returns; a crash mid-write leaves a torn tail shorter than its (complement-checked)
//     length prefix, which open() drops (and the next append overwrites): at most the
//     record being written is lost, earlier ones are never touched;
//   - a complete record that fails to open, or a bad header, is history_corrupt
//     (data_loss): never silently skipped nor reset;
//   - message ids are unique: append() of an id already present changes nothing (a message
//     delivered twice is stored once);
//   - it does not detect the removal of the newest complete records (a truncation exactly
//     at a record boundary): docs/messaging.md says so.
// Not thread-safe; the CLI appends under the keystore lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::client {

// Where the log lives: a file in the CLI (FileHistoryStorage), IndexedDB in the browser.
class HistoryStorage {
 public:
  virtual ~HistoryStorage() = default;
  // The whole log; empty when it does not exist yet.
  virtual Result<Bytes> read_all() = 0;
  // Appends `bytes` durably: when it returns ok they survive a crash.
  virtual Status append(std::span<const std::uint8_t> bytes) = 0;
  // Cuts the log to its first `size` bytes (drops a torn tail), durably.
  virtual Status truncate(std::size_t size) = 0;
};

// A file of mode 0600, appended with write + fsync (the folder fsync'd when it is created).
// Errors: history_write_failed, history_read_failed.
class FileHistoryStorage final : public HistoryStorage {
 public:
  explicit FileHistoryStorage(std::filesystem::path file) : file_(std::move(file)) {}
  Result<Bytes> read_all() override;
  Status append(std::span<const std::uint8_t> bytes) override;
  Status truncate(std::size_t size) override;

 private:
  std::filesystem::path file_;
};

enum class Direction : std::uint8_t { kReceived = 1, kSent = 2 };

struct HistoryRecord {
  std::string message_id;  // 32 hex (UUIDv7: it carries the send time)
  std::string contact;     // the other account's id (one's own for a note to self or a
                           // copy from another own device whose recipient is not known)
  Direction direction = Direction::kReceived;
  std::string sender_device;        // 32 hex
  std::int64_t sent_at_ms = 0;      // the sender's clock
  std::int64_t received_at_ms = 0;  // this device's clock when it decrypted (or sent) it
  std::string text;
  bool operator==(const HistoryRecord&) const = default;
};

class History {
 public:
  // Reads and opens every record of `storage` under `key` (32 bytes) for `owner` (account
  // id ‖ device id, or any stable binding). Errors: history_corrupt,
  // history_unknown_version, the storage's.
  static Result<History> open(std::unique_ptr<HistoryStorage> storage, SecretBytes key,
                              std::string owner);

  // Oldest first, in the order they were appended.
  const std::vector<HistoryRecord>& records() const { return records_; }
  bool contains(std::string_view message_id) const { return ids_.contains(message_id); }
  // Appends `record` durably; an id already present: nothing happens. Errors: invalid_field
  // (not an id, text above 64 KiB), the storage's.
  Status append(const HistoryRecord& record);

 private:
  History(std::unique_ptr<HistoryStorage> storage, SecretBytes key, std::string owner)
      : storage_(std::move(storage)), key_(std::move(key)), owner_(std::move(owner)) {}

  std::unique_ptr<HistoryStorage> storage_;
  SecretBytes key_;
  std::string owner_;
  std::size_t size_ = 0;  // bytes of the log that are whole records (or the header)
  std::vector<HistoryRecord> records_;
  std::set<std::string, std::less<>> ids_;
};

// The plaintext of a record, and its associated data (exposed for tests).
SecretBytes encode_history_record(const HistoryRecord& record);
Result<HistoryRecord> decode_history_record(std::span<const std::uint8_t> bytes);
Bytes history_record_ad(std::string_view owner, std::uint64_t index);

}  // namespace hippocrate::client
