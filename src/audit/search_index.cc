#include "audit/search_index.h"

#include <array>
#include <string>

namespace hippocrate::audit::internal {
namespace {

// The statements of each index, written out in full: SQL is never built from data.
struct IndexTable {
  const char* what;  // for explanations
  const char* insert_batch;
  const char* remove_pruned;
  const char* first_missing;
  const char* first_extra;
};

#define HIPPO_AUDIT_INDEX(TABLE, COLUMN, WHAT)                                                      \
  IndexTable {                                                                                      \
    WHAT, /* In key order, so the batch walks the index once from left to right. */                 \
        "INSERT INTO " TABLE " (" COLUMN ", seq) SELECT " COLUMN                                    \
        ", seq FROM audit_log "                                                                     \
        "WHERE seq > ? AND seq <= ? AND " COLUMN " IS NOT NULL ORDER BY " COLUMN                    \
        ", seq", /* One lookup by key per pruned record, as SQLite's own index maintenance does. */ \
        "DELETE FROM " TABLE " WHERE (" COLUMN ", seq) IN (SELECT " COLUMN                          \
        ", seq FROM "                                                                               \
        "audit_log WHERE seq <= ? AND " COLUMN " IS NOT NULL)",                                     \
        "SELECT MIN(a.seq) FROM audit_log a WHERE a.seq <= ? AND a." COLUMN                         \
        " IS NOT NULL "                                                                             \
        "AND NOT EXISTS (SELECT 1 FROM " TABLE " i WHERE i." COLUMN " = a." COLUMN                  \
        " AND i.seq = a.seq)",                                                                      \
        "SELECT MIN(i.seq) FROM " TABLE                                                             \
        " i WHERE i.seq > ? OR NOT EXISTS (SELECT 1 FROM "                                          \
        "audit_log a WHERE a.seq = i.seq AND a." COLUMN " = i." COLUMN ")",                         \
  }

constexpr std::array<IndexTable, 2> kIndexes = {
    HIPPO_AUDIT_INDEX("audit_by_account", "account_id", "account"),
    HIPPO_AUDIT_INDEX("audit_by_resource", "resource", "resource"),
};

#undef HIPPO_AUDIT_INDEX

Result<std::optional<std::int64_t>> min_seq(store::Transaction& tx, const char* query,
                                            const store::Params& params) {
  HIPPO_ASSIGN_OR_RETURN(std::optional<store::Row> row, tx.query_one(query, params));
  if (!row) return std::optional<std::int64_t>();
  return row->optional_int64(0);
}

}  // namespace

Result<std::int64_t> indexed_through(store::Transaction& tx) {
  HIPPO_ASSIGN_OR_RETURN(
      std::optional<store::Row> row,
      tx.query_one("SELECT indexed_through FROM audit_index_state WHERE id = 1"));
  if (!row) {
    return Error::internal("audit_index_state_missing", "the audit search index has no state row");
  }
  return row->int64(0);
}

Status index_records_through(store::Transaction& tx, std::int64_t through) {
  HIPPO_ASSIGN_OR_RETURN(std::int64_t from, indexed_through(tx));
  if (through <= from) return ok_status();
  for (const IndexTable& index : kIndexes) {
    HIPPO_RETURN_IF_ERROR(tx.execute(index.insert_batch, {from, through}));
  }
  HIPPO_RETURN_IF_ERROR(
      tx.execute("UPDATE audit_index_state SET indexed_through = ? WHERE id = 1", {through}));
  return ok_status();
}

Status remove_index_entries_through(store::Transaction& tx, std::int64_t cut) {
  for (const IndexTable& index : kIndexes) {
    HIPPO_RETURN_IF_ERROR(tx.execute(index.remove_pruned, {cut}));
  }
  return ok_status();
}

Result<std::optional<IndexProblem>> check_search_index(store::Transaction& tx) {
  HIPPO_ASSIGN_OR_RETURN(std::int64_t through, indexed_through(tx));
  for (const IndexTable& index : kIndexes) {
    HIPPO_ASSIGN_OR_RETURN(std::optional<std::int64_t> missing,
                           min_seq(tx, index.first_missing, {through}));
    if (missing) {
      return std::optional<IndexProblem>(IndexProblem{
          *missing, "record " + std::to_string(*missing) + " is missing from the search index by " +
                        index.what + ": searches would not find it"});
    }
    HIPPO_ASSIGN_OR_RETURN(std::optional<std::int64_t> extra,
                           min_seq(tx, index.first_extra, {through}));
    if (extra) {
      return std::optional<IndexProblem>(IndexProblem{
          *extra, std::string("the search index by ") + index.what + " names seq " +
                      std::to_string(*extra) + " for a record that does not carry it"});
    }
  }
  return std::optional<IndexProblem>();
}

}  // namespace hippocrate::audit::internal
