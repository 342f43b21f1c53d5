// The backend-neutral store suite: every test runs against each backend of
// store_backends() (SQLite today, PostgreSQL when it lands).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <future>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "store/migrations.h"
#include "store/store.h"
#include "store_test_support.h"

namespace hippocrate::store {
namespace {

using test_support::count_rows;
using test_support::StoreBackend;
using test_support::TempDir;

constexpr std::string_view kCreateItems =
    "CREATE TABLE items (id BIGINT PRIMARY KEY, label TEXT NOT NULL)";

class StoreSuite : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override { options_ = GetParam().fresh_options(dir_.path()); }

  std::unique_ptr<Store> open() {
    auto store = open_store(options_);
    EXPECT_TRUE(store.ok()) << store.error().to_string();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Opens the store and creates the `items` test table.
  std::unique_ptr<Store> open_with_items() {
    auto store = open();
    if (!store) return nullptr;
    Status created = store->write([](Transaction& tx) -> Status {
      HIPPO_RETURN_IF_ERROR(tx.execute(kCreateItems));
      return ok_status();
    });
    EXPECT_TRUE(created.ok()) << created.error().to_string();
    return store;
  }

  static Status insert_item(Store& store, std::int64_t id, std::string label) {
    return store.write([&](Transaction& tx) -> Status {
      HIPPO_RETURN_IF_ERROR(
          tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {id, std::move(label)}));
      return ok_status();
    });
  }

  TempDir dir_;
  StoreOptions options_;
};

// ---- opening and migrations ------------------------------------------------------------

TEST_P(StoreSuite, OpenAppliesAllMigrations) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->backend_name(), GetParam().name);
  EXPECT_EQ(store->schema_version(), latest_schema_version());
  EXPECT_OK(store->ping());

  ASSERT_OK_AND_ASSIGN(auto rows, store->read([](Transaction& tx) {
    return tx.query("SELECT version, name FROM schema_migrations ORDER BY version");
  }));
  ASSERT_EQ(rows.size(), migrations().size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(*rows[i].int64(0), migrations()[i].version);
    EXPECT_EQ(*rows[i].text(1), migrations()[i].name);
  }
  ASSERT_OK_AND_ASSIGN(bool metadata, store->read([](Transaction& tx) {
    return tx.table_exists("server_metadata");
  }));
  EXPECT_TRUE(metadata);
  ASSERT_OK_AND_ASSIGN(
      bool missing, store->read([](Transaction& tx) { return tx.table_exists("no_such_table"); }));
  EXPECT_FALSE(missing);
}

