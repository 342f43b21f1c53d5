// Login cost with the production Argon2id parameters (kPasswordHashParams), through the
// whole AuthService path on a real SQLite file: throttling reads, password verification,
// session creation and its security event, durable commit.
//
//   build/bench/bench/auth/login_bench --benchmark_repetitions=5
// BM_Login/threads:1 gives the latency of one login (median over repetitions);
// BM_Login/threads:2 the logins/s two cores sustain (items_per_second, real time).
#include <benchmark/benchmark.h>

#include <filesystem>

#include "audit/audit_log.h"
#include "auth/key_files.h"
#include "base/ids.h"
#include "crypto/random.h"
#include "store/store.h"

namespace hippocrate::auth {
namespace {

constexpr const char* kPassword = "correct horse battery staple orbit";

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("hippocrate-bench-" + random_id());
    std::filesystem::create_directories(dir);
    store::StoreOptions o;
    o.url = (dir / "bench.db").string();
    store = std::move(*store::open_store(o));
    AuthConfig config;
    config.source_burst = 1e9;  // the bench measures logins, not the rate limiter
    log = std::make_unique<audit::AuditLog>(SystemClock::instance(), crypto::random_secret(32));
    auth = std::move(*open_auth_service(dir, *store, SystemClock::instance(), *log, config));
    auto inv = auth->bootstrap("Bench", "bench@example.org");
    (void)auth->accept_invitation(inv->token.text.view(), "Patient Bench",
                                  SecretBytes::from(std::string_view(kPassword)),
                                  {"127.0.0.1", "bench"});
  }
  ~Fixture() {
    auth.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<audit::AuditLog> log;
  std::unique_ptr<AuthService> auth;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_Login(benchmark::State& state) {
  auto& f = fixture();
  const auto password = SecretBytes::from(std::string_view(kPassword));
  for (auto _ : state) {
    auto r = f.auth->login("bench@example.org", password, {}, {"127.0.0.1", "bench"});
    if (!r) state.SkipWithError(r.error().to_string().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Login)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Threads(1)
    ->Threads(2)
    ->MinTime(3.0);

}  // namespace
}  // namespace hippocrate::auth
