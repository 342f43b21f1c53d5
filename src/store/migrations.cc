#include "store/migrations.h"

#include <string>

namespace hippocrate::store {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "create_schema_migrations_and_server_metadata",
       {
           "CREATE TABLE schema_migrations ("
           " version BIGINT PRIMARY KEY,"
           " name TEXT NOT NULL,"
           " applied_at TEXT NOT NULL)",  // RFC 3339 UTC, readable by an operator
           "CREATE TABLE server_metadata ("
           " key TEXT PRIMARY KEY,"
           " value TEXT NOT NULL)",
       }},
  };
  return kMigrations;
}

int latest_schema_version() { return migrations().back().version; }

Result<int> read_schema_version(Transaction& tx) {
  HIPPO_ASSIGN_OR_RETURN(bool exists, tx.table_exists("schema_migrations"));
  if (!exists) return 0;
  HIPPO_ASSIGN_OR_RETURN(std::optional<Row> row,
                         tx.query_one("SELECT MAX(version) FROM schema_migrations"));
  if (!row) return 0;
  HIPPO_ASSIGN_OR_RETURN(std::optional<std::int64_t> version, row->optional_int64(0));
  return static_cast<int>(version.value_or(0));
}

namespace {

Error too_new(int found, int known) {
  return Error::failed_precondition(
      "database_too_new", "the database schema is at version " + std::to_string(found) +
                              " but this program only knows versions up to " +
                              std::to_string(known) + "; run a newer version of Hippocrate");
}

}  // namespace

Result<int> apply_migrations(Store& store, const Clock& clock) {
  return apply_migrations(store, clock, migrations());
}

Result<int> apply_migrations(Store& store, const Clock& clock, std::span<const Migration> list) {
  const int known = list.empty() ? 0 : list.back().version;
  HIPPO_ASSIGN_OR_RETURN(int current,
                         store.read([](Transaction& tx) { return read_schema_version(tx); }));
  if (current > known) return too_new(current, known);

  for (const Migration& m : list) {
    if (m.version <= current) continue;
    // Re-read the version inside the write transaction: another process may have applied
    // this migration since we looked, and it must run exactly once.
    HIPPO_ASSIGN_OR_RETURN(current, store.write([&](Transaction& tx) -> Result<int> {
      HIPPO_ASSIGN_OR_RETURN(int now, read_schema_version(tx));
      if (now > known) return too_new(now, known);
      if (now >= m.version) return now;
      if (now != m.version - 1) {
        return Error::internal("migration_gap", "the schema migrations are not contiguous");
      }
      for (std::string_view sql : m.statements) {
        HIPPO_RETURN_IF_ERROR(tx.execute(sql));
      }
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
          {std::int64_t{m.version}, std::string(m.name), format_rfc3339_utc(clock.now())}));
      return m.version;
    }));
  }
  return current;
}

}  // namespace hippocrate::store