TEST_P(StoreSuite, ReopeningAppliesNothingTwice) {
  ManualClock first(TimePoint(std::chrono::seconds(1'800'000'000)));
  options_.clock = &first;
  open().reset();
  ManualClock later(TimePoint(std::chrono::seconds(1'900'000'000)));
  options_.clock = &later;
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), latest_schema_version());
  ASSERT_OK_AND_ASSIGN(auto rows, store->read([](Transaction& tx) {
    return tx.query("SELECT applied_at FROM schema_migrations");
  }));
  ASSERT_EQ(rows.size(), migrations().size());
  for (const Row& row : rows) EXPECT_EQ(*row.text(0), format_rfc3339_utc(first.now()));
}

TEST_P(StoreSuite, ApplyMigrationsIsIdempotent) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(int version, apply_migrations(*store, SystemClock::instance()));
  EXPECT_EQ(version, latest_schema_version());
  EXPECT_EQ(count_rows(*store, "schema_migrations"),
            static_cast<std::int64_t>(migrations().size()));
}

TEST_P(StoreSuite, AppliesOnlyNewMigrations) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  std::vector<Migration> extended = migrations();
  const int next = latest_schema_version() + 1;
  extended.push_back({next, "add_test_table", {"CREATE TABLE extra (id BIGINT PRIMARY KEY)"}});
  ASSERT_OK_AND_ASSIGN(int version, apply_migrations(*store, SystemClock::instance(), extended));
  EXPECT_EQ(version, next);
  ASSERT_OK_AND_ASSIGN(version, apply_migrations(*store, SystemClock::instance(), extended));
  EXPECT_EQ(version, next);
  EXPECT_EQ(count_rows(*store, "extra"), 0);
  EXPECT_EQ(count_rows(*store, "schema_migrations"), static_cast<std::int64_t>(extended.size()));
}

TEST_P(StoreSuite, FailingMigrationLeavesNothingBehind) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  std::vector<Migration> extended = migrations();
  const int next = latest_schema_version() + 1;
  extended.push_back(
      {next, "broken", {"CREATE TABLE half (id BIGINT PRIMARY KEY)", "THIS IS NOT SQL"}});
  auto result = apply_migrations(*store, SystemClock::instance(), extended);
  EXPECT_ERROR_CODE(result, "database_error");
  ASSERT_OK_AND_ASSIGN(bool half,
                       store->read([](Transaction& tx) { return tx.table_exists("half"); }));
  EXPECT_FALSE(half);
  ASSERT_OK_AND_ASSIGN(int version,
                       store->read([](Transaction& tx) { return read_schema_version(tx); }));
  EXPECT_EQ(version, latest_schema_version());
}

TEST_P(StoreSuite, RefusesDatabaseNewerThanBinary) {
  const int newer = latest_schema_version() + 7;
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->write([&](Transaction& tx) -> Status {
      HIPPO_RETURN_IF_ERROR(
          tx.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                     {std::int64_t{newer}, "from_the_future", "2099-01-01T00:00:00.000Z"}));
      return ok_status();
    }));
  }
  auto reopened = open_store(options_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().code(), "database_too_new");
  EXPECT_EQ(reopened.error().kind(), ErrorKind::kFailedPrecondition);
  EXPECT_NE(reopened.error().message().find(std::to_string(newer)), std::string::npos);
  EXPECT_NE(reopened.error().message().find(std::to_string(latest_schema_version())),
            std::string::npos);
}

// ---- atomicity ---------------------------------------------------------------------------

TEST_P(StoreSuite, ErrorRollsBackEverything) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  Status s = store->write([](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {1, "a"}));
    HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {2, "b"}));
    return Error::invalid_argument("changed_my_mind", "abandon");
  });
  EXPECT_ERROR_CODE(s, "changed_my_mind");
  EXPECT_EQ(count_rows(*store, "items"), 0);
}

TEST_P(StoreSuite, ExceptionRollsBackAndPropagates) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  EXPECT_THROW((void)store->write([](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {1, "a"}));
    throw std::runtime_error("bug");
  }),
               std::runtime_error);
  EXPECT_EQ(count_rows(*store, "items"), 0);
  // The store is still usable afterwards.
  EXPECT_OK(insert_item(*store, 1, "a"));
  EXPECT_EQ(count_rows(*store, "items"), 1);
}

TEST_P(StoreSuite, ExceptionInReadPropagates) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  EXPECT_THROW((void)store->read([](Transaction&) -> Status { throw std::logic_error("bug"); }),
               std::logic_error);
  EXPECT_OK(store->ping());
}

TEST_P(StoreSuite, ConstraintViolationIsConflict) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(insert_item(*store, 1, "first"));
  Status dup = insert_item(*store, 1, "patient-secret-value");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(dup.error().code(), "constraint_violation");
  EXPECT_EQ(dup.error().message().find("patient-secret-value"), std::string::npos);
  EXPECT_EQ(dup.error().message().find("INSERT"), std::string::npos);
  EXPECT_EQ(dup.error().message().find("items"), std::string::npos);
  // NOT NULL is a constraint too.
  EXPECT_ERROR_CODE(store->write([](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {2, nullptr}));
    return ok_status();
  }),
                    "constraint_violation");
  EXPECT_EQ(count_rows(*store, "items"), 1);
}

