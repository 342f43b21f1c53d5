// Audit append throughput on a real SQLite file (WAL, synchronous=FULL: every Store::write
// waits for its fsync), and verification speed.
//
//   build/bench/bench/audit/audit_bench --benchmark_repetitions=3
// BM_AppendOnePerWrite: one record per Store::write — the cost an audited action adds when
//   it is alone (dominated by the durable commit).
// BM_AppendBatched/100: 100 records in one write — the marginal cost of a record (hash,
//   three indexed lookups, one insert, a checkpoint signature every 1000).
// BM_Verify/10000: records verified per second (one read snapshot, hash + link per record,
//   one Ed25519 verification per checkpoint).
// items_per_second is records/s.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>

#include "audit/audit_key.h"
#include "audit/audit_log.h"
#include "base/ids.h"
#include "store/store.h"

namespace hippocrate::audit {
namespace {

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("hippocrate-bench-" + random_id());
    std::filesystem::create_directories(dir);
    store = std::move(*store::open_store({.url = (dir / "hippocrate.db").string()}));
    log = std::make_unique<AuditLog>(SystemClock::instance(),
                                     std::move(*load_or_create_audit_key(dir)));
  }
  ~Fixture() {
    log.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<AuditLog> log;
};

AuditRecord record(std::int64_t i) {
  AuditRecord r;
  r.account_id = "0123456789abcdef0123456789abcdef";
  r.session_id = "fedcba9876543210fedcba9876543210";
  r.device_id = "00112233445566778899aabbccddeeff";
  r.source_address = "192.0.2.17";
  r.action = "patient.record.read";
  r.resource = "patient:" + std::to_string(i % 1000);
  r.result = "allowed";
  return r;
}

void BM_AppendOnePerWrite(benchmark::State& state) {
  Fixture f;
  std::int64_t i = 0;
  for (auto _ : state) {
    const Status s =
        f.store->write([&](store::Transaction& tx) { return f.log->append(tx, record(i++)); });
    if (!s.ok()) state.SkipWithError(s.error().to_string().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendOnePerWrite)->UseRealTime();

void BM_AppendBatched(benchmark::State& state) {
  Fixture f;
  const std::int64_t batch = state.range(0);
  std::int64_t i = 0;
  for (auto _ : state) {
    const Status s = f.store->write([&](store::Transaction& tx) -> Status {
      for (std::int64_t k = 0; k < batch; ++k)
        HIPPO_RETURN_IF_ERROR(f.log->append(tx, record(i++)));
      return ok_status();
    });
    if (!s.ok()) state.SkipWithError(s.error().to_string().c_str());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_AppendBatched)->Arg(100)->UseRealTime();

void BM_Verify(benchmark::State& state) {
  Fixture f;
  const std::int64_t n = state.range(0);
  const Status filled = f.store->write([&](store::Transaction& tx) -> Status {
    for (std::int64_t k = 0; k < n; ++k) HIPPO_RETURN_IF_ERROR(f.log->append(tx, record(k)));
    return ok_status();
  });
  if (!filled.ok()) state.SkipWithError(filled.error().to_string().c_str());
  for (auto _ : state) {
    auto report = AuditLog::verify(*f.store, f.log->public_key());
    if (!report.ok() || !report->intact()) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(report);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Verify)->Arg(10000)->UseRealTime();

}  // namespace
}  // namespace hippocrate::audit
