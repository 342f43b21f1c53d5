// The cost the audit trail adds to a read of patient data: a practitioner listing its 10
// patients, without an audit log (one read transaction) and with it (one durable write
// transaction holding the read and 10 audit records). Same process, same database file.
//
//   build/bench/bench/access/audit_overhead_bench --benchmark_repetitions=3
// The ratio of the two medians is the overhead per request.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "access/care_relationships.h"
#include "audit/audit_log.h"
#include "auth/base32.h"
#include "auth/password_hasher.h"
#include "auth/totp.h"
#include "base/ids.h"
#include "crypto/random.h"

namespace hippocrate::access {
namespace {

using namespace std::chrono_literals;
constexpr const char* kPassword = "correct horse battery staple orbit";

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("hippocrate-bench-" + random_id());
    std::filesystem::create_directories(dir);
    store::StoreOptions o;
    o.url = (dir / "bench.db").string();
    store = std::move(*store::open_store(o));
    auth = std::make_unique<auth::AuthService>(
        *store, SystemClock::instance(),
        std::make_unique<auth::PasswordHasher>(crypto::random_secret(32),
                                               crypto::Argon2Params{2, 19 << 20}),
        crypto::random_secret(32), crypto::random_secret(32));
    care = std::make_unique<CareRelationships>(*store, SystemClock::instance());
    log = std::make_unique<audit::AuditLog>(SystemClock::instance(), crypto::random_secret(32));
    const auth::RequestOrigin origin{"127.0.0.1", "bench"};
    const auto pw = SecretBytes::from(std::string_view(kPassword));
    auto inv = auth->bootstrap("Bench", "admin@example.org");
    (void)auth->accept_invitation(inv->token.text.view(), "Admin Bench", pw, origin);
    auto admin = auth->login("admin@example.org", pw, {}, origin);
    auto e = auth->begin_totp_enrolment(admin->session);
    auto secret = SecretBytes::from(*auth::base32_decode(e->secret_base32));
    (void)auth->confirm_totp(admin->session, auth::totp_at(secret, SystemClock::instance().now()),
                             origin);
    auto doc_inv = auth->invite(admin->session, "doc@example.org", auth::Role::kPractitioner, origin);
    (void)auth->accept_invitation(doc_inv->token.text.view(), "Doctor Bench", pw, origin);
    practitioner = auth->login("doc@example.org", pw, {}, origin)->session;
    for (int i = 0; i < 10; ++i) {
      auto p = auth->invite(practitioner, "p" + std::to_string(i) + "@example.org",
                            auth::Role::kPatient, origin);
      (void)auth->accept_invitation(p->token.text.view(), "Patient Bench", pw, origin);
    }
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<CareRelationships> care;
  std::unique_ptr<audit::AuditLog> log;
  auth::SessionInfo practitioner;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_ListPatients(benchmark::State& state) {
  auto& f = fixture();
  f.care->set_audit_log(state.range(0) != 0 ? f.log.get() : nullptr);
  for (auto _ : state) {
    auto r = f.care->patients_of(f.practitioner, false, "127.0.0.1");
    if (!r || r->size() != 10) state.SkipWithError("listing failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(state.range(0) != 0 ? "with audit (10 records, durable)" : "without audit");
}
BENCHMARK(BM_ListPatients)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace hippocrate::access
