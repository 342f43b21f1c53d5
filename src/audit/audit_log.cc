#include "audit/audit_log.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "audit/record_rows.h"
#include "audit/search_index.h"
#include "store/value.h"

namespace hippocrate::audit {
namespace {

using store::Row;
using store::Transaction;
using store::Value;

Error invalid_record(const std::string& why) {
  return Error::invalid_argument("audit_record_invalid", "the audit record " + why);
}

Status validate(const AuditRecord& r) {
  if (r.action.empty()) return invalid_record("has no action");
  if (r.result.empty()) return invalid_record("has no result");
  for (const std::string* f : {&r.account_id, &r.session_id, &r.device_id, &r.source_address,
                               &r.action, &r.resource, &r.result}) {
    if (f->size() > kMaxFieldBytes) return invalid_record("has a field that is too long");
  }
  if (r.detail.size() > kMaxDetailBytes) return invalid_record("has a detail that is too long");
  for (const std::string* f : {&r.account_id, &r.session_id, &r.device_id, &r.source_address,
                               &r.action, &r.resource, &r.result, &r.detail}) {
    if (!store::validate_text(*f).ok()) return invalid_record("has a field that is not text");
  }
  return ok_status();
}

// Empty optional fields are stored as NULL.
Value optional_text(const std::string& s) {
  if (s.empty()) return nullptr;
  return s;
}

Bytes to_vector(const crypto::Sha256Digest& d) { return Bytes(d.begin(), d.end()); }

}  // namespace

std::string_view tamper_kind_name(TamperKind kind) {
  switch (kind) {
    case TamperKind::kNone: return "intact";
    case TamperKind::kModified: return "modified";
    case TamperKind::kDeleted: return "deleted";
    case TamperKind::kInserted: return "inserted";
    case TamperKind::kReordered: return "reordered";
    case TamperKind::kRewritten: return "rewritten";
    case TamperKind::kCheckpointInvalid: return "checkpoint_invalid";
    case TamperKind::kSearchIndexEdited: return "search_index_edited";
  }
  return "unknown";
}

AuditLog::AuditLog(const Clock& clock, SecretBytes signing_seed, AuditOptions options)
    : clock_(clock), options_(options) {
  if (options_.checkpoint_every < 1 || options_.checkpoint_every > kMaxCheckpointEvery) {
    throw std::invalid_argument("audit checkpoint_every must be between 1 and 10000");
  }
  if (options_.search_index_batch < 1 || options_.search_index_batch > kMaxSearchIndexBatch) {
    throw std::invalid_argument("audit search_index_batch must be between 1 and 65536");
  }
  if (options_.checkpoint_interval.count() < 1 || options_.retention.count() < 1) {
    throw std::invalid_argument("audit checkpoint_interval and retention must be positive");
  }
  auto pair = crypto::ed25519_keypair_from_seed(signing_seed);
  if (!pair) throw std::invalid_argument("the audit signing seed must be 32 bytes");
  secret_key_ = std::move(pair->secret_key);
  public_key_ = pair->public_key;
}

Status AuditLog::append(Transaction& tx, const AuditRecord& record) const {
  if (tx.read_only()) {
    return Error::internal("audit_read_only_transaction",
                           "audit records are appended inside a write transaction");
  }
  HIPPO_RETURN_IF_ERROR(validate(record));
  const std::int64_t now_ms = to_unix_ms(clock_.now());
  const std::int64_t at_ms = record.at == TimePoint{} ? now_ms : to_unix_ms(record.at);

  HIPPO_ASSIGN_OR_RETURN(internal::Head head, internal::read_head(tx));
  const std::int64_t seq = head.next_seq;
  const Bytes hash = to_vector(chain_hash(head.prev_hash, seq, at_ms, record));
  HIPPO_RETURN_IF_ERROR(tx.execute(
      "INSERT INTO audit_log (seq, at_ms, account_id, session_id, device_id, source_address, "
      "action, resource, result, detail, prev_hash, hash) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {seq, at_ms, optional_text(record.account_id), optional_text(record.session_id),
       optional_text(record.device_id), optional_text(record.source_address), record.action,
       optional_text(record.resource), record.result, optional_text(record.detail), head.prev_hash,
       hash}));
  // The search index takes the records a batch at a time (search_index.h). A job rolled
  // back to its savepoint takes this with it; the job that reuses the seq does it again.
  if (seq % options_.search_index_batch == 0) {
    HIPPO_RETURN_IF_ERROR(internal::index_records_through(tx, seq));
  }

  const bool count_due = seq - head.last_checkpoint_seq >= options_.checkpoint_every;
  const std::int64_t interval_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.checkpoint_interval).count();
  const bool time_due = head.last_checkpoint_ms && now_ms - *head.last_checkpoint_ms >= interval_ms;
  if (count_due || time_due) {
    return write_checkpoint(tx, seq, hash, head.last_checkpoint_seq);
  }
  return ok_status();
}

Status AuditLog::checkpoint(Transaction& tx) const {
  if (tx.read_only()) {
    return Error::internal("audit_read_only_transaction",
                           "audit checkpoints are written inside a write transaction");
  }
  HIPPO_ASSIGN_OR_RETURN(internal::Head head, internal::read_head(tx));
  const std::int64_t last = head.next_seq - 1;
  if (head.empty || head.last_checkpoint_seq >= last) return ok_status();
  return write_checkpoint(tx, last, head.prev_hash, head.last_checkpoint_seq);
}

