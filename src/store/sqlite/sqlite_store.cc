#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <filesystem>
#include <utility>

#include "base/handoff_batch.h"
#include "base/thread_priority.h"
#include "store/migrations.h"

namespace hippocrate::store::sqlite {
namespace {

// Creates the database file with owner-only permissions before SQLite sees it, so the file
// (and the -wal/-shm files, which SQLite creates with the database file's mode) never
// exist readable by others. An existing file is left as it is.
Status create_private_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return ok_status();
    return Error::unavailable("database_unavailable", "the database file cannot be created");
  }
  ::close(fd);
  // Make the new directory entry durable too.
  std::filesystem::path parent = path.parent_path();
  if (parent.empty()) parent = ".";
  const int dir = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return ok_status();
}

Error write_aborted() {
  return Error::unavailable("write_aborted", "the write could not be committed; try again");
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       const StoreOptions& options) {
  if (path.empty() || path == ":memory:") {
    return Error::invalid_argument("invalid_store_url", "the database must be a file path");
  }
  if (sqlite3_threadsafe() == 0) {
    return Error::internal("database_error", "SQLite was built without thread support");
  }
  const std::filesystem::path file(path);
  std::error_code ec;
  if (file.has_parent_path() && !std::filesystem::is_directory(file.parent_path(), ec)) {
    return Error::failed_precondition("store_directory_missing",
                                      "the database directory does not exist");
  }
  HIPPO_RETURN_IF_ERROR(create_private_file(file));
  HIPPO_ASSIGN_OR_RETURN(
      std::unique_ptr<SqliteConnection> writer,
      SqliteConnection::open(path, SqliteConnection::Mode::kWriter, options.busy_timeout));

  std::unique_ptr<SqliteStore> store(new SqliteStore(path, options, std::move(writer)));
  const Clock& clock = options.clock != nullptr ? *options.clock : SystemClock::instance();
  HIPPO_ASSIGN_OR_RETURN(int version, apply_migrations(*store, clock));
  store->schema_version_ = version;
  return store;
}

SqliteStore::SqliteStore(std::string path, const StoreOptions& options,
                         std::unique_ptr<SqliteConnection> writer)
    : path_(std::move(path)),
      busy_timeout_(options.busy_timeout),
      read_pool_size_(options.read_pool_size),
      max_batch_size_(options.max_batch_size == 0 ? 1 : options.max_batch_size),
      writer_scheduling_(options.writer_scheduling),
      writer_nice_(std::clamp(options.writer_nice, 0, 19)),
      writer_connection_(std::move(writer)) {
  writer_thread_ = std::thread(&SqliteStore::writer_loop, this);
}