TEST_P(StoreSuite, ForeignKeysAreEnforced) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->write([](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(tx.execute("CREATE TABLE parent (id BIGINT PRIMARY KEY)"));
    HIPPO_RETURN_IF_ERROR(
        tx.execute("CREATE TABLE child (id BIGINT PRIMARY KEY,"
                   " parent_id BIGINT NOT NULL REFERENCES parent (id))"));
    return ok_status();
  }));
  Status orphan = store->write([](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO child (id, parent_id) VALUES (?, ?)", {1, 42}));
    return ok_status();
  });
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(orphan.error().kind(), ErrorKind::kConflict);
  EXPECT_EQ(orphan.error().code(), "constraint_violation");
  EXPECT_EQ(count_rows(*store, "child"), 0);
}

TEST_P(StoreSuite, WriteReturnsValuesAndRowCounts) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(
      std::int64_t inserted, store->write([](Transaction& tx) -> Result<std::int64_t> {
        std::int64_t n = 0;
        for (std::int64_t id = 1; id <= 3; ++id) {
          HIPPO_ASSIGN_OR_RETURN(
              std::int64_t one,
              tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {id, "x"}));
          n += one;
        }
        return n;
      }));
  EXPECT_EQ(inserted, 3);
  ASSERT_OK_AND_ASSIGN(std::int64_t updated, store->write([](Transaction& tx) {
    return tx.execute("UPDATE items SET label = ? WHERE id >= ?", {"y", 2});
  }));
  EXPECT_EQ(updated, 2);
  ASSERT_OK_AND_ASSIGN(std::int64_t ddl, store->write([](Transaction& tx) {
    return tx.execute("CREATE TABLE other (id BIGINT)");
  }));
  EXPECT_EQ(ddl, 0);
  ASSERT_OK_AND_ASSIGN(std::string label, store->write([](Transaction& tx) -> Result<std::string> {
    HIPPO_ASSIGN_OR_RETURN(
        auto row, tx.query_one("INSERT INTO items (id, label) VALUES (?, ?) RETURNING label",
                               {10, "returned"}));
    if (!row) return Error::internal("no_row", "expected a row");
    return row->text(0);
  }));
  EXPECT_EQ(label, "returned");
  EXPECT_EQ(count_rows(*store, "items"), 4);
}

TEST_P(StoreSuite, WriteSeesItsOwnChanges) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(std::int64_t n, store->write([](Transaction& tx) -> Result<std::int64_t> {
    HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {1, "a"}));
    HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT COUNT(*) FROM items"));
    return row->int64(0);
  }));
  EXPECT_EQ(n, 1);
}

// ---- the contract around transactions ---------------------------------------------------

TEST_P(StoreSuite, ReadRefusesModifications) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  EXPECT_ERROR_CODE(store->read([](Transaction& tx) {
    EXPECT_TRUE(tx.read_only());
    return tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {1, "a"});
  }),
                    "read_only_transaction");
  EXPECT_ERROR_CODE(
      store->read([](Transaction& tx) { return tx.execute("CREATE TABLE sneaky (id BIGINT)"); }),
      "read_only_transaction");
  EXPECT_EQ(count_rows(*store, "items"), 0);
}

TEST_P(StoreSuite, TransactionControlIsRefused) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  for (const char* sql : {"COMMIT", "ROLLBACK", "BEGIN", "SAVEPOINT x", "RELEASE x", "END"}) {
    SCOPED_TRACE(sql);
    Status s = store->write([&](Transaction& tx) -> Status {
      HIPPO_RETURN_IF_ERROR(
          tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {1, "should vanish"}));
      HIPPO_RETURN_IF_ERROR(tx.execute(sql));
      return ok_status();
    });
    EXPECT_ERROR_CODE(s, "transaction_control_forbidden");
    EXPECT_ERROR_CODE(store->read([&](Transaction& tx) { return tx.execute(sql); }),
                      "transaction_control_forbidden");
  }
  EXPECT_EQ(count_rows(*store, "items"), 0);
}

