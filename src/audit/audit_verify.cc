// AuditLog::verify: one pass over the chain in seq order, in one read snapshot, stopping at
// the first problem. The classification rules are documented in README.md ("What verify
// can tell apart"); each branch below names the rule it applies.
#include <algorithm>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/record_rows.h"
#include "audit/search_index.h"

namespace hippocrate::audit {
namespace {

using store::Row;
using store::Transaction;

constexpr std::int64_t kPageSize = 512;
constexpr std::int64_t kRenumberProbe = 16;

std::string n(std::int64_t v) { return std::to_string(v); }

class Verifier {
 public:
  Verifier(Transaction& tx, std::span<const std::uint8_t> public_key)
      : tx_(tx), public_key_(public_key.begin(), public_key.end()) {}

  Result<VerifyReport> run() {
    HIPPO_ASSIGN_OR_RETURN(std::optional<internal::Anchor> anchor, internal::read_anchor(tx_));
    expected_prev_.assign(kHashBytes, 0);
    if (anchor) {
      const bool ok = anchor->well_typed &&
                      crypto::ed25519_verify(public_key_,
                                             anchor_message(anchor->first_seq, anchor->prev_hash,
                                                            anchor->pruned_at_ms),
                                             anchor->signature)
                          .ok();
      if (!ok) {
        return problem(TamperKind::kCheckpointInvalid, anchor->first_seq,
                       "the retention anchor (first kept record) has an invalid signature");
      }
      expected_seq_ = anchor->first_seq;
      expected_prev_ = anchor->prev_hash;
      prev_checkpoint_ = anchor->first_seq - 1;
    }
    report_.first_seq = expected_seq_;
    HIPPO_RETURN_IF_ERROR(load_checkpoints());

    std::optional<std::int64_t> cursor;
    while (true) {
      HIPPO_ASSIGN_OR_RETURN(std::vector<Row> rows, next_page(cursor));
      for (const Row& row : rows) {
        HIPPO_ASSIGN_OR_RETURN(bool more, walk(internal::decode_record(row)));
        if (!more) return report_;
        cursor = report_.last_seq;
      }
      if (static_cast<std::int64_t>(rows.size()) < kPageSize) break;
    }
    return finish();
  }

 private:
  Result<std::vector<Row>> next_page(std::optional<std::int64_t> after) {
    const std::string select =
        std::string("SELECT ") + internal::kRecordColumnsOfA + " FROM audit_log a ";
    if (!after) return tx_.query(select + "ORDER BY a.seq LIMIT ?", {kPageSize});
    return tx_.query(select + "WHERE a.seq > ? ORDER BY a.seq LIMIT ?", {*after, kPageSize});
  }

  Status load_checkpoints() {
    HIPPO_ASSIGN_OR_RETURN(std::vector<Row> rows,
                           tx_.query(std::string("SELECT ") + internal::kCheckpointColumns +
                                     " FROM audit_checkpoints ORDER BY seq"));
    for (const Row& row : rows) checkpoints_.push_back(internal::decode_checkpoint(row));
    // Checkpoints below the anchor cannot matter (pruning removes them); skip them.
    while (next_cp_ < checkpoints_.size() && checkpoints_[next_cp_].seq < expected_seq_) {
      ++next_cp_;
    }
    return ok_status();
  }

  // Returns false once a problem has been recorded.
  Result<bool> walk(const internal::DecodedRecord& d) {
    const std::int64_t e = expected_seq_;
    if (!d.seq) {
      return fail(TamperKind::kInserted, e,
                  "a record with a non-integer seq was inserted at seq " + n(e));
    }
    const std::int64_t s = *d.seq;
    if (s < e) {
      return fail(TamperKind::kInserted, s,
                  "record " + n(s) + " is extra (a duplicate, or before the first kept record)");
    }
    if (s > e) {
      return fail(TamperKind::kDeleted, e,
                  s == e + 1 ? "record " + n(e) + " is missing"
                             : "records " + n(e) + ".." + n(s - 1) + " are missing");
    }
    if (!d.well_typed) {
      return fail(TamperKind::kModified, s, "a column of record " + n(s) + " has the wrong type");
    }
    const StoredAuditRecord& r = d.stored;
    const auto computed = chain_hash(r.prev_hash, s, d.at_ms, r.record);
    const bool self_ok =
        r.hash.size() == kHashBytes && std::equal(computed.begin(), computed.end(), r.hash.begin());
    const bool link_ok = r.prev_hash == expected_prev_;
    if (!self_ok || !link_ok) {
      HIPPO_RETURN_IF_ERROR(classify(d, self_ok, link_ok));
      return false;
    }
    ++report_.records;
    report_.last_seq = s;
    expected_seq_ = s + 1;
    expected_prev_ = r.hash;
    return check_checkpoints_at(s, r.hash);
  }

