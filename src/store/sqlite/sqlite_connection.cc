#include "store/sqlite/sqlite_connection.h"

#include <cctype>
#include <utility>

namespace hippocrate::store::sqlite {
namespace {

// Statements stay cached for the connection's lifetime. The SQL is a fixed set of string
// constants in the code, so this bound is only a guard against a caller building SQL
// dynamically (e.g. IN lists); past it the cache starts afresh.
constexpr std::size_t kMaxCachedStatements = 256;

// Resets a statement and drops its bindings when the run ends, however it ends, so the
// cached statement holds no lock and no pointer into the caller's parameters.
class ResetGuard {
 public:
  explicit ResetGuard(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ResetGuard(const ResetGuard&) = delete;
  ResetGuard& operator=(const ResetGuard&) = delete;
  ~ResetGuard() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3_stmt* stmt_;
};

bool only_trailing_space(std::string_view rest) {
  for (char c : rest) {
    if (c != ';' && !std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Parameters are bound SQLITE_STATIC: `params` outlives every step of the statement and
// ResetGuard clears the bindings before the run returns.
Status bind(sqlite3_stmt* stmt, const Params& params) {
  const int expected = sqlite3_bind_parameter_count(stmt);
  if (static_cast<std::size_t>(expected) != params.size()) {
    return Error::internal("parameter_count_mismatch",
                           "the statement expects " + std::to_string(expected) + " parameters, " +
                               std::to_string(params.size()) + " given");
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    int rc = SQLITE_OK;
    const Value& v = params[i];
    if (std::holds_alternative<std::nullptr_t>(v)) {
      rc = sqlite3_bind_null(stmt, index);
    } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
      rc = sqlite3_bind_int64(stmt, index, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(stmt, index, *d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      HIPPO_RETURN_IF_ERROR(validate_text(*s));
      rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
    } else {
      const Bytes& b = std::get<Bytes>(v);
      // A null data pointer would bind NULL, not an empty blob.
      rc = b.empty() ? sqlite3_bind_zeroblob(stmt, index, 0)
                     : sqlite3_bind_blob64(stmt, index, b.data(), b.size(), SQLITE_STATIC);
    }
    if (rc != SQLITE_OK) return sqlite_error(rc);
  }
  return ok_status();
}

Value read_column(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER: return std::int64_t{sqlite3_column_int64(stmt, i)};
    case SQLITE_FLOAT: return sqlite3_column_double(stmt, i);
    case SQLITE_TEXT: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      const int n = sqlite3_column_bytes(stmt, i);
      return p == nullptr ? std::string() : std::string(p, static_cast<std::size_t>(n));
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, i));
      const int n = sqlite3_column_bytes(stmt, i);
      return p == nullptr ? Bytes() : Bytes(p, p + n);
    }
    default: return nullptr;
  }
}

std::shared_ptr<const std::vector<std::string>> column_names(sqlite3_stmt* stmt) {
  auto names = std::make_shared<std::vector<std::string>>();
  const int n = sqlite3_column_count(stmt);
  names->reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const char* name = sqlite3_column_name(stmt, i);
    names->emplace_back(name == nullptr ? "" : name);
  }
  return names;
}

}  // namespace

Error sqlite_error(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return Error::conflict("constraint_violation",
                             "the change conflicts with existing data or a constraint");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::unavailable("database_busy", "the database is busy; try again");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Error::data_loss("database_corrupt",
                              "the database file is damaged or is not a database");
    case SQLITE_FULL:
      return Error::resource_exhausted("storage_full", "the database storage is full");
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return Error::unavailable("database_unavailable", "the database cannot be read or written");
    case SQLITE_AUTH:  // only our authorizer denies
      return Error::internal("transaction_control_forbidden",
                             "transactions are controlled by the store, not by statements");
    default:
      return Error::internal("database_error",
                             std::string("internal database error (") + sqlite3_errstr(rc) + ")");
  }
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(
    const std::string& path, Mode mode, std::chrono::milliseconds busy_timeout) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE | SQLITE_OPEN_EXRESCODE;
  flags |= mode == Mode::kWriter ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) return sqlite_error(rc);

  std::unique_ptr<SqliteConnection> c(new SqliteConnection(std::move(db)));
  sqlite3_extended_result_codes(c->raw(), 1);
  sqlite3_busy_timeout(c->raw(), static_cast<int>(busy_timeout.count()));
  sqlite3_set_authorizer(c->raw(), &SqliteConnection::authorize, c.get());

  // Nothing of the database goes to a temporary file: SQLite otherwise spills a job's
  // savepoint undo log (page images, past 64 KiB) and large sorts to unlinked files in
  // /var/tmp — outside the data folder, its permissions and its wipe — and, for the undo
  // log, with a system call per page: about a dozen per message sent (docs/storage.md).
  HIPPO_RETURN_IF_ERROR(c->run("PRAGMA temp_store=MEMORY", {}, false, nullptr));
  if (mode == Mode::kWriter) {
    // WAL: readers never block the writer nor each other. synchronous=FULL: in WAL mode,
    // NORMAL may lose the last commits on power loss; patient data must be durable before
    // we acknowledge, and group commit pays the fsync once per batch.
    std::vector<Row> rows;
    HIPPO_RETURN_IF_ERROR(c->run("PRAGMA journal_mode=WAL", {}, false, &rows));
    Result<std::string> journal_mode =
        rows.size() == 1 ? rows[0].text(0) : Result<std::string>(std::string());
    if (!journal_mode.ok() || *journal_mode != "wal") {
      return Error::unavailable("database_unavailable",
                                "the database cannot be switched to write-ahead logging");
    }
    HIPPO_RETURN_IF_ERROR(c->run("PRAGMA synchronous=FULL", {}, false, nullptr));
    // The writer's page cache (8 MiB) keeps the hot B-tree pages (inner nodes, index tails,
    // the audit chain's end) in memory. Not larger: every commit walks the whole cache's
    // hash table whenever a B-tree balance renumbered a page in it (SQLite truncates the
    // cache to the database size at each commit, and a page renumbered past the end leaves
    // the cache's highest key there), which at 64 MiB cost ~8% of the core at saturation
    // (docs/storage.md). A checkpoint copies each page changed since the previous one
    // back into the database once, so checkpointing every 4,000 pages (16 MiB of WAL)
    // rather than SQLite's 1,000 writes hot pages back less often (docs/benchmarks.md).
    HIPPO_RETURN_IF_ERROR(c->run("PRAGMA cache_size=-8192", {}, false, nullptr));
    HIPPO_RETURN_IF_ERROR(c->run("PRAGMA wal_autocheckpoint=4000", {}, false, nullptr));
    HIPPO_RETURN_IF_ERROR(c->run("PRAGMA foreign_keys=ON", {}, false, nullptr));
    rows.clear();
    HIPPO_RETURN_IF_ERROR(c->run("PRAGMA foreign_keys", {}, false, &rows));
    if (rows.size() != 1 || !rows[0].int64(0).ok() || *rows[0].int64(0) != 1) {
      return Error::internal("database_error", "SQLite lacks foreign key support");
    }
  } else {
    // Touch the schema so a damaged file fails here rather than on first use.
    HIPPO_RETURN_IF_ERROR(c->run("PRAGMA schema_version", {}, false, nullptr));
  }
  return c;
}

