// SQLite-specific behaviour: files, pragmas, URLs, group commit batching, lock errors.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "base/handoff_batch.h"
#include "store/migrations.h"
#include "store/store.h"
#include "store_test_support.h"
#include "support/undo_migrations.h"
#include "support/writer_gate.h"

namespace hippocrate::store::sqlite {
namespace {

using test_support::count_rows;
using test_support::TempDir;

// A plain sqlite3 connection from outside the store, as an operator's tool would open.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& path) {
    sqlite3* raw = nullptr;
    rc_ = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    db_.reset(raw);
  }
  bool ok() const { return rc_ == SQLITE_OK; }
  int exec(const std::string& sql) {
    return sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr);
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr);
    StmtPtr stmt(raw);
    if (stmt == nullptr || sqlite3_step(stmt.get()) != SQLITE_ROW) return "<none>";
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
    return p == nullptr ? "<null>" : p;
  }

 private:
  int rc_ = SQLITE_ERROR;
  DbPtr db_;
};

mode_t permissions(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 07777;
  return st.st_mode & 0777;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::filesystem::path db_path() const { return dir_.path() / "hippocrate.db"; }

  std::unique_ptr<SqliteStore> open(StoreOptions options = {}) {
    auto store = SqliteStore::open(db_path().string(), options);
    EXPECT_TRUE(store.ok()) << store.error().to_string();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  static Status create_items(Store& store) {
    return store.write([](Transaction& tx) -> Status {
      HIPPO_RETURN_IF_ERROR(
          tx.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, label TEXT NOT NULL)"));
      return ok_status();
    });
  }

  TempDir dir_;
};

TEST_F(SqliteStoreTest, CreatesPrivateFilesInWalMode) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(permissions(db_path()), 0600u);
  ASSERT_TRUE(std::filesystem::exists(db_path().string() + "-wal"));
  EXPECT_EQ(permissions(db_path().string() + "-wal"), 0600u);
  EXPECT_EQ(permissions(db_path().string() + "-shm"), 0600u);
  RawDb raw(db_path());
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");  // persistent in the file
  EXPECT_EQ(raw.text("SELECT MAX(version) FROM schema_migrations"),
            std::to_string(latest_schema_version()));
}

// The shape of a database: its tables, indexes and triggers, and each table's columns
// (name, type, not null, primary key), one line each, in name order.
constexpr const char* kSchemaShape =
    "SELECT group_concat(line, char(10)) FROM (SELECT s.type || ' ' || s.name || ' ' || "
    "COALESCE((SELECT group_concat(p.name || ' ' || p.type || ' ' || p.\"notnull\" || ' ' || "
    "p.pk, ',') FROM pragma_table_info(s.name) p), '') AS line FROM sqlite_schema s "
    "WHERE s.name NOT LIKE 'sqlite_%' ORDER BY s.type, s.name)";

// The migration tests of 10 and 11 (mailbox_test, search_index_test) go back to schema 11
// with tests/support/undo_migrations.h: every later migration must be listed there, and
// its undo must give back exactly the schema that migrations 1 to 11 make.
TEST_F(SqliteStoreTest, EveryMigrationAfterTheLastRebuildingOneCanBeUndone) {
  std::set<int> listed;
  for (const auto& [version, statements] : hippocrate::testing::migration_undos()) {
    listed.insert(version);
  }
  std::set<int> later;
  for (const auto& m : migrations()) {
    if (m.version > 11) later.insert(m.version);
  }
  EXPECT_EQ(listed, later) << "add the new migration's undo to tests/support/undo_migrations.h";

  // Schema 11, made by a plain connection running migrations 1 to 11 (the store would run
  // them all).
  const auto at_11_path = dir_.path() / "at11.db";
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(at_11_path.c_str(), &raw), SQLITE_OK);
    DbPtr db(raw);
  }
  RawDb at_11(at_11_path);
  ASSERT_TRUE(at_11.ok());
  for (const auto& m : migrations()) {
    if (m.version > 11) break;
    for (std::string_view sql : m.statements) {
      ASSERT_EQ(at_11.exec(std::string(sql)), SQLITE_OK) << m.version << ": " << sql;
    }
  }

  auto latest = open();
  ASSERT_NE(latest, nullptr);
  ASSERT_OK(latest->write([](Transaction& tx) -> Status {
    for (const auto& sql : hippocrate::testing::statements_undoing_migrations_after(11)) {
      HIPPO_RETURN_IF_ERROR(tx.execute(sql));
    }
    return ok_status();
  }));
  RawDb undone(db_path());
  ASSERT_TRUE(undone.ok());
  const std::string expected = at_11.text(kSchemaShape);
  EXPECT_GT(expected.size(), 100u);
  EXPECT_EQ(undone.text(kSchemaShape), expected);
}