Status AuditLog::write_checkpoint(Transaction& tx, std::int64_t seq, const Bytes& hash,
                                  std::int64_t prev_checkpoint_seq) const {
  const std::int64_t signed_at = to_unix_ms(clock_.now());
  HIPPO_ASSIGN_OR_RETURN(
      crypto::Ed25519Signature sig,
      crypto::ed25519_sign(secret_key_,
                           checkpoint_message(seq, prev_checkpoint_seq, hash, signed_at)));
  HIPPO_RETURN_IF_ERROR(tx.execute(
      "INSERT INTO audit_checkpoints (seq, prev_checkpoint_seq, hash, signed_at_ms, signature) "
      "VALUES (?, ?, ?, ?, ?)",
      {seq, prev_checkpoint_seq, hash, signed_at, Bytes(sig.begin(), sig.end())}));
  return ok_status();
}

Result<PruneReport> AuditLog::prune(store::Store& store, std::int64_t max_records) const {
  return store.write([&](Transaction& tx) -> Result<PruneReport> {
    PruneReport report;
    const std::int64_t now_ms = to_unix_ms(clock_.now());
    const std::int64_t cutoff_ms =
        now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention).count();
    HIPPO_ASSIGN_OR_RETURN(std::optional<Row> first_row,
                           tx.query_one("SELECT MIN(seq) FROM audit_log"));
    if (!first_row) return report;
    HIPPO_ASSIGN_OR_RETURN(std::optional<std::int64_t> first, first_row->optional_int64(0));
    if (!first) return report;
    report.first_seq = *first;

    // The oldest record still within the retention bounds what may go; a segment ends at a
    // checkpoint strictly before it. At most max_records go per call (short transaction).
    HIPPO_ASSIGN_OR_RETURN(
        std::optional<Row> young_row,
        tx.query_one("SELECT MIN(seq) FROM audit_log WHERE at_ms >= ?", {cutoff_ms}));
    if (!young_row) return report;
    HIPPO_ASSIGN_OR_RETURN(std::optional<std::int64_t> young, young_row->optional_int64(0));
    const std::int64_t bound =
        std::min(young.value_or(std::numeric_limits<std::int64_t>::max()), *first + max_records);
    HIPPO_ASSIGN_OR_RETURN(
        std::optional<Row> cut_row,
        tx.query_one("SELECT MAX(seq) FROM audit_checkpoints WHERE seq < ?", {bound}));
    if (!cut_row) return report;
    HIPPO_ASSIGN_OR_RETURN(std::optional<std::int64_t> cut, cut_row->optional_int64(0));
    if (!cut || *cut < *first) return report;

    // Refuse to destroy evidence: the segment's closing checkpoint must be genuine and match.
    HIPPO_ASSIGN_OR_RETURN(std::optional<Row> cp_row,
                           tx.query_one(std::string("SELECT ") + internal::kCheckpointColumns +
                                            " FROM audit_checkpoints WHERE seq = ?",
                                        {*cut}));
    HIPPO_ASSIGN_OR_RETURN(std::optional<Row> rec_row,
                           tx.query_one("SELECT hash FROM audit_log WHERE seq = ?", {*cut}));
    if (!cp_row) return report;
    const internal::DecodedCheckpoint cp = internal::decode_checkpoint(*cp_row);
    const bool genuine =
        rec_row && cp.well_typed && rec_row->blob(0).ok() && *rec_row->blob(0) == cp.hash &&
        crypto::ed25519_verify(
            public_key_,
            checkpoint_message(cp.seq, cp.prev_checkpoint_seq, cp.hash, cp.signed_at_ms),
            cp.signature)
            .ok();
    if (!genuine) {
      return Error::data_loss("audit_log_tampered",
                              "the audit log does not match its checkpoint; run audit verify "
                              "before pruning");
    }

    HIPPO_RETURN_IF_ERROR(internal::remove_index_entries_through(tx, *cut));
    HIPPO_ASSIGN_OR_RETURN(report.records_removed,
                           tx.execute("DELETE FROM audit_log WHERE seq <= ?", {*cut}));
    HIPPO_ASSIGN_OR_RETURN(report.checkpoints_removed,
                           tx.execute("DELETE FROM audit_checkpoints WHERE seq <= ?", {*cut}));
    const std::int64_t first_kept = *cut + 1;
    HIPPO_ASSIGN_OR_RETURN(
        crypto::Ed25519Signature sig,
        crypto::ed25519_sign(secret_key_, anchor_message(first_kept, cp.hash, now_ms)));
    HIPPO_RETURN_IF_ERROR(tx.execute(
        "INSERT INTO audit_anchor (id, first_seq, prev_hash, pruned_at_ms, signature) "
        "VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET first_seq = excluded.first_seq, "
        "prev_hash = excluded.prev_hash, pruned_at_ms = excluded.pruned_at_ms, "
        "signature = excluded.signature",
        {first_kept, cp.hash, now_ms, Bytes(sig.begin(), sig.end())}));
    report.first_seq = first_kept;

    AuditRecord note;
    note.action = "audit.prune";
    note.result = "succeeded";
    note.detail = "removed seq " + std::to_string(*first) + ".." + std::to_string(*cut);
    HIPPO_RETURN_IF_ERROR(append(tx, note));
    return report;
  });
}

}  // namespace hippocrate::audit
