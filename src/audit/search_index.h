// Internal to audit/: the search index of the audit log, by acting account and by resource,
// written in batches (docs/audit.md, "Search index").
//
// Two tables, audit_by_account (account_id, seq) and audit_by_resource (resource, seq), each
// one B-tree (WITHOUT ROWID), hold an entry for every record up to audit_index_state's
// `indexed_through`. They are filled a batch at a time (AuditOptions::search_index_batch
// records) by the append whose seq is a multiple of the batch, inside that append's
// transaction: each index page is then written about once per batch instead of once per
// commit (with a commit per group of sends, the two indexes SQLite kept by account and by
// resource made most of the pages a commit wrote). The records after `indexed_through`,
// fewer than a batch, form the tail, which searches scan by seq.
//
// The index is derived data: it names records, never changes them, and verify checks that
// it names exactly the records it should (check_search_index), so a search cannot be made
// to miss a record by editing these tables.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "store/store.h"

namespace hippocrate::audit::internal {

// The last record the index covers (0: none).
Result<std::int64_t> indexed_through(store::Transaction& tx);

// Indexes the records in (indexed_through, through] and moves the mark to `through`.
Status index_records_through(store::Transaction& tx, std::int64_t through);

// Removes the entries of the records with seq <= `cut` (retention), before they go.
Status remove_index_entries_through(store::Transaction& tx, std::int64_t cut);

// What verify reports when the index does not name exactly the records up to its mark that
// carry an account or a resource: the lowest seq concerned, one sentence, no record content.
struct IndexProblem {
  std::int64_t seq = 0;
  std::string explanation;
};
Result<std::optional<IndexProblem>> check_search_index(store::Transaction& tx);

}  // namespace hippocrate::audit::internal