TEST_P(StoreSuite, NestedWriteIsRefused) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  Status outer =
      store->write([&](Transaction&) -> Status { return insert_item(*store, 1, "inner"); });
  EXPECT_ERROR_CODE(outer, "nested_write");
  EXPECT_EQ(count_rows(*store, "items"), 0);
}

TEST_P(StoreSuite, ReadInsideReadWorks) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(insert_item(*store, 1, "a"));
  ASSERT_OK_AND_ASSIGN(std::int64_t n, store->read([&](Transaction&) -> Result<std::int64_t> {
    return count_rows(*store, "items");
  }));
  EXPECT_EQ(n, 1);
}

TEST_P(StoreSuite, QueryOneDistinguishesNoneOneMany) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(insert_item(*store, 1, "a"));
  ASSERT_OK(insert_item(*store, 2, "b"));
  ASSERT_OK(store->read([](Transaction& tx) -> Status {
    HIPPO_ASSIGN_OR_RETURN(auto none, tx.query_one("SELECT id FROM items WHERE id = ?", {99}));
    EXPECT_FALSE(none.has_value());
    HIPPO_ASSIGN_OR_RETURN(auto one, tx.query_one("SELECT id, label FROM items WHERE id = ?", {2}));
    EXPECT_TRUE(one.has_value());
    if (one) {
      EXPECT_EQ(*one->int64(0), 2);
      EXPECT_EQ(*one->text(1), "b");
      EXPECT_EQ(one->column_name(1), "label");
    }
    EXPECT_ERROR_CODE(tx.query_one("SELECT id FROM items"), "more_than_one_row");
    return ok_status();
  }));
}

TEST_P(StoreSuite, ProgrammingErrorsAreReportedWithoutSql) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->read([](Transaction& tx) -> Status {
    auto syntax = tx.query("SELEC label FROM secret_table_name WHERE x = ?", {1});
    EXPECT_ERROR_CODE(syntax, "database_error");
    if (!syntax.ok()) {
      EXPECT_EQ(syntax.error().kind(), ErrorKind::kInternal);
      EXPECT_EQ(syntax.error().message().find("secret_table_name"), std::string::npos);
    }
    EXPECT_ERROR_CODE(tx.query("SELECT id FROM items WHERE id = ?", {}),
                      "parameter_count_mismatch");
    EXPECT_ERROR_CODE(tx.query("SELECT id FROM items WHERE id = ?", {1, 2}),
                      "parameter_count_mismatch");
    EXPECT_ERROR_CODE(tx.query("SELECT 1; SELECT 2"), "multiple_statements");
    EXPECT_ERROR_CODE(tx.query("   "), "empty_statement");
    // A trailing semicolon is one statement.
    EXPECT_OK(tx.query("SELECT 1;"));
    return ok_status();
  }));
}

// ---- values ------------------------------------------------------------------------------

