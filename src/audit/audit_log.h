// AuditLog: the deployment's single, append-only, tamper-evident audit trail.
//
// Writing. append() runs INSIDE THE CALLER'S WRITE TRANSACTION (Store::write), next to the
// action it records: both commit together or neither does — no action without its record,
// no record of an action that was rolled back. It reads the last seq and hash in that same
// transaction; the store's single writer (SQLite) serialises writers, so seqs are contiguous
// (1, 2, 3...) and the chain has no fork, even with group commit (a job rolled back to its
// savepoint takes its seq with it; the next job reuses it). With several writers (a future
// PostgreSQL backend) two transactions may pick the same seq: the PRIMARY KEY refuses the
// second ("constraint_violation"), which rolls its action back too; retry it.
// Every `checkpoint_every` records, or when the last checkpoint is older than
// `checkpoint_interval`, append also writes a signed checkpoint. The server should call
// checkpoint() at shutdown so the tail is covered.
//
// Verifying needs only the public key: see verify() and README.md for exactly what can and
// cannot be told apart. Pruning deletes whole segments (records up to a checkpoint) older
// than the retention, and leaves a signed anchor so verification still starts cleanly.
//
// Thread-safety: an AuditLog is immutable after construction; use it from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/record.h"
#include "base/clock.h"
#include "base/result.h"
#include "base/secret_bytes.h"
#include "crypto/ed25519.h"
#include "store/store.h"

namespace hippocrate::audit {

// Bounds on checkpoint_every: verify() reports a log whose unsigned tail is longer than
// kMaxCheckpointEvery records (the newest checkpoints were deleted).
constexpr std::int64_t kMaxCheckpointEvery = 10000;
constexpr std::int64_t kMaxSearchIndexBatch = 65536;
constexpr std::size_t kMaxFieldBytes = 1024;   // each id/name field
constexpr std::size_t kMaxDetailBytes = 4096;  // detail

struct AuditOptions {
  std::int64_t checkpoint_every = 1000;  // 1..kMaxCheckpointEvery
  std::chrono::seconds checkpoint_interval{300};
  std::chrono::hours retention{24 * 365};  // CNIL 2021-122: 1 year by default, up to 3
  // The search index takes the records this many at a time (search_index.h); searches scan
  // the newer ones. 1..kMaxSearchIndexBatch.
  std::int64_t search_index_batch = 4096;
};

struct PruneReport {
  std::int64_t records_removed = 0;
  std::int64_t checkpoints_removed = 0;
  std::int64_t first_seq = 0;  // the first record kept (0: the log is empty)
};

enum class TamperKind {
  kNone,
  kModified,           // a record's content or hashes changed
  kDeleted,            // a record is missing (gap in seq, or cut below a signed checkpoint)
  kInserted,           // an extra record sits between a record and its real successor
  kReordered,          // genuine records are out of their chain order
  kRewritten,          // the chain is self-consistent but disagrees with a signed checkpoint
  kCheckpointInvalid,  // a bad signature, a missing checkpoint, or a bad anchor
  kSearchIndexEdited,  // the chain holds, but the search index misses or misnames a record
};

// "intact", "modified", "deleted", "inserted", "reordered", "rewritten", "checkpoint_invalid",
// "search_index_edited".
std::string_view tamper_kind_name(TamperKind kind);

struct VerifyReport {
  bool intact() const { return kind == TamperKind::kNone; }
  std::int64_t records = 0;      // records walked (up to the problem, if any)
  std::int64_t checkpoints = 0;  // checkpoints verified
  std::int64_t first_seq = 0;    // 0 when the log is empty
  std::int64_t last_seq = 0;
  std::int64_t last_checkpoint_seq = 0;  // 0: none
  Bytes last_checkpoint_hash;            // publish it off-box to detect later truncation
  // When not intact: the first problem in seq order.
  TamperKind kind = TamperKind::kNone;
  std::int64_t seq = 0;
  std::string explanation;  // one sentence, no record content
};

// Search filters; unset fields match everything. Newest first.
struct AuditFilter {
  std::optional<std::string> account_id = std::nullopt;
  std::optional<std::string> action = std::nullopt;
  std::optional<std::string> resource = std::nullopt;
  std::optional<std::string> result = std::nullopt;
  // Only records whose acting account belongs to this organisation (auditors' scope).
  std::optional<std::string> organisation_id = std::nullopt;
  std::optional<TimePoint> from = std::nullopt;  // at >= from
  std::optional<TimePoint> to = std::nullopt;    // at < to
  // Leaves out the records whose action starts with one of these (fixed strings from the
  // code, such as "message." for a view that is not about messaging).
  std::vector<std::string> exclude_action_prefixes = {};
  std::int64_t limit = 100;  // 1..1000
};

class AuditLog {
 public:
  // `signing_seed`: the 32-byte Ed25519 seed (audit_key.h). Throws std::invalid_argument on
  // a bad seed or options (a start-up failure). `clock` must outlive the log.
  AuditLog(const Clock& clock, SecretBytes signing_seed, AuditOptions options = {});

  const crypto::Ed25519PublicKey& public_key() const { return public_key_; }
  const AuditOptions& options() const { return options_; }

  // Appends `record` inside `tx` (a Store::write transaction) and, when due, a checkpoint.
  // Errors: "audit_read_only_transaction" (internal), "audit_record_invalid"
  // (invalid_argument: empty action/result, a field too long), and the store's errors.
  // Any error must make the caller's transaction fail, so the action rolls back with it.
  Status append(store::Transaction& tx, const AuditRecord& record) const;

  // Writes a signed checkpoint over the last record now (no-op on an empty log or when the
  // last record is already covered).
  Status checkpoint(store::Transaction& tx) const;

  // Deletes, in one write transaction, the whole segments (the records up to a checkpoint)
  // whose records are all older than the retention — at most about `max_records` records,
  // so other writers are not held up; call again while records_removed > 0 — and the
  // checkpoints inside them, writes the signed anchor, and appends an "audit.prune" record.
  // Records after the last checkpoint are never pruned. Error "audit_log_tampered"
  // (data_loss): the closing checkpoint does not verify; nothing is deleted.
  Result<PruneReport> prune(store::Store& store, std::int64_t max_records = 100000) const;

  // Walks the whole chain in one read snapshot. A Result error only when the store cannot be
  // read; tampering is reported in the VerifyReport.
  static Result<VerifyReport> verify(store::Store& store, std::span<const std::uint8_t> public_key);

  // Records matching `filter`, newest first. Error "audit_filter_invalid" for a bad limit.
  static Result<std::vector<StoredAuditRecord>> search(store::Store& store,
                                                       const AuditFilter& filter);

 private:
  Status write_checkpoint(store::Transaction& tx, std::int64_t seq, const Bytes& hash,
                          std::int64_t prev_checkpoint_seq) const;

  const Clock& clock_;
  SecretBytes secret_key_;  // 64 bytes: seed ‖ public key
  crypto::Ed25519PublicKey public_key_{};
  AuditOptions options_;
};

}  // namespace hippocrate::audit
