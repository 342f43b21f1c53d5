// Tests of a migration that changed how stored data is kept (10, 11) take a database back
// to the schema before it and reopen the store, so that it runs again on real rows. Every
// later migration must then be undone too (they run again after it): their undo
// statements live here, in one place, newest first. A migration added to
// src/store/migrations.cc without its entry here fails
// `UndoMigrations.EveryMigrationAfterTheLastRebuildingOneCanBeUndone`.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace hippocrate::testing {

// The migrations after 11, each with the statements that undo it.
inline const std::map<int, std::vector<std::string>, std::greater<>>& migration_undos() {
  static const std::map<int, std::vector<std::string>, std::greater<>> undos = {
      {17,
       {"DROP TABLE webauthn_challenges", "DROP TABLE webauthn_credentials",
        "DROP TABLE webauthn_users"}},
      {16,
       {"CREATE TABLE undelivered_notices_one_reason ("
        " device_id TEXT NOT NULL REFERENCES devices(id), message_id TEXT NOT NULL,"
        " recipient_account TEXT NOT NULL REFERENCES accounts(id), sent_at BIGINT NOT NULL,"
        " devices BIGINT NOT NULL, expired_at BIGINT NOT NULL,"
        " PRIMARY KEY (device_id, message_id))",
        "INSERT INTO undelivered_notices_one_reason SELECT device_id, message_id, "
        "recipient_account, sent_at, devices, expired_at FROM undelivered_notices "
        "WHERE reason = 'expired'",
        "DROP TABLE undelivered_notices",
        "ALTER TABLE undelivered_notices_one_reason RENAME TO undelivered_notices"}},
      {15,
       {"DROP INDEX accounts_by_rpps", "ALTER TABLE accounts DROP COLUMN rpps_attested_at",
        "ALTER TABLE accounts DROP COLUMN rpps_attested_by",
        "ALTER TABLE accounts DROP COLUMN rpps"}},
      {14, {"DROP TABLE key_backups"}},
      {13, {"ALTER TABLE totp_factors DROP COLUMN replacement_sealed"}},
      {12, {"DROP INDEX sessions_by_device", "ALTER TABLE sessions DROP COLUMN device_id"}},
  };
  return undos;
}

// The statements that take a database at the latest schema back to `version` (>= 11):
// every later migration undone, newest first, and its schema_migrations row removed.
inline std::vector<std::string> statements_undoing_migrations_after(int version) {
  std::vector<std::string> out;
  for (const auto& [v, statements] : migration_undos()) {
    if (v <= version) continue;
    out.insert(out.end(), statements.begin(), statements.end());
  }
  out.push_back("DELETE FROM schema_migrations WHERE version > " + std::to_string(version));
  return out;
}

}  // namespace hippocrate::testing
