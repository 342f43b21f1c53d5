// The backend-neutral storage interface.
//
// A Store hands out transactions; everything the rest of the server persists goes through
// Store::write (one all-or-nothing write transaction) or Store::read (one consistent
// read-only snapshot). Repositories (accounts, sessions, audit, mailboxes...) are built
// on top of Transaction and never see the backend.
//
// SQL written against Transaction must be portable between SQLite and PostgreSQL:
//   - placeholders are `?` only (no `?NNN`, `:name`, `$1`); a backend may rewrite them, so
//     never put a literal '?' inside SQL text — bind it as a parameter instead;
//   - types INTEGER/BIGINT, DOUBLE PRECISION/REAL, TEXT, BLOB (bytea on PostgreSQL);
//   - generated keys come back through `INSERT ... RETURNING` with query()/query_one();
//   - no transaction control (BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE) inside a
//     transaction function: the store owns transaction boundaries and refuses them
//     ("transaction_control_forbidden").
//
// Thread-safety: a Store is safe to use from any number of threads at once. A Transaction
// is valid only inside the function it was passed to, on the thread that runs that function.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "store/value.h"

namespace hippocrate::store {

// One open transaction. Every statement is prepared (values travel only as bound
// parameters, never inside the SQL text) and cached per connection.
//
// Errors (codes are stable):
//   constraint_violation (conflict)     a UNIQUE / PRIMARY KEY / FOREIGN KEY / NOT NULL /
//                                       CHECK constraint failed;
//   database_busy (unavailable)         the database stayed locked past the busy timeout;
//   database_corrupt (data_loss)        the file is damaged or not a database;
//   storage_full (resource_exhausted)   the disk is full;
//   read_only_transaction (internal)    a modifying statement inside Store::read;
//   parameter_count_mismatch, multiple_statements, transaction_control_forbidden,
//   more_than_one_row, database_error (internal)  programming errors.
// Messages are generic ("the database is busy"): they never contain SQL, values or paths.
class Transaction {
 public:
  virtual ~Transaction() = default;

  // Runs one statement and returns the number of rows it inserted, updated or deleted
  // (0 for anything else). Rows a statement returns are discarded.
  virtual Result<std::int64_t> execute(std::string_view sql, const Params& params = {}) = 0;
  // Runs one statement and returns all its rows.
  virtual Result<std::vector<Row>> query(std::string_view sql, const Params& params = {}) = 0;
  // Runs one statement expected to return at most one row: std::nullopt when it returns
  // none, "more_than_one_row" when it returns several.
  virtual Result<std::optional<Row>> query_one(std::string_view sql, const Params& params = {}) = 0;
  // Whether a table of that name exists (used by migrations; portable catalog lookup).
  virtual Result<bool> table_exists(std::string_view table) = 0;
  // True inside Store::read.
  virtual bool read_only() const = 0;
};

// A function run inside a transaction. Its Status decides commit (ok) or rollback (error).
using TransactionFn = std::function<Status(Transaction&)>;

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // A trivial query against the schema, proving the database is reachable and readable
  // (used by /healthz). Errors as for Transaction.
  virtual Status ping() = 0;
  // The highest migration applied (equal to latest_schema_version() once open succeeded).
  virtual int schema_version() const = 0;
  // "sqlite" or "postgres".
  virtual std::string backend_name() const = 0;

  // Runs `fn(Transaction&)` inside one write transaction and returns its Result<T>.
  // All-or-nothing: when `fn` returns an error or throws, everything it wrote is rolled
  // back (an exception is rethrown to the caller after the rollback). The call returns
  // only once the commit is durable. `fn` may run on another thread (the SQLite backend's
  // writer thread); it must not call write() itself ("nested_write") and should be short,
  // since other writers wait for it. Reads through read() inside `fn` do not see its own
  // uncommitted changes.
  template <typename F>
  auto write(F&& fn) -> std::invoke_result_t<F&, Transaction&> {
    return run(std::forward<F>(fn), /*write=*/true);
  }

  // Asynchronous write, for hot paths that must not hold their thread while the commit is
  // made durable (messaging): queues `fn` and returns at once. `fn` runs exactly like a
  // write() job (same batch and group commit); then `done(status)` runs once, with the
  // job's error or the commit's outcome, on the writer thread: it must be short and must
  // not call write() (write_async() is fine: it only queues). An exception thrown by `fn`
  // is reported to `done` as "internal" and never rethrown.
  using DoneFn = std::function<void(Status)>;
  void write_async(TransactionFn fn, DoneFn done) {
    run_write_async(std::move(fn), std::move(done));
  }

