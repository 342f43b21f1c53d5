// The cost the audit trail adds to a read of patient data: a practitioner listing its 10
// patients (one durable write transaction holding the read and its 10 audit records),
// against the same listing query read without audit records: a patient listing its 10
// practitioners (one read transaction; a patient's view of its own care is not audited).
// Same process, same database file. The services always audit (the audit log is a
// constructor argument), so the baseline is that unaudited listing, not a service without
// its log.
//
//   build/bench/bench/access/audit_overhead_bench --benchmark_repetitions=3
// The ratio of the two medians is the overhead per request.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <stdexcept>
#include <string>

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

// A session of a new account invited by `inviter` (errors end the bench: a fixture that
// silently failed would measure empty listings).
auth::SessionInfo join(auth::AuthService& auth, const auth::SessionInfo& inviter,
                       const std::string& email, auth::Role role) {
  const auth::RequestOrigin origin{"127.0.0.1", "bench"};
  const auto pw = SecretBytes::from(std::string_view(kPassword));
  auto inv = auth.invite(inviter, email, role, origin);
  if (!inv) throw std::runtime_error(inv.error().to_string());
  if (!auth.accept_invitation(inv->token.text.view(), "Bench " + email, pw, origin)) {
    throw std::runtime_error("acceptance failed");
  }
  return auth.login(email, pw, {}, origin)->session;
}

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("hippocrate-bench-" + random_id());
    std::filesystem::create_directories(dir);
    store::StoreOptions o;
    o.url = (dir / "bench.db").string();
    store = std::move(*store::open_store(o));
    log = std::make_unique<audit::AuditLog>(SystemClock::instance(), crypto::random_secret(32));
    auth::AuthConfig config;
    config.source_burst = 1e9;  // the set-up signs in 21 accounts from one address
    auth = std::make_unique<auth::AuthService>(
        *store, SystemClock::instance(), *log,
        std::make_unique<auth::PasswordHasher>(crypto::random_secret(32),
                                               crypto::Argon2Params{2, 19 << 20}),
        crypto::random_secret(32), crypto::random_secret(32), config);
    care = std::make_unique<CareRelationships>(*store, SystemClock::instance(), *log);
    const auth::RequestOrigin origin{"127.0.0.1", "bench"};
    const auto pw = SecretBytes::from(std::string_view(kPassword));
    auto inv = auth->bootstrap("Bench", "admin@example.org");
    (void)auth->accept_invitation(inv->token.text.view(), "Admin Bench", pw, origin);
    auto admin = auth->login("admin@example.org", pw, {}, origin);
    auto e = auth->begin_totp_enrolment(admin->session);
    auto secret = SecretBytes::from(*auth::base32_decode(e->secret_base32));
    (void)auth->confirm_totp(admin->session, auth::totp_at(secret, SystemClock::instance().now()),
                             origin);
    practitioner = join(*auth, admin->session, "doc0@example.org", auth::Role::kPractitioner);
    // The practitioner's 10 patients.
    for (int i = 0; i < 10; ++i) {
      const auto p =
          join(*auth, practitioner, "p" + std::to_string(i) + "@example.org", auth::Role::kPatient);
      if (i == 0) patient = p;
    }
    // The first patient's 10 practitioners: doc0, and 9 colleagues whose link request it
    // accepts.
    for (int i = 1; i < 10; ++i) {
      const auto doc = join(*auth, admin->session, "doc" + std::to_string(i) + "@example.org",
                            auth::Role::kPractitioner);
      if (!care->request_link(doc, "p0@example.org")) throw std::runtime_error("request failed");
    }
    const auto pending = care->practitioners_of(patient);
    if (!pending) throw std::runtime_error(pending.error().to_string());
    for (const auto& c : *pending) {
      if (c.status != "invited") continue;
      if (auto accepted = care->accept(patient, c.id); !accepted) {
        throw std::runtime_error(accepted.error().to_string());
      }
    }
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<audit::AuditLog> log;
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<CareRelationships> care;
  auth::SessionInfo practitioner;
  auth::SessionInfo patient;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_ListPatients(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto r = f.care->patients_of(f.practitioner, false, "127.0.0.1");
    if (!r || r->size() != 10) state.SkipWithError("listing failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel("with audit (10 records, durable)");
}
BENCHMARK(BM_ListPatients)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The baseline: the same listing query over 10 relationships, without audit records.
void BM_ListPractitioners(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto r = f.care->practitioners_of(f.patient);
    if (!r || r->size() != 10) state.SkipWithError("listing failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel("without audit (the same query, one read transaction)");
}
BENCHMARK(BM_ListPractitioners)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace hippocrate::access