SqliteStore::~SqliteStore() {
  {
    MutexLock lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
}

SqliteStore::WriterStats SqliteStore::writer_stats() const {
  WriterStats stats;
  stats.jobs = jobs_run_.load();
  stats.batches = batches_run_.load();
  MutexLock lock(queue_mutex_);
  stats.queued = queue_.size();
  return stats;
}

Status SqliteStore::ping() {
  return run_read([](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(tx.query_one("SELECT COUNT(*) FROM sqlite_master"));
    return ok_status();
  });
}

// ---- writes: one writer thread, group commit -------------------------------------------

Status SqliteStore::run_write(const TransactionFn& fn) {
  // The writer thread would wait for itself.
  if (std::this_thread::get_id() == writer_thread_.get_id()) {
    return Error::internal("nested_write", "a write cannot start inside another write");
  }
  WriteJob job{&fn, {}};
  std::future<Status> result = job.done.get_future();
  enqueue(std::move(job));
  return result.get();  // rethrows what `fn` threw
}

void SqliteStore::run_write_async(TransactionFn fn, DoneFn done) {
  WriteJob job{nullptr, {}};
  job.owned_fn = std::make_unique<TransactionFn>(std::move(fn));
  job.fn = job.owned_fn.get();
  job.callback = std::move(done);
  // Allowed from the writer thread too (a completion queuing the next write): nothing
  // waits, and the queue lock is not held while a batch runs.
  enqueue(std::move(job));
}

void SqliteStore::enqueue(WriteJob job) {
  {
    MutexLock lock(queue_mutex_);
    if (!stopping_) {
      queue_.push_back(std::move(job));
      // The writer only ever waits for an empty queue to get a job: wake it for the first
      // one, not at every job (each wake-up is a context switch).
      if (queue_.size() == 1) {
        lock.unlock();
        queue_cv_.notify_one();
      }
      return;
    }
  }
  // Answered outside the lock: an asynchronous job's callback may queue another write.
  job.finish(Error::unavailable("store_closed", "the store is shutting down"));
}

void SqliteStore::WriteJob::finish(Status status) {
  if (callback) {
    callback(std::move(status));
  } else {
    done.set_value(std::move(status));
  }
}

void SqliteStore::WriteJob::fail_with(std::exception_ptr thrown) {
  if (callback) {
    callback(Error::internal("write_failed", "a write job threw an exception"));
  } else {
    done.set_exception(std::move(thrown));
  }
}

std::uint64_t SqliteStore::add_commit_watch(CommitWatch watch) {
  MutexLock lock(queue_mutex_);
  const std::uint64_t id = next_watch_id_++;
  commit_watches_.emplace(id, std::move(watch));
  return id;
}

void SqliteStore::remove_commit_watch(std::uint64_t id) {
  MutexLock lock(queue_mutex_);
  commit_watches_.erase(id);
}

void SqliteStore::writer_loop() {
  // Network threads deliver messages as soon as their checks pass (docs/messaging.md), while
  // this thread makes writes durable: when both are ready to run on a busy core, the
  // scheduler should run the delivery first. A commit (and its checkpoint) waits a little
  // longer; the batch only grows (StoreOptions::writer_scheduling, config
  // database.writer_scheduling and database.writer_nice). If SCHED_IDLE cannot be set
  // (a seccomp or container policy), the writer falls back to the nice steps.
  const bool idle = writer_scheduling_ == StoreOptions::WriterScheduling::kIdle &&
                    make_current_thread_idle_priority();
  if (!idle) lower_current_thread_priority(writer_nice_);
  while (true) {
    std::vector<WriteJob> batch;
    std::vector<CommitWatch> watches;
    {
      MutexLock lock(queue_mutex_);
      while (!stopping_ && queue_.empty()) queue_cv_.wait(queue_mutex_);
      if (queue_.empty()) return;  // stopping, and everything queued has been served
      while (!queue_.empty() && batch.size() < max_batch_size_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      for (const auto& [id, watch] : commit_watches_) watches.push_back(watch);
    }
    // The jobs' completions hand frames to network threads: one wake-up per thread for
    // the whole batch, not one per completion (base/handoff_batch.h).
    const HandoffBatch handoffs;
    run_batch(batch, watches);
  }
}

// Runs `batch` in one transaction: each job under SAVEPOINT hippo_job, released on
// success and rolled back on error or exception. Failed jobs are answered at once (their
// outcome cannot change); successful ones wait for COMMIT and share its outcome. If SQLite
// drops the whole transaction mid-batch (it may on I/O errors or a full disk), the jobs
// that had succeeded in it fail with "write_aborted" and the rest go into a new transaction.
void SqliteStore::run_batch(std::vector<WriteJob>& batch, const std::vector<CommitWatch>& watches) {
  SqliteConnection& db = *writer_connection_;
  std::size_t next = 0;
  while (next < batch.size()) {
    ++batches_run_;
    Status begun = db.control("BEGIN IMMEDIATE");
    if (!begun.ok()) {
      for (; next < batch.size(); ++next) batch[next].finish(begun);
      return;
    }
    std::vector<std::size_t> awaiting_commit;
    bool aborted = false;
    for (; next < batch.size() && !aborted; ++next) {
      WriteJob& job = batch[next];
      ++jobs_run_;
      std::exception_ptr thrown;
      Status status = db.control("SAVEPOINT hippo_job");
      if (status.ok()) {
        SqliteTransaction tx(db, /*read_only=*/false);
        try {
          status = (*job.fn)(tx);
        } catch (...) {
          thrown = std::current_exception();
        }
        if (status.ok() && !thrown) status = db.control("RELEASE hippo_job");
        if ((!status.ok() || thrown) && db.in_transaction()) {
          Status undone = db.control("ROLLBACK TO hippo_job");
          if (undone.ok()) undone = db.control("RELEASE hippo_job");
          if (!undone.ok()) (void)db.control("ROLLBACK");
        }
      }
      aborted = !db.in_transaction();
      if (thrown) {
        job.fail_with(thrown);
      } else if (!status.ok()) {
        job.finish(std::move(status));
      } else if (aborted) {
        job.finish(write_aborted());
      } else {
        awaiting_commit.push_back(next);
      }
    }
    // The commit watches read what the transaction is about to commit (Store::CommitWatch).
    std::vector<std::function<void()>> after_commit;
    if (!aborted) {
      for (const auto& watch : watches) {
        SqliteTransaction tx(db, /*read_only=*/false);
        try {
          if (auto then = watch(tx)) after_commit.push_back(std::move(then));
        } catch (...) {
          // A broken watch must not cost the batch its commit; it learns nothing this time.
        }
      }
      aborted = !db.in_transaction();
    }
    Status committed = aborted ? Status(write_aborted()) : db.control("COMMIT");
    if (!committed.ok() && db.in_transaction()) (void)db.control("ROLLBACK");
    if (committed.ok()) {
      for (const auto& then : after_commit) then();
    }
    for (std::size_t i : awaiting_commit) batch[i].finish(committed);
  }
}

// ---- reads: pooled read-only connections ------------------------------------------------

Result<std::unique_ptr<SqliteConnection>> SqliteStore::acquire_reader() {
  {
    MutexLock lock(pool_mutex_);
    if (!idle_readers_.empty()) {
      std::unique_ptr<SqliteConnection> c = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return c;
    }
  }
  return SqliteConnection::open(path_, SqliteConnection::Mode::kReader, busy_timeout_);
}

void SqliteStore::release_reader(std::unique_ptr<SqliteConnection> connection) {
  MutexLock lock(pool_mutex_);
  if (idle_readers_.size() < read_pool_size_) idle_readers_.push_back(std::move(connection));
  // Otherwise `connection` closes here; closing a reader is cheap.
}

Status SqliteStore::run_read(const TransactionFn& fn) {
  HIPPO_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> db, acquire_reader());
  // BEGIN is deferred: the snapshot is fixed by the first read and holds for every query.
  HIPPO_RETURN_IF_ERROR(db->control("BEGIN"));
  SqliteTransaction tx(*db, /*read_only=*/true);
  Status status;
  try {
    status = fn(tx);
  } catch (...) {
    if (db->control("ROLLBACK").ok()) release_reader(std::move(db));
    throw;
  }
  Status ended = db->control("COMMIT");  // nothing to write: just ends the snapshot
  if (!ended.ok()) {
    // Not reusable in an unknown state: drop it.
    if (status.ok()) return ended;
    return status;
  }
  release_reader(std::move(db));
  return status;
}

}  // namespace hippocrate::store::sqlite