  // Commit watches: to learn something from every commit this store makes (the messaging
  // layer keeps the committed policy epoch this way; docs/messaging.md, "Early delivery").
  // A watch runs on the writer thread inside each write transaction, after its jobs and
  // outside their savepoints: it reads what they wrote and must not write, nor fail the
  // transaction. The function it returns (may be empty) runs right after that COMMIT
  // succeeded, on the writer thread, and must be short; nothing runs when the commit
  // fails. A watch that throws is skipped for that batch (the commit goes ahead): it must
  // leave its own state safe first — a watch that cannot learn the new state should
  // forget the old one. add_commit_watch returns an id for remove_commit_watch; after removal the watch
  // is not called for a later batch (one already under way may still call it: capture
  // shared state, not a pointer to an object that may be gone).
  using CommitWatch = std::function<std::function<void()>(Transaction&)>;
  virtual std::uint64_t add_commit_watch(CommitWatch watch) = 0;
  virtual void remove_commit_watch(std::uint64_t id) = 0;

  // Runs `fn(Transaction&)` inside one read-only transaction: all its queries see the same
  // committed snapshot. Modifying statements fail with "read_only_transaction".
  template <typename F>
  auto read(F&& fn) -> std::invoke_result_t<F&, Transaction&> {
    return run(std::forward<F>(fn), /*write=*/false);
  }

 protected:
  // Backends implement these: run `fn` in a write / read transaction and return its
  // Status, or the commit's error. Exceptions thrown by `fn` propagate after rollback.
  virtual Status run_write(const TransactionFn& fn) = 0;
  virtual void run_write_async(TransactionFn fn, DoneFn done) = 0;
  virtual Status run_read(const TransactionFn& fn) = 0;

 private:
  template <typename F>
  auto run(F&& fn, bool write) -> std::invoke_result_t<F&, Transaction&> {
    using R = std::invoke_result_t<F&, Transaction&>;
    if constexpr (std::is_same_v<R, Status>) {
      TransactionFn job = [&fn](Transaction& tx) -> Status { return fn(tx); };
      return write ? run_write(job) : run_read(job);
    } else {
      using T = std::remove_cvref_t<decltype(std::declval<R&>().value())>;
      static_assert(std::is_same_v<R, Result<T>>,
                    "a transaction function must return Status or Result<T>");
      // `fn` runs while this frame waits, so capturing by reference is safe.
      std::optional<T> out;
      TransactionFn job = [&fn, &out](Transaction& tx) -> Status {
        R r = fn(tx);
        if (!r.ok()) return std::move(r).error();
        out.emplace(std::move(r).value());
        return ok_status();
      };
      Status status = write ? run_write(job) : run_read(job);
      if (!status.ok()) return std::move(status).error();
      return R(std::move(*out));
    }
  }
};

// write_async() for a transaction function returning Result<T>: `done` receives the value
// once committed (or the error).
template <typename T>
void write_async_result(Store& store, std::function<Result<T>(Transaction&)> fn,
                        std::function<void(Result<T>)> done) {
  auto out = std::make_shared<std::optional<T>>();
  store.write_async(
      [fn = std::move(fn), out](Transaction& tx) -> Status {
        Result<T> r = fn(tx);
        if (!r.ok()) return std::move(r).error();
        out->emplace(std::move(r).value());
        return ok_status();
      },
      [out, done = std::move(done)](Status status) {
        if (!status.ok()) return done(Result<T>(std::move(status).error()));
        done(Result<T>(std::move(**out)));
      });
}

struct StoreOptions {
  // "sqlite:///absolute/path.db", "sqlite://relative/path.db" or a plain file path.
  // The parent directory must exist; the file is created (mode 0600) when missing.
  std::string url;
  // How long a statement waits for a lock held by another process before failing with
  // "database_busy".
  std::chrono::milliseconds busy_timeout{5000};
  // Read connections kept open for reuse (more are opened on demand under load).
  std::size_t read_pool_size = 4;
  // Most write jobs committed together in one group commit.
  std::size_t max_batch_size = 1024;
  // How the writer thread yields the core to the threads that queue writes (the server's
  // network threads deliver messages first; see docs/storage.md, "Writer scheduling"):
  //   kNice  it runs writer_nice (0..19) nice steps below them;
  //   kIdle  SCHED_IDLE: it runs only when no ordinary thread of the machine wants the
  //          core, and a network thread that wakes up preempts it at once (writer_nice is
  //          then used only if SCHED_IDLE cannot be set). Starves while other programs
  //          keep every core busy.
  enum class WriterScheduling { kNice, kIdle };
  WriterScheduling writer_scheduling = WriterScheduling::kNice;
  int writer_nice = 10;
  // Time source for bookkeeping columns (schema_migrations.applied_at). Not owned; must
  // outlive the store. nullptr: the system clock.
  const Clock* clock = nullptr;
};

// Opens (creating if needed) the store named by options.url and applies pending
// migrations. Errors: "unsupported_store_backend" (unknown URL scheme), "invalid_store_url",
// "store_directory_missing", "database_too_new" (the database was migrated by a newer
// binary), "database_corrupt", "database_unavailable", and the Transaction errors.
Result<std::unique_ptr<Store>> open_store(const StoreOptions& options);

}  // namespace hippocrate::store
