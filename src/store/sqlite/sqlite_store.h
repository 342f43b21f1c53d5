// SqliteStore: the embedded, single-node Store backend.
//
// Connections:
//   - ONE writer connection, used only by the writer thread. Write jobs submitted by any
//     thread are queued; the writer drains the queue and runs up to max_batch_size queued
//     jobs inside one SQLite transaction (group commit), each job under its own SAVEPOINT,
//     so a failing job rolls back only itself. Callers block until their batch's COMMIT
//     has returned, i.e. is durable (synchronous=FULL fsyncs the WAL at every commit).
//   - A pool of read-only connections. WAL lets any number of readers run alongside the
//     writer; each read() borrows one connection for one snapshot transaction. Up to
//     read_pool_size idle connections are kept; more are opened on demand, never waited
//     for, so nested reads cannot deadlock on the pool.
//
// Thread-safety: every public member may be called from any thread, except that the
// destructor must not race with other calls. Jobs still queued at destruction are run and
// committed before the writer thread exits.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/store.h"

namespace hippocrate::store::sqlite {

class SqliteStore final : public Store {
 public:
  // Opens (creating with mode 0600 if missing) the database at `path`, whose parent
  // directory must exist, starts the writer thread and applies pending migrations.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   const StoreOptions& options);
  ~SqliteStore() override;

  Status ping() override;
  int schema_version() const override { return schema_version_.load(); }
  std::uint64_t add_commit_watch(CommitWatch watch) override EXCLUDES(queue_mutex_);
  void remove_commit_watch(std::uint64_t id) override EXCLUDES(queue_mutex_);
  std::string backend_name() const override { return "sqlite"; }

  // Counters for tests and metrics.
  struct WriterStats {
    std::uint64_t jobs = 0;     // write jobs run (committed or not)
    std::uint64_t batches = 0;  // transactions begun by the writer thread
    std::size_t queued = 0;     // jobs waiting for the writer right now
  };
  WriterStats writer_stats() const EXCLUDES(queue_mutex_);

 protected:
  Status run_write(const TransactionFn& fn) override;
  void run_write_async(TransactionFn fn, DoneFn done) override;
  Status run_read(const TransactionFn& fn) override;

 private:
  // A queued write: synchronous (the caller owns `fn` and waits on `done`) or asynchronous
  // (the job owns `owned_fn` and reports to `callback`).
  struct WriteJob {
    const TransactionFn* fn;    // the function to run (points to owned_fn when async)
    std::promise<Status> done;  // synchronous jobs: the caller waits on it
    std::unique_ptr<TransactionFn> owned_fn = nullptr;
    DoneFn callback = nullptr;
    // Reports the outcome (async: to the callback, which must not throw).
    void finish(Status status);
    void fail_with(std::exception_ptr thrown);
  };
  void enqueue(WriteJob job) EXCLUDES(queue_mutex_);

  SqliteStore(std::string path, const StoreOptions& options,
              std::unique_ptr<SqliteConnection> writer);
  void writer_loop() EXCLUDES(queue_mutex_);
  void run_batch(std::vector<WriteJob>& batch, const std::vector<CommitWatch>& watches);
  Result<std::unique_ptr<SqliteConnection>> acquire_reader() EXCLUDES(pool_mutex_);
  void release_reader(std::unique_ptr<SqliteConnection> connection) EXCLUDES(pool_mutex_);

  const std::string path_;
  const std::chrono::milliseconds busy_timeout_;
  const std::size_t read_pool_size_;
  const std::size_t max_batch_size_;
  const StoreOptions::WriterScheduling writer_scheduling_;
  const int writer_nice_;
  std::atomic<int> schema_version_{0};

  // Touched only by the writer thread once it has started. Declared before the reader
  // pool so it is closed after the readers: the last close checkpoints the WAL.
  std::unique_ptr<SqliteConnection> writer_connection_;

  mutable Mutex queue_mutex_;
  CondVar queue_cv_;
  std::deque<WriteJob> queue_ GUARDED_BY(queue_mutex_);
  bool stopping_ GUARDED_BY(queue_mutex_) = false;
  std::map<std::uint64_t, CommitWatch> commit_watches_ GUARDED_BY(queue_mutex_);
  std::uint64_t next_watch_id_ GUARDED_BY(queue_mutex_) = 1;
  std::atomic<std::uint64_t> jobs_run_{0};
  std::atomic<std::uint64_t> batches_run_{0};

  Mutex pool_mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_ GUARDED_BY(pool_mutex_);

  std::thread writer_thread_;  // last: started once everything above exists
};

}  // namespace hippocrate::store::sqlite