TEST_P(StoreSuite, EveryValueTypeRoundTrips) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->write([](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(
        tx.execute("CREATE TABLE vals (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION,"
                   " t TEXT, b BLOB)"));
    return ok_status();
  }));

  Bytes all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<std::uint8_t>(i));
  struct Case {
    Value i, r, t, b;
  };
  const std::vector<Case> cases = {
      {nullptr, nullptr, nullptr, nullptr},
      {std::int64_t{0}, 0.0, std::string(), Bytes()},
      {std::int64_t{-1}, -1.5, std::string("plain ascii"), Bytes{0, 0, 0}},
      {std::numeric_limits<std::int64_t>::max(), 1e308, std::string("é 漢字 🩺 Ωmega"),
       Bytes{0xde, 0xad, 0x00, 0xbe, 0xef}},
      {std::numeric_limits<std::int64_t>::min(), -2.2250738585072014e-308,
       std::string("line\nbreak\ttab 'quote' \"dq\" ? %s"), all_bytes},
      {std::int64_t{9'007'199'254'740'993}, 0.1, std::string(10'000, 'x'), Bytes(100'000, 0)},
  };
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    ASSERT_OK(store->write([&](Transaction& tx) -> Status {
      HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO vals (id, i, r, t, b) VALUES (?, ?, ?, ?, ?)",
                                       {static_cast<std::int64_t>(k), c.i, c.r, c.t, c.b}));
      return ok_status();
    }));
  }
  ASSERT_OK_AND_ASSIGN(auto rows, store->read([](Transaction& tx) {
    return tx.query("SELECT i, r, t, b FROM vals ORDER BY id");
  }));
  ASSERT_EQ(rows.size(), cases.size());
  for (std::size_t k = 0; k < cases.size(); ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(rows[k].value(0), cases[k].i);
    EXPECT_EQ(rows[k].value(1), cases[k].r);
    EXPECT_EQ(rows[k].value(2), cases[k].t);
    EXPECT_EQ(rows[k].value(3), cases[k].b);
  }
  // The empty blob stays an empty blob (not NULL, not text).
  ASSERT_OK_AND_ASSIGN(auto empty_blob, rows[1].optional_blob(3));
  ASSERT_TRUE(empty_blob.has_value());
  EXPECT_TRUE(empty_blob->empty());
  ASSERT_OK_AND_ASSIGN(auto empty_text, rows[1].optional_text(2));
  ASSERT_TRUE(empty_text.has_value());

  // Bound parameters come straight back from a SELECT too.
  ASSERT_OK_AND_ASSIGN(auto echoed, store->read([&](Transaction& tx) {
    return tx.query_one("SELECT ?, ?, ?, ?, ?",
                        {nullptr, std::int64_t{-42}, 3.25, "ünïcødé", Bytes{1, 0, 2}});
  }));
  ASSERT_TRUE(echoed.has_value());
  EXPECT_TRUE(echoed->is_null(0));
  EXPECT_EQ(*echoed->int64(1), -42);
  EXPECT_EQ(*echoed->real(2), 3.25);
  EXPECT_EQ(*echoed->text(3), "ünïcødé");
  EXPECT_EQ(*echoed->blob(4), (Bytes{1, 0, 2}));
}

TEST_P(StoreSuite, TextParametersMustBeUtf8WithoutNul) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->read([](Transaction& tx) -> Status {
    EXPECT_ERROR_CODE(tx.query("SELECT ?", {std::string("a\0b", 3)}), "text_contains_nul");
    EXPECT_ERROR_CODE(tx.query("SELECT ?", {std::string("\xff\xfe")}), "text_not_utf8");
    EXPECT_ERROR_CODE(tx.query("SELECT ?", {std::string("\xc0\xaf")}), "text_not_utf8");
    EXPECT_ERROR_CODE(tx.query("SELECT ?", {std::string("\xed\xa0\x80")}), "text_not_utf8");
    EXPECT_ERROR_CODE(tx.query("SELECT ?", {std::string("\xe2\x82")}), "text_not_utf8");
    // Bytes with NULs belong in a blob.
    EXPECT_OK(tx.query("SELECT ?", {Bytes{'a', 0, 'b'}}));
    return ok_status();
  }));
}