TEST_F(SqliteStoreTest, WriterConnectionPragmas) {
  StoreOptions options;
  options.busy_timeout = std::chrono::milliseconds(1234);
  auto store = open(options);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->write([](Transaction& tx) -> Status {
    HIPPO_ASSIGN_OR_RETURN(auto fk, tx.query_one("PRAGMA foreign_keys"));
    EXPECT_EQ(*fk->int64(0), 1);
    HIPPO_ASSIGN_OR_RETURN(auto sync, tx.query_one("PRAGMA synchronous"));
    EXPECT_EQ(*sync->int64(0), 2);  // FULL
    HIPPO_ASSIGN_OR_RETURN(auto busy, tx.query_one("PRAGMA busy_timeout"));
    EXPECT_EQ(*busy->int64(0), 1234);
    HIPPO_ASSIGN_OR_RETURN(auto journal, tx.query_one("PRAGMA journal_mode"));
    EXPECT_EQ(*journal->text(0), "wal");
    return ok_status();
  }));
}

// A commit watch reads, inside each write transaction and after its jobs, what is about to
// be committed (a rolled-back job's rows excluded); what it returns runs after the COMMIT.
// Removed, it is not called again.
TEST_F(SqliteStoreTest, CommitWatchesReadEachCommitAndActAfterIt) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(create_items(*store));
  std::vector<std::int64_t> seen;       // counts read inside the transactions
  std::vector<std::int64_t> published;  // what ran after their commits
  const std::uint64_t id = store->add_commit_watch([&](Transaction& tx) -> std::function<void()> {
    auto row = tx.query_one("SELECT COUNT(*) FROM items");
    const std::int64_t n = row.ok() && *row ? *(*row)->int64(0) : -1;
    seen.push_back(n);
    return [&published, n] { published.push_back(n); };
  });
  ASSERT_OK(store->write([](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (1, 'a')"));
    return ok_status();
  }));
  EXPECT_EQ(seen, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(published, (std::vector<std::int64_t>{1}));
  // One batch (both queued while the writer is held): a job that fails rolls back alone;
  // the watch sees the other's row only.
  std::promise<Status> ok_done, failed_done;
  {
    testing::WriterGate gate(*store);
    store->write_async(
        [](Transaction& tx) -> Status {
          HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (2, 'b')"));
          return ok_status();
        },
        [&](Status st) { ok_done.set_value(std::move(st)); });
    store->write_async(
        [](Transaction& tx) -> Status {
          HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (3, 'c')"));
          return Error::conflict("job_refused", "rolled back");
        },
        [&](Status st) { failed_done.set_value(std::move(st)); });
  }
  EXPECT_OK(ok_done.get_future().get());
  EXPECT_ERROR_CODE(failed_done.get_future().get(), "job_refused");
  EXPECT_EQ(published.back(), 2);
  const auto calls = seen.size();
  store->remove_commit_watch(id);
  ASSERT_OK(store->write([](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (4, 'd')"));
    return ok_status();
  }));
  EXPECT_EQ(seen.size(), calls);
}

// The undo log of a job's savepoint (every page the job changes, before its change) stays
// in memory: SQLite would otherwise spill it past 64 KiB to a temporary file
// ("etilqs_…", unlinked at once) outside the data folder — page images of the database
// written where no backup, permission or wipe policy of ours applies — with one write per
// page.
TEST_F(SqliteStoreTest, AJobsUndoLogNeverGoesToATemporaryFile) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(create_items(*store));
  const std::string label(1000, 'x');
  ASSERT_OK(store->write([&](Transaction& tx) -> Status {
    for (int i = 0; i < 300; ++i) {
      HIPPO_RETURN_IF_ERROR(
          tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {std::int64_t{i}, label}));
    }
    return ok_status();
  }));
  auto temporary_files = [] {
    std::vector<std::string> found;
    for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
      std::error_code ec;
      const auto target = std::filesystem::read_symlink(fd.path(), ec).string();
      if (!ec && target.find("etilqs_") != std::string::npos) found.push_back(target);
    }
    return found;
  };
  std::vector<std::string> during;
  ASSERT_OK(store->write([&](Transaction& tx) -> Status {
    // About 75 pages (300 KiB) changed under the job's savepoint.
    HIPPO_RETURN_IF_ERROR(tx.execute("UPDATE items SET label = upper(label)"));
    during = temporary_files();
    return ok_status();
  }));
  EXPECT_TRUE(during.empty()) << during.front();
}

