// Numbered schema migrations, shared by every backend.
//
// The list is append-only: a released migration is never edited or renumbered; a change
// to the schema is a new migration at the end. Each migration runs in its own write
// transaction together with the insert of its schema_migrations row, so it is applied
// exactly once even if the process dies or two processes start together.
//
// Statements are listed one by one (no multi-statement strings) and use portable SQL.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace hippocrate::store {

struct Migration {
  int version;                               // 1, 2, 3... without gaps
  std::string_view name;                     // snake_case, recorded in schema_migrations
  std::vector<std::string_view> statements;  // run in order, in one transaction
};

// All migrations this binary knows, ordered by version.
const std::vector<Migration>& migrations();
// The version the newest migration brings the schema to.
int latest_schema_version();

// The schema version recorded in the database (0 for an empty database).
Result<int> read_schema_version(Transaction& tx);

// Brings the schema up to the last of `list` (default: migrations()), one write
// transaction per migration, and returns the resulting version. Refuses with
// "database_too_new" (failed_precondition) when the database is already past it.
Result<int> apply_migrations(Store& store, const Clock& clock);
Result<int> apply_migrations(Store& store, const Clock& clock, std::span<const Migration> list);

}  // namespace hippocrate::store