int SqliteConnection::authorize(void* self, int action, const char*, const char*, const char*,
                                const char*) {
  const auto* c = static_cast<const SqliteConnection*>(self);
  if ((action == SQLITE_TRANSACTION || action == SQLITE_SAVEPOINT) &&
      !c->allow_transaction_control_) {
    return SQLITE_DENY;
  }
  return SQLITE_OK;
}

Result<sqlite3_stmt*> SqliteConnection::prepare(std::string_view sql, Cache& cache) {
  if (auto it = cache.find(sql); it != cache.end()) return it->second.get();
  if (cache.size() >= kMaxCachedStatements) cache.clear();

  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, &tail);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return sqlite_error(rc);
  if (stmt == nullptr) {
    return Error::internal("empty_statement", "the SQL text holds no statement");
  }
  if (!only_trailing_space(sql.substr(static_cast<std::size_t>(tail - sql.data())))) {
    return Error::internal("multiple_statements", "run one statement at a time");
  }
  sqlite3_stmt* result = stmt.get();
  cache.emplace(std::string(sql), std::move(stmt));
  return result;
}

Status SqliteConnection::control(std::string_view sql) {
  // Kept on while stepping too: SQLite may re-prepare (and re-authorize) inside step().
  allow_transaction_control_ = true;
  auto r = run_in(control_cache_, sql, {}, false, nullptr, 0);
  allow_transaction_control_ = false;
  if (!r.ok()) return std::move(r).error();
  return ok_status();
}

Result<std::int64_t> SqliteConnection::run(std::string_view sql, const Params& params,
                                           bool require_read_only, std::vector<Row>* rows,
                                           std::size_t max_rows) {
  return run_in(cache_, sql, params, require_read_only, rows, max_rows);
}

Result<std::int64_t> SqliteConnection::run_in(Cache& cache, std::string_view sql,
                                              const Params& params, bool require_read_only,
                                              std::vector<Row>* rows, std::size_t max_rows) {
  HIPPO_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, prepare(sql, cache));
  if (require_read_only && sqlite3_stmt_readonly(stmt) == 0) {
    return Error::internal("read_only_transaction",
                           "a read-only transaction cannot modify the database");
  }
  ResetGuard guard(stmt);
  HIPPO_RETURN_IF_ERROR(bind(stmt, params));

  const sqlite3_int64 before = sqlite3_total_changes64(db_.get());
  std::shared_ptr<const std::vector<std::string>> names;
  while (true) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return sqlite_error(rc);
    if (rows == nullptr) continue;
    if (!names) names = column_names(stmt);
    const int n = sqlite3_column_count(stmt);
    std::vector<Value> values;
    values.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) values.push_back(read_column(stmt, i));
    rows->emplace_back(names, std::move(values));
    if (rows->size() >= max_rows) break;
  }
  // sqlite3_changes64() keeps the count of the last INSERT/UPDATE/DELETE, even across
  // later DDL or SELECTs; the total moving tells whether this statement changed rows.
  if (sqlite3_total_changes64(db_.get()) == before) return 0;
  return std::int64_t{sqlite3_changes64(db_.get())};
}

Result<std::int64_t> SqliteTransaction::execute(std::string_view sql, const Params& params) {
  return connection_.run(sql, params, read_only_, nullptr);
}

Result<std::vector<Row>> SqliteTransaction::query(std::string_view sql, const Params& params) {
  std::vector<Row> rows;
  HIPPO_RETURN_IF_ERROR(connection_.run(sql, params, read_only_, &rows));
  return rows;
}

Result<std::optional<Row>> SqliteTransaction::query_one(std::string_view sql,
                                                        const Params& params) {
  std::vector<Row> rows;
  HIPPO_RETURN_IF_ERROR(connection_.run(sql, params, read_only_, &rows, 2));
  if (rows.size() > 1) {
    return Error::internal("more_than_one_row", "the query returned more than one row");
  }
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

Result<bool> SqliteTransaction::table_exists(std::string_view table) {
  HIPPO_ASSIGN_OR_RETURN(std::optional<Row> row,
                         query_one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                   {std::string(table)}));
  return row.has_value();
}

}  // namespace hippocrate::store::sqlite
