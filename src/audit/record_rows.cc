#include "audit/record_rows.h"

#include <string>
#include <variant>

namespace hippocrate::audit::internal {
namespace {

// Each reader returns the value, or leaves `ok` false when the column has another type.
std::int64_t int_at(const store::Row& row, std::size_t i, bool& ok) {
  if (const auto* v = std::get_if<std::int64_t>(&row.value(i))) return *v;
  ok = false;
  return 0;
}

// Optional text: NULL reads as "" (append stores empty optional fields as NULL).
std::string text_at(const store::Row& row, std::size_t i, bool& ok) {
  if (const auto* v = std::get_if<std::string>(&row.value(i))) return *v;
  if (!std::holds_alternative<std::nullptr_t>(row.value(i))) ok = false;
  return {};
}

Bytes blob_at(const store::Row& row, std::size_t i, bool& ok) {
  if (const auto* v = std::get_if<Bytes>(&row.value(i))) return *v;
  ok = false;
  return {};
}

}  // namespace

DecodedRecord decode_record(const store::Row& row) {
  DecodedRecord d;
  if (row.size() != 12) {
    d.well_typed = false;
    return d;
  }
  if (const auto* v = std::get_if<std::int64_t>(&row.value(0))) d.seq = *v;
  bool ok = true;
  d.at_ms = int_at(row, 1, ok);
  AuditRecord& r = d.stored.record;
  r.at = from_unix_ms(d.at_ms);
  r.account_id = text_at(row, 2, ok);
  r.session_id = text_at(row, 3, ok);
  r.device_id = text_at(row, 4, ok);
  r.source_address = text_at(row, 5, ok);
  r.action = text_at(row, 6, ok);
  r.resource = text_at(row, 7, ok);
  r.result = text_at(row, 8, ok);
  r.detail = text_at(row, 9, ok);
  d.stored.prev_hash = blob_at(row, 10, ok);
  d.stored.hash = blob_at(row, 11, ok);
  d.stored.seq = d.seq.value_or(0);
  d.well_typed = ok;
  return d;
}

DecodedCheckpoint decode_checkpoint(const store::Row& row) {
  DecodedCheckpoint c;
  if (row.size() != 5) {
    c.well_typed = false;
    return c;
  }
  bool ok = true;
  c.seq = int_at(row, 0, ok);
  c.prev_checkpoint_seq = int_at(row, 1, ok);
  c.hash = blob_at(row, 2, ok);
  c.signed_at_ms = int_at(row, 3, ok);
  c.signature = blob_at(row, 4, ok);
  c.well_typed = ok;
  return c;
}

Result<std::optional<Anchor>> read_anchor(store::Transaction& tx) {
  HIPPO_ASSIGN_OR_RETURN(
      std::optional<store::Row> row,
      tx.query_one("SELECT first_seq, prev_hash, pruned_at_ms, signature FROM audit_anchor "
                   "WHERE id = 1"));
  if (!row) return std::optional<Anchor>();
  Anchor a;
  bool ok = true;
  a.first_seq = int_at(*row, 0, ok);
  a.prev_hash = blob_at(*row, 1, ok);
  a.pruned_at_ms = int_at(*row, 2, ok);
  a.signature = blob_at(*row, 3, ok);
  a.well_typed = ok;
  return std::optional<Anchor>(std::move(a));
}

Result<Head> read_head(store::Transaction& tx) {
  Head head;
  HIPPO_ASSIGN_OR_RETURN(std::optional<Anchor> anchor, read_anchor(tx));
  HIPPO_ASSIGN_OR_RETURN(std::optional<store::Row> last,
                         tx.query_one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
  if (last) {
    HIPPO_ASSIGN_OR_RETURN(std::int64_t seq, last->int64(0));
    HIPPO_ASSIGN_OR_RETURN(head.prev_hash, last->blob(1));
    head.next_seq = seq + 1;
    head.empty = false;
  } else if (anchor) {
    head.next_seq = anchor->first_seq;
    head.prev_hash = anchor->prev_hash;
  } else {
    head.prev_hash.assign(kHashBytes, 0);
  }

  HIPPO_ASSIGN_OR_RETURN(
      std::optional<store::Row> cp,
      tx.query_one("SELECT seq, signed_at_ms FROM audit_checkpoints ORDER BY seq DESC LIMIT 1"));
  if (cp) {
    HIPPO_ASSIGN_OR_RETURN(head.last_checkpoint_seq, cp->int64(0));
    HIPPO_ASSIGN_OR_RETURN(std::int64_t at, cp->int64(1));
    head.last_checkpoint_ms = at;
  } else if (anchor) {
    head.last_checkpoint_seq = anchor->first_seq - 1;
    head.last_checkpoint_ms = anchor->pruned_at_ms;
  } else if (last) {
    // No checkpoint yet: the interval counts from the first record.
    HIPPO_ASSIGN_OR_RETURN(std::optional<store::Row> first,
                           tx.query_one("SELECT at_ms FROM audit_log ORDER BY seq LIMIT 1"));
    if (first) {
      HIPPO_ASSIGN_OR_RETURN(std::int64_t at, first->int64(0));
      head.last_checkpoint_ms = at;
    }
  }
  return head;
}

}  // namespace hippocrate::audit::internal