// The writer thread runs `writer_nice` steps below the thread that opened the store.
TEST_F(SqliteStoreTest, TheWriterThreadRunsAtTheConfiguredLowerPriority) {
  const int mine = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  for (int steps : {0, 3}) {
    StoreOptions options;
    options.writer_scheduling = StoreOptions::WriterScheduling::kNice;
    options.writer_nice = steps;
    auto store = open(options);
    ASSERT_NE(store, nullptr);
    int writer = -100;
    ASSERT_OK(store->write([&](Transaction&) -> Status {
      writer = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
      return ok_status();
    }));
    EXPECT_EQ(writer, std::min(19, mine + steps)) << steps;
  }
}

// kIdle: the writer thread (and only it) runs SCHED_IDLE; the opening thread keeps its policy.
TEST_F(SqliteStoreTest, TheIdleWriterRunsUnderSchedIdle) {
  const int mine = ::sched_getscheduler(0);
  for (auto scheduling :
       {StoreOptions::WriterScheduling::kIdle, StoreOptions::WriterScheduling::kNice}) {
    StoreOptions options;
    options.writer_scheduling = scheduling;
    auto store = open(options);
    ASSERT_NE(store, nullptr);
    int policy = -1;
    ASSERT_OK(store->write([&](Transaction&) -> Status {
      policy = ::sched_getscheduler(0);
      return ok_status();
    }));
    EXPECT_EQ(policy,
              scheduling == StoreOptions::WriterScheduling::kIdle ? SCHED_IDLE : SCHED_OTHER);
  }
  EXPECT_EQ(::sched_getscheduler(0), mine);
}

// The completions of one group commit hand off to other threads as one batch
// (base/handoff_batch.h): what they defer is posted once, after the batch's last completion.
TEST_F(SqliteStoreTest, CompletionsOfOneBatchHandOffTogether) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  std::mutex mutex;
  std::vector<std::string> events;
  auto log = [&](std::string e) {
    std::lock_guard lock(mutex);
    events.push_back(std::move(e));
  };
  std::promise<void> all_done;
  int receiver = 0;  // the group key
  {
    hippocrate::testing::WriterGate gate(*store);  // the three jobs then share one commit
    for (int i = 0; i < 3; ++i) {
      store->write_async([](Transaction&) { return ok_status(); },
                         [&, i](Status s) {
                           EXPECT_TRUE(s.ok());
                           log("done" + std::to_string(i));
                           HandoffBatch::Fn handoff = [&, i] {
                             log("handoff" + std::to_string(i));
                             if (i == 2) all_done.set_value();
                           };
                           const bool deferred = HandoffBatch::defer(
                               &receiver,
                               [&](HandoffBatch::Fn fn) {
                                 log("post");
                                 fn();
                               },
                               handoff);
                           EXPECT_TRUE(deferred);
                         });
    }
  }
  ASSERT_EQ(all_done.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  std::lock_guard lock(mutex);
  EXPECT_EQ(events, (std::vector<std::string>{"done0", "done1", "done2", "post", "handoff0",
                                              "handoff1", "handoff2"}));
}

TEST_F(SqliteStoreTest, LeavesExistingFilePermissionsAlone) {
  open().reset();
  std::filesystem::permissions(db_path(), std::filesystem::perms::owner_read |
                                              std::filesystem::perms::owner_write |
                                              std::filesystem::perms::group_read);
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(permissions(db_path()), 0640u);
}

TEST_F(SqliteStoreTest, OpenStoreUnderstandsUrls) {
  StoreOptions options;
  options.url = "sqlite://" + db_path().string();  // sqlite:///tmp/...
  {
    auto store = open_store(options);
    ASSERT_OK(store);
    EXPECT_EQ((*store)->backend_name(), "sqlite");
    ASSERT_OK((*store)->write([](Transaction& tx) -> Status {
      HIPPO_RETURN_IF_ERROR(
          tx.execute("INSERT INTO server_metadata (key, value) VALUES (?, ?)", {"k", "v"}));
      return ok_status();
    }));
  }
  options.url = db_path().string();  // a plain path names the same database
  auto store = open_store(options);
  ASSERT_OK(store);
  EXPECT_EQ(count_rows(**store, "server_metadata"), 1);
  EXPECT_TRUE(std::filesystem::exists(db_path()));
}