TEST_P(StoreSuite, RowGettersCheckIndexAndType) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(auto row, store->read([](Transaction& tx) {
    return tx.query_one("SELECT ?, ?, ?", {std::int64_t{7}, "text", nullptr});
  }));
  ASSERT_TRUE(row.has_value());
  ASSERT_EQ(row->size(), 3u);
  EXPECT_EQ(*row->real(0), 7.0);  // integers widen to double
  EXPECT_ERROR_CODE(row->text(0), "column_type_mismatch");
  EXPECT_ERROR_CODE(row->blob(1), "column_type_mismatch");
  EXPECT_ERROR_CODE(row->int64(1), "column_type_mismatch");
  EXPECT_ERROR_CODE(row->int64(2), "column_type_mismatch");  // NULL needs optional_*
  EXPECT_ERROR_CODE(row->int64(3), "column_out_of_range");
  EXPECT_ERROR_CODE(row->optional_text(3), "column_out_of_range");
  ASSERT_OK_AND_ASSIGN(auto null_int, row->optional_int64(2));
  EXPECT_FALSE(null_int.has_value());
  ASSERT_OK_AND_ASSIGN(auto some_int, row->optional_int64(0));
  EXPECT_EQ(some_int, 7);
  EXPECT_TRUE(row->is_null(2));
  EXPECT_FALSE(row->is_null(0));
  EXPECT_FALSE(row->is_null(3));
}

// ---- concurrency -------------------------------------------------------------------------

TEST_P(StoreSuite, ConcurrentWritersAllCommit) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!insert_item(*store, t * kPerThread + i, "t" + std::to_string(t)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count_rows(*store, "items"), kThreads * kPerThread);
  ASSERT_OK_AND_ASSIGN(auto rows, store->read([](Transaction& tx) {
    return tx.query("SELECT label, COUNT(*) FROM items GROUP BY label ORDER BY label");
  }));
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kThreads));
  for (const Row& row : rows) EXPECT_EQ(*row.int64(1), kPerThread);
}

// write_async: many jobs in flight from one thread share commits; each reports once; a
// failing job reports its error and changes nothing; the data is there.
TEST_P(StoreSuite, AsyncWritesCommitTogetherAndReportOnce) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  constexpr int kJobs = 500;
  std::mutex mutex;
  std::condition_variable cv;
  int reported = 0, ok = 0;
  for (int i = 0; i < kJobs; ++i) {
    const bool failing = i % 50 == 7;  // a duplicate key: the job fails, the others commit
    store->write_async(
        [i, failing](Transaction& tx) -> Status {
          HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (?, 'async')",
                                           {std::int64_t{failing ? 0 : i}}));
          return ok_status();
        },
        [&](Status status) {
          std::lock_guard lock(mutex);
          ++reported;
          if (status.ok()) ++ok;
          cv.notify_all();
        });
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return reported == kJobs; }));
  // i = 0 succeeds once (the first job), every later "failing" job hits its key.
  const int failing = kJobs / 50;
  EXPECT_EQ(ok, kJobs - failing);
  lock.unlock();
  EXPECT_EQ(count_rows(*store, "items"), kJobs - failing);
}

TEST_P(StoreSuite, AsyncWriteExceptionsAreReportedNotThrown) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  std::promise<Status> result;
  store->write_async(
      [](Transaction& tx) -> Status {
        (void)tx.execute("INSERT INTO items (id, label) VALUES (1, 'x')");
        throw std::runtime_error("bug");
      },
      [&](Status status) { result.set_value(std::move(status)); });
  Status s = result.get_future().get();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(count_rows(*store, "items"), 0);
}

