// Internal to audit/: the SQL column lists and tolerant row decoding shared by append,
// verify and search. Tolerant because verify reads rows an attacker may have edited with
// any SQL tool: a wrong column type is a finding, not a crash or an internal error.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "audit/record.h"
#include "store/store.h"

namespace hippocrate::audit::internal {

// SELECT list for audit_log named `a` ("FROM audit_log a", so it also serves in a join), in
// the order decode_record() expects.
inline constexpr const char* kRecordColumnsOfA =
    "a.seq, a.at_ms, a.account_id, a.session_id, a.device_id, a.source_address, a.action, "
    "a.resource, a.result, a.detail, a.prev_hash, a.hash";

struct DecodedRecord {
  std::optional<std::int64_t> seq;  // nullopt: not an integer
  std::int64_t at_ms = 0;
  bool well_typed = true;  // every other column had its declared type
  StoredAuditRecord stored;
};
DecodedRecord decode_record(const store::Row& row);

inline constexpr const char* kCheckpointColumns =
    "seq, prev_checkpoint_seq, hash, signed_at_ms, signature";

struct DecodedCheckpoint {
  std::int64_t seq = 0;
  std::int64_t prev_checkpoint_seq = 0;
  Bytes hash;
  std::int64_t signed_at_ms = 0;
  Bytes signature;
  bool well_typed = true;
};
DecodedCheckpoint decode_checkpoint(const store::Row& row);

struct Anchor {
  std::int64_t first_seq = 0;
  Bytes prev_hash;
  std::int64_t pruned_at_ms = 0;
  Bytes signature;
  bool well_typed = true;
};
// The retention anchor, if pruning ever wrote one.
Result<std::optional<Anchor>> read_anchor(store::Transaction& tx);

// Where the next record goes and what the last checkpoint covers.
struct Head {
  std::int64_t next_seq = 1;
  Bytes prev_hash;                       // hash of the last record (or the anchor's / zeros)
  std::int64_t last_checkpoint_seq = 0;  // the last checkpoint, or the anchor's first_seq - 1
  std::optional<std::int64_t> last_checkpoint_ms;  // when it (or the anchor) was signed
  bool empty = true;                               // no record at all
};
Result<Head> read_head(store::Transaction& tx);

}  // namespace hippocrate::audit::internal
