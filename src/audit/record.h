// One audit record, its canonical byte encoding, its chained hash, and the exact byte
// strings the audit key signs (checkpoints and the retention anchor).
//
// What a record says: when (UTC), who (account, session, device), from where (source
// address), what (action, resource), and the result. NEVER SECRETS OR CONTENT: callers pass
// ids and stable action names ("auth.login", "patient.record.read"), never passwords,
// tokens, TOTP secrets or codes, keys, message or document content, nor free text typed by
// a user. The log is readable by auditors and kept for a year or more, so anything written
// here is disclosed to them and retained. `detail` is a short machine-written note
// ("reason=bad_password", "role=practitioner->admin"); a token may appear only as a short
// hash prefix (SECURITY-REQUIREMENTS "Audit").
//
// Canonical encoding, version 1 (every integer big-endian):
//   u8      version = 0x01
//   u64     seq
//   i64     at_ms           Unix milliseconds, two's complement
//   8 × ( u32 length ‖ UTF-8 bytes ) for, in this order: account_id, session_id, device_id,
//           source_address, action, resource, result, detail
// Length prefixes make it unambiguous (no two different records encode alike); the seq
// inside it binds every record to its position. An empty field and a SQL NULL are the same
// (the table stores NULL for empty optional fields).
//
// Chain: hash(r) = SHA-256(prev_hash ‖ canonical(r)) (FIPS 180-4), prev_hash of seq 1 (or of
// the first record kept after pruning: the anchor's prev_hash) is 32 zero bytes. This is the
// hash chain of Schneier & Kelsey, "Secure Audit Logs to Support Computer Forensics" (ACM
// TISSEC 2(2), 1999) and the linear-list baseline of Crosby & Wallach, "Efficient Data
// Structures for Tamper-Evident Logging" (USENIX Security 2009), with its head periodically
// signed. SHA-256 rather than BLAKE2b so an external auditor can recompute it with any
// standard tool (sha256sum, Python hashlib, openssl dgst).
//
// Signed messages (Ed25519, RFC 8032), ASCII context string first so a signature over one
// kind can never be read as another:
//   checkpoint: "hippocrate-audit-checkpoint-v1" ‖ u64 seq ‖ u64 prev_checkpoint_seq ‖
//               hash[32] ‖ i64 signed_at_ms
//   anchor:     "hippocrate-audit-anchor-v1" ‖ u64 first_seq ‖ prev_hash[32] ‖
//               i64 pruned_at_ms
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/clock.h"
#include "base/encoding.h"
#include "crypto/hash.h"

namespace hippocrate::audit {

constexpr std::uint8_t kRecordEncodingVersion = 1;
constexpr std::size_t kHashBytes = crypto::kSha256Bytes;

struct AuditRecord {
  // When the action happened. The default (the epoch) means "now": AuditLog::append then
  // stamps the record with its clock.
  TimePoint at{};
  std::string account_id{};      // who: the acting account ("" for none / not yet known)
  std::string session_id{};      // the session id (never the session token)
  std::string device_id{};       // the device id, when known
  std::string source_address{};  // the client's IP address
  std::string action{};          // required: stable dotted name, e.g. "auth.login"
  std::string resource{};        // what was acted on: "account:<id>", "patient:<id>"...
  std::string result{};          // required: "allowed" | "denied" | "succeeded" | "failed"
  std::string detail{};          // short machine-written note, never content or secrets

  friend bool operator==(const AuditRecord&, const AuditRecord&) = default;
};

// A record as stored: its position and chain hashes.
struct StoredAuditRecord {
  std::int64_t seq = 0;
  AuditRecord record;
  Bytes prev_hash;
  Bytes hash;
};

// Unix milliseconds of `t` (UTC), and back.
std::int64_t to_unix_ms(TimePoint t);
TimePoint from_unix_ms(std::int64_t ms);

// The canonical encoding above.
Bytes canonical_encoding(std::int64_t seq, std::int64_t at_ms, const AuditRecord& record);

// SHA-256(prev_hash ‖ canonical_encoding(seq, at_ms, record)).
crypto::Sha256Digest chain_hash(std::span<const std::uint8_t> prev_hash, std::int64_t seq,
                                std::int64_t at_ms, const AuditRecord& record);

// The byte strings signed by the audit key (formats above).
Bytes checkpoint_message(std::int64_t seq, std::int64_t prev_checkpoint_seq,
                         std::span<const std::uint8_t> hash, std::int64_t signed_at_ms);
Bytes anchor_message(std::int64_t first_seq, std::span<const std::uint8_t> prev_hash,
                     std::int64_t pruned_at_ms);

}  // namespace hippocrate::audit