TEST_F(SqliteStoreTest, RejectsUnknownSchemesAndBadPaths) {
  StoreOptions options;
  options.url = "postgres://hippo:hunter2@db.example/hippocrate";
  auto pg = open_store(options);
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.error().code(), "unsupported_store_backend");
  EXPECT_EQ(pg.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(pg.error().message().find("postgres"), std::string::npos);
  EXPECT_EQ(pg.error().message().find("hunter2"), std::string::npos);

  options.url = "mysql://x";
  EXPECT_ERROR_CODE(open_store(options), "unsupported_store_backend");
  for (const char* url : {"", "sqlite://", ":memory:", "sqlite://:memory:"}) {
    SCOPED_TRACE(url);
    options.url = url;
    EXPECT_ERROR_CODE(open_store(options), "invalid_store_url");
  }
  options.url = (dir_.path() / "missing" / "hippocrate.db").string();
  auto missing = open_store(options);
  EXPECT_ERROR_CODE(missing, "store_directory_missing");
  EXPECT_EQ(missing.error().message().find(dir_.path().string()), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "missing"));
}

TEST_F(SqliteStoreTest, RejectsFileThatIsNotADatabase) {
  {
    std::ofstream out(db_path(), std::ios::binary);
    out << std::string(8192, 'x');
  }
  StoreOptions options;
  options.url = db_path().string();
  auto store = open_store(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().kind(), ErrorKind::kDataLoss);
  EXPECT_EQ(store.error().code(), "database_corrupt");
}

TEST_F(SqliteStoreTest, RefusesSchemaVersionSetByHand) {
  open().reset();
  {
    RawDb raw(db_path());
    ASSERT_TRUE(raw.ok());
    ASSERT_EQ(raw.exec("INSERT INTO schema_migrations (version, name, applied_at)"
                       " VALUES (999, 'future', '2099-01-01T00:00:00.000Z')"),
              SQLITE_OK);
  }
  auto store = SqliteStore::open(db_path().string(), {});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), "database_too_new");
  EXPECT_NE(store.error().message().find("999"), std::string::npos);
}

TEST_F(SqliteStoreTest, CommittedWritesAreVisibleToOtherConnections) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(create_items(*store));
  ASSERT_OK(store->write([](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {1, "a"}));
    return ok_status();
  }));
  RawDb raw(db_path());
  EXPECT_EQ(raw.text("SELECT label FROM items WHERE id = 1"), "a");
}

TEST_F(SqliteStoreTest, LockedDatabaseIsUnavailable) {
  StoreOptions options;
  options.busy_timeout = std::chrono::milliseconds(100);
  auto store = open(options);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(create_items(*store));
  RawDb other(db_path());
  ASSERT_EQ(other.exec("BEGIN IMMEDIATE"), SQLITE_OK);  // another process holds the write lock
  Status busy = store->write([](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {1, "a"}));
    return ok_status();
  });
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().kind(), ErrorKind::kUnavailable);
  EXPECT_EQ(busy.error().code(), "database_busy");
  ASSERT_EQ(other.exec("COMMIT"), SQLITE_OK);
  EXPECT_OK(store->write([](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {1, "a"}));
    return ok_status();
  }));
  EXPECT_EQ(count_rows(*store, "items"), 1);
}