  // The record at the expected seq does not fit; decide what was done to it.
  Status classify(const internal::DecodedRecord& d, bool self_ok, bool link_ok) {
    const std::int64_t e = *d.seq;
    const StoredAuditRecord& r = d.stored;
    // Rule 1: a later record claims the expected predecessor, so records e..j-1 stand
    // between a record and its true successor j: reordered if any of them is chained to
    // records at or after j, else inserted.
    HIPPO_ASSIGN_OR_RETURN(std::optional<std::int64_t> j,
                           min_seq("SELECT MIN(seq) FROM audit_log WHERE prev_hash = ? AND seq > ?",
                                   {expected_prev_, e}));
    if (j) {
      HIPPO_ASSIGN_OR_RETURN(std::optional<std::int64_t> linked,
                             min_seq("SELECT MIN(a.seq) FROM audit_log a, audit_log b "
                                     "WHERE a.seq >= ? AND a.seq < ? AND b.seq >= ? AND "
                                     "(b.prev_hash = a.hash OR a.prev_hash = b.hash)",
                                     {e, *j, *j}));
      if (linked) {
        fail(TamperKind::kReordered, e,
             "record " + n(e) + " is out of order: the chain continues from record " + n(e - 1) +
                 " at record " + n(*j));
      } else {
        fail(TamperKind::kInserted, e,
             *j - e == 1 ? "record " + n(e) + " was inserted"
                         : "records " + n(e) + ".." + n(*j - 1) + " were inserted");
      }
      return ok_status();
    }
    // Rule 2: it links to its predecessor but its own hash does not match: edited.
    if (link_ok) {
      HIPPO_ASSIGN_OR_RETURN(std::optional<std::int64_t> next,
                             min_seq("SELECT MIN(seq) FROM audit_log WHERE seq > ?", {e}));
      fail(TamperKind::kModified, e,
           "record " + n(e) + " does not match its hash" +
               (next ? "" : " (an edited last record and a forged one appended look alike)"));
      return ok_status();
    }
    // Rule 3: it names a later record as its predecessor: moved earlier.
    HIPPO_ASSIGN_OR_RETURN(
        std::optional<std::int64_t> later,
        min_seq("SELECT MIN(seq) FROM audit_log WHERE hash = ? AND seq > ?", {r.prev_hash, e}));
    if (later) {
      fail(TamperKind::kReordered, e, "record " + n(e) + " belongs after record " + n(*later));
      return ok_status();
    }
    // Rule 4: it hashes correctly under a higher seq: records were deleted and the
    // following ones renumbered to close the gap.
    if (!self_ok) {
      for (std::int64_t k = 1; k <= kRenumberProbe; ++k) {
        const auto h = chain_hash(r.prev_hash, e + k, d.at_ms, r.record);
        if (r.hash.size() == kHashBytes && std::equal(h.begin(), h.end(), r.hash.begin())) {
          fail(TamperKind::kDeleted, e,
               n(k) + " record(s) were deleted at seq " + n(e) +
                   " and the following ones renumbered");
          return ok_status();
        }
      }
      fail(TamperKind::kModified, e,
           "record " + n(e) + " matches neither its hash nor its predecessor");
      return ok_status();
    }
    // Rule 5: self-consistent but not linked. If its successor still points at it, it is
    // intact and its predecessor's hash was recomputed after an edit; otherwise it was.
    HIPPO_ASSIGN_OR_RETURN(std::optional<std::int64_t> successor,
                           min_seq("SELECT MIN(seq) FROM audit_log WHERE seq = ? AND "
                                   "prev_hash = ?",
                                   {e + 1, r.hash}));
    if (successor && e > report_.first_seq) {
      fail(TamperKind::kModified, e - 1,
           "record " + n(e - 1) + " was changed and its hash recomputed; record " + n(e) +
               " still names the old hash");
    } else {
      fail(TamperKind::kModified, e, "record " + n(e) + " was changed and its hash recomputed");
    }
    return ok_status();
  }

