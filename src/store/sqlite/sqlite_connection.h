// One SQLite connection with its prepared-statement cache, and the Transaction that runs
// statements on it.
//
// Thread-safety: none. A connection is used by one thread at a time (the store's writer
// thread, or the reader that borrowed it from the pool); it is opened with
// SQLITE_OPEN_NOMUTEX accordingly.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "store/store.h"
#include "store/value.h"

namespace hippocrate::store::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Maps an SQLite result code to a generic Error (see Transaction in store.h for the codes).
// The message names the failure class only, never SQL text, values or file names.
Error sqlite_error(int rc);

class SqliteConnection {
 public:
  enum class Mode { kWriter, kReader };

  // Opens an existing database file. The writer switches the database to WAL and sets
  // synchronous=FULL and foreign_keys=ON; readers are opened read-only. Both get the busy
  // timeout and the authorizer that refuses transaction control in caller SQL.
  static Result<std::unique_ptr<SqliteConnection>> open(const std::string& path, Mode mode,
                                                        std::chrono::milliseconds busy_timeout);

  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Runs a store-owned transaction-control statement (BEGIN, COMMIT, SAVEPOINT...).
  Status control(std::string_view sql);

  // Runs one statement. `rows` (optional) receives up to `max_rows` rows. Returns the
  // rows changed. With `require_read_only`, refuses statements that would modify the
  // database ("read_only_transaction").
  Result<std::int64_t> run(std::string_view sql, const Params& params, bool require_read_only,
                           std::vector<Row>* rows, std::size_t max_rows = SIZE_MAX);

  // Whether a transaction is open (SQLite may roll one back by itself on some errors).
  bool in_transaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

  sqlite3* raw() { return db_.get(); }

 private:
  explicit SqliteConnection(DbPtr db) : db_(std::move(db)) {}
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Cache = std::unordered_map<std::string, StmtPtr, StringHash, std::equal_to<>>;

  Result<sqlite3_stmt*> prepare(std::string_view sql, Cache& cache);
  Result<std::int64_t> run_in(Cache& cache, std::string_view sql, const Params& params,
                              bool require_read_only, std::vector<Row>* rows, std::size_t max_rows);
  static int authorize(void* self, int action, const char*, const char*, const char*, const char*);

  // Declared before the caches so that it is closed after every statement is finalized.
  DbPtr db_;
  // Caller statements and the store's own transaction-control statements are cached
  // apart: a caller's "COMMIT" must never find the store's authorized one.
  Cache cache_;
  Cache control_cache_;
  bool allow_transaction_control_ = false;
};

// A Transaction over a connection whose transaction the store has already begun.
class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(SqliteConnection& connection, bool read_only)
      : connection_(connection), read_only_(read_only) {}

  Result<std::int64_t> execute(std::string_view sql, const Params& params) override;
  Result<std::vector<Row>> query(std::string_view sql, const Params& params) override;
  Result<std::optional<Row>> query_one(std::string_view sql, const Params& params) override;
  Result<bool> table_exists(std::string_view table) override;
  bool read_only() const override { return read_only_; }

 private:
  SqliteConnection& connection_;
  bool read_only_;
};

}  // namespace hippocrate::store::sqlite