// Holds the writer thread inside one job while others queue up behind it, then lets go:
// the queued jobs run as one batch (one transaction, one commit), each under a savepoint.
TEST_F(SqliteStoreTest, QueuedJobsShareOneCommitAndFailIndependently) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(create_items(*store));

  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> blocking{false};
  std::thread blocker([&] {
    EXPECT_OK(store->write([&](Transaction&) -> Status {
      blocking = true;
      released.wait();
      return ok_status();
    }));
  });
  while (!blocking) std::this_thread::yield();
  const SqliteStore::WriterStats before = store->writer_stats();

  constexpr int kJobs = 40;
  std::atomic<int> ok{0}, refused{0}, thrown{0}, conflicts{0}, unexpected{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kJobs; ++i) {
    threads.emplace_back([&, i] {
      const std::int64_t id = i;
      try {
        Status s = store->write([&](Transaction& tx) -> Status {
          HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (?, ?)",
                                           {id, i % 4 == 0 ? "good" : "bad"}));
          if (i % 4 == 1) return Error::invalid_argument("refused", "no");
          if (i % 4 == 2) throw std::runtime_error("bug");
          if (i % 4 == 3) {  // duplicate of this job's own row
            HIPPO_RETURN_IF_ERROR(
                tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {id, "bad"}));
          }
          return ok_status();
        });
        if (s.ok()) {
          ++ok;
        } else if (s.error().code() == "refused") {
          ++refused;
        } else if (s.error().code() == "constraint_violation") {
          ++conflicts;
        } else {
          ++unexpected;
        }
      } catch (const std::runtime_error&) {
        ++thrown;
      }
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (store->writer_stats().queued < kJobs && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(store->writer_stats().queued, static_cast<std::size_t>(kJobs));
  release.set_value();
  blocker.join();
  for (auto& t : threads) t.join();

  const SqliteStore::WriterStats after = store->writer_stats();
  EXPECT_EQ(after.batches - before.batches, 1u);
  EXPECT_EQ(after.jobs - before.jobs, static_cast<std::uint64_t>(kJobs));
  EXPECT_EQ(ok.load(), kJobs / 4);
  EXPECT_EQ(refused.load(), kJobs / 4);
  EXPECT_EQ(thrown.load(), kJobs / 4);
  EXPECT_EQ(conflicts.load(), kJobs / 4);
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(count_rows(*store, "items"), kJobs / 4);
  EXPECT_EQ(RawDb(db_path()).text("SELECT COUNT(*) FROM items WHERE label = 'bad'"), "0");
}

TEST_F(SqliteStoreTest, BatchesAreCappedByMaxBatchSize) {
  StoreOptions options;
  options.max_batch_size = 4;
  auto store = open(options);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(create_items(*store));
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> blocking{false};
  std::thread blocker([&] {
    EXPECT_OK(store->write([&](Transaction&) -> Status {
      blocking = true;
      released.wait();
      return ok_status();
    }));
  });
  while (!blocking) std::this_thread::yield();
  const auto before = store->writer_stats();
  constexpr int kJobs = 20;
  std::vector<std::thread> threads;
  for (int i = 0; i < kJobs; ++i) {
    threads.emplace_back([&, i] {
      EXPECT_OK(store->write([&](Transaction& tx) {
        return tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {i, "x"});
      }));
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (store->writer_stats().queued < kJobs && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(store->writer_stats().queued, static_cast<std::size_t>(kJobs));
  release.set_value();
  blocker.join();
  for (auto& t : threads) t.join();
  EXPECT_EQ(store->writer_stats().batches - before.batches, static_cast<std::uint64_t>(kJobs / 4));
  EXPECT_EQ(count_rows(*store, "items"), kJobs);
}

TEST_F(SqliteStoreTest, ConcurrentWritersAreGroupCommitted) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(create_items(*store));
  const auto before = store->writer_stats();
  constexpr int kThreads = 8, kPerThread = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_OK(store->write([&](Transaction& tx) {
          return tx.execute("INSERT INTO items (id, label) VALUES (?, ?)",
                            {t * kPerThread + i, "x"});
        }));
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto after = store->writer_stats();
  EXPECT_EQ(after.jobs - before.jobs, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_LT(after.batches - before.batches, after.jobs - before.jobs);
}

TEST_F(SqliteStoreTest, ManyDistinctStatementsOutgrowTheCache) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->read([](Transaction& tx) -> Status {
    for (int round = 0; round < 2; ++round) {
      for (int k = 0; k < 600; ++k) {
        HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT " + std::to_string(k) + " + ?", {1}));
        EXPECT_EQ(*row->int64(0), k + 1);
      }
    }
    return ok_status();
  }));
}

TEST_F(SqliteStoreTest, NestedReadsDoNotExhaustThePool) {
  StoreOptions options;
  options.read_pool_size = 1;
  auto store = open(options);
  ASSERT_NE(store, nullptr);
  std::function<Result<int>(int)> nest = [&](int depth) -> Result<int> {
    if (depth == 0) return 0;
    return store->read([&](Transaction& tx) -> Result<int> {
      HIPPO_RETURN_IF_ERROR(tx.query_one("SELECT COUNT(*) FROM schema_migrations"));
      HIPPO_ASSIGN_OR_RETURN(int below, nest(depth - 1));
      return below + 1;
    });
  };
  ASSERT_OK_AND_ASSIGN(int depth, nest(5));
  EXPECT_EQ(depth, 5);
}

}  // namespace
}  // namespace hippocrate::store::sqlite