  Result<std::optional<std::int64_t>> min_seq(const char* sql, const store::Params& params) {
    HIPPO_ASSIGN_OR_RETURN(std::optional<Row> row, tx_.query_one(sql, params));
    if (!row) return std::optional<std::int64_t>();
    return row->optional_int64(0);
  }

  bool check_checkpoints_at(std::int64_t s, const Bytes& hash) {
    while (next_cp_ < checkpoints_.size() && checkpoints_[next_cp_].seq == s) {
      const internal::DecodedCheckpoint& c = checkpoints_[next_cp_++];
      if (!checkpoint_signature_ok(c)) {
        return fail(TamperKind::kCheckpointInvalid, s,
                    "the checkpoint at seq " + n(s) + " has an invalid signature");
      }
      if (c.prev_checkpoint_seq != prev_checkpoint_) {
        return fail(TamperKind::kCheckpointInvalid,
                    std::max(c.prev_checkpoint_seq, prev_checkpoint_),
                    "the checkpoint at seq " + n(s) + " names seq " + n(c.prev_checkpoint_seq) +
                        " as the previous checkpoint: a checkpoint was deleted");
      }
      if (c.hash != hash) {
        return fail(TamperKind::kRewritten, s,
                    "a record between seq " + n(prev_checkpoint_ + 1) + " and " + n(s) +
                        " was changed and every hash after it recomputed; the signed checkpoint "
                        "at seq " +
                        n(s) + " no longer matches");
      }
      prev_checkpoint_ = s;
      ++report_.checkpoints;
      report_.last_checkpoint_seq = s;
      report_.last_checkpoint_hash = c.hash;
    }
    return true;
  }

  bool checkpoint_signature_ok(const internal::DecodedCheckpoint& c) const {
    return c.well_typed && crypto::ed25519_verify(public_key_,
                                                  checkpoint_message(c.seq, c.prev_checkpoint_seq,
                                                                     c.hash, c.signed_at_ms),
                                                  c.signature)
                               .ok();
  }

  Result<VerifyReport> finish() {
    const std::int64_t e = expected_seq_;
    if (next_cp_ < checkpoints_.size()) {
      // A checkpoint beyond the last record: genuine => the tail was cut.
      const internal::DecodedCheckpoint& c = checkpoints_[next_cp_];
      if (!checkpoint_signature_ok(c)) {
        return problem(TamperKind::kCheckpointInvalid, c.seq,
                       "the checkpoint at seq " + n(c.seq) + " has an invalid signature");
      }
      return problem(TamperKind::kDeleted, e,
                     "records " + n(e) + ".." + n(c.seq) +
                         " are missing (a signed checkpoint covers seq " + n(c.seq) + ")");
    }
    if (report_.records == 0 && report_.first_seq > 1) {
      return problem(TamperKind::kDeleted, e, "every record from seq " + n(e) + " is missing");
    }
    if (report_.last_seq - prev_checkpoint_ > kMaxCheckpointEvery) {
      return problem(TamperKind::kCheckpointInvalid, prev_checkpoint_ + kMaxCheckpointEvery,
                     "no checkpoint covers the last " + n(report_.last_seq - prev_checkpoint_) +
                         " records: the newest checkpoints were deleted");
    }
    if (report_.records == 0) report_.first_seq = 0;
    // The chain holds: the search index must name exactly its records.
    HIPPO_ASSIGN_OR_RETURN(std::optional<internal::IndexProblem> index,
                           internal::check_search_index(tx_));
    if (index) return problem(TamperKind::kSearchIndexEdited, index->seq, index->explanation);
    return report_;
  }

  bool fail(TamperKind kind, std::int64_t seq, std::string explanation) {
    if (report_.kind == TamperKind::kNone) {
      report_.kind = kind;
      report_.seq = seq;
      report_.explanation = std::move(explanation);
    }
    return false;
  }

  VerifyReport problem(TamperKind kind, std::int64_t seq, std::string explanation) {
    fail(kind, seq, std::move(explanation));
    return report_;
  }

  Transaction& tx_;
  Bytes public_key_;
  VerifyReport report_;
  std::int64_t expected_seq_ = 1;
  Bytes expected_prev_;
  std::int64_t prev_checkpoint_ = 0;
  std::vector<internal::DecodedCheckpoint> checkpoints_;
  std::size_t next_cp_ = 0;
};

}  // namespace

Result<VerifyReport> AuditLog::verify(store::Store& store,
                                      std::span<const std::uint8_t> public_key) {
  return store.read([&](Transaction& tx) { return Verifier(tx, public_key).run(); });
}

}  // namespace hippocrate::audit