TEST_P(StoreSuite, FailingJobsDoNotDisturbConcurrentOnes) {
  auto store = open_with_items();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::atomic<int> ok{0}, refused{0}, thrown{0}, conflicts{0}, unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::int64_t id = t * kPerThread + i;
        switch (i % 5) {
          case 1: {  // inserts, then changes its mind
            Status s = store->write([&](Transaction& tx) -> Status {
              HIPPO_RETURN_IF_ERROR(
                  tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {id, "bad"}));
              return Error::invalid_argument("refused", "no");
            });
            (!s.ok() && s.error().code() == "refused" ? refused : unexpected)++;
            break;
          }
          case 2: {  // inserts, then throws
            try {
              (void)store->write([&](Transaction& tx) -> Status {
                HIPPO_RETURN_IF_ERROR(
                    tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {id, "bad"}));
                throw std::runtime_error("bug");
              });
              unexpected++;
            } catch (const std::runtime_error&) {
              thrown++;
            }
            break;
          }
          case 3: {  // inserts a fresh row, then violates a constraint
            Status s = store->write([&](Transaction& tx) -> Status {
              HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO items (id, label) VALUES (?, ?)",
                                               {id + 1'000'000, "bad"}));
              HIPPO_RETURN_IF_ERROR(
                  tx.execute("INSERT INTO items (id, label) VALUES (?, ?)", {id, nullptr}));
              return ok_status();
            });
            (!s.ok() && s.error().code() == "constraint_violation" ? conflicts : unexpected)++;
            break;
          }
          default: (insert_item(*store, id, "good").ok() ? ok : unexpected)++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  constexpr int kEach = kThreads * kPerThread / 5;
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(ok.load(), 2 * kEach);
  EXPECT_EQ(refused.load(), kEach);
  EXPECT_EQ(thrown.load(), kEach);
  EXPECT_EQ(conflicts.load(), kEach);
  EXPECT_EQ(count_rows(*store, "items"), 2 * kEach);
  ASSERT_OK_AND_ASSIGN(auto bad, store->read([](Transaction& tx) {
    return tx.query_one("SELECT COUNT(*) FROM items WHERE label <> ?", {"good"});
  }));
  EXPECT_EQ(*bad->int64(0), 0);
}

TEST_P(StoreSuite, ReadsSeeConsistentSnapshotsDuringWrites) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->write([](Transaction& tx) -> Status {
    HIPPO_RETURN_IF_ERROR(tx.execute("CREATE TABLE a (id BIGINT PRIMARY KEY)"));
    HIPPO_RETURN_IF_ERROR(tx.execute("CREATE TABLE b (id BIGINT PRIMARY KEY)"));
    return ok_status();
  }));
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 100;
  std::atomic<bool> done{false};
  std::atomic<int> errors{0}, torn{0}, reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      std::int64_t last = 0;
      while (!done.load()) {
        auto counts =
            store->read([](Transaction& tx) -> Result<std::pair<std::int64_t, std::int64_t>> {
              HIPPO_ASSIGN_OR_RETURN(auto ra, tx.query_one("SELECT COUNT(*) FROM a"));
              std::this_thread::yield();  // let a commit land between the two queries
              HIPPO_ASSIGN_OR_RETURN(auto rb, tx.query_one("SELECT COUNT(*) FROM b"));
              HIPPO_ASSIGN_OR_RETURN(auto na, ra->int64(0));
              HIPPO_ASSIGN_OR_RETURN(auto nb, rb->int64(0));
              return std::make_pair(na, nb);
            });
        if (!counts.ok()) {
          ++errors;
          continue;
        }
        if (counts->first != counts->second || counts->first < last) ++torn;
        last = counts->first;
        ++reads;
      }
    });
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        const std::int64_t id = w * kPerWriter + i;
        Status s = store->write([&](Transaction& tx) -> Status {
          HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO a (id) VALUES (?)", {id}));
          HIPPO_RETURN_IF_ERROR(tx.execute("INSERT INTO b (id) VALUES (?)", {id}));
          return ok_status();
        });
        if (!s.ok()) ++errors;
      }
    });
  }
  for (auto& th : writers) th.join();
  // Every committed write is visible to a read that starts afterwards.
  EXPECT_EQ(count_rows(*store, "a"), kWriters * kPerWriter);
  EXPECT_EQ(count_rows(*store, "b"), kWriters * kPerWriter);
  done = true;
  for (auto& th : readers) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreSuite, ::testing::ValuesIn(test_support::store_backends()),
                         [](const ::testing::TestParamInfo<StoreBackend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace hippocrate::store
