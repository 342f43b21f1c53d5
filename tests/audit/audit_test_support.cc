#include "audit/audit_test_support.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "audit/verify_tool.h"
#include "base/files.h"

namespace hippocrate::audit::testing {
namespace {

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

}  // namespace

TimePoint test_epoch() { return from_unix_ms(1767225600000); }

AuditRecord sample_record(int i) {
  AuditRecord r;
  r.account_id = "account-" + std::to_string(i % 3);
  r.session_id = "session-" + std::to_string(i % 5);
  r.device_id = i % 2 == 0 ? "device-a" : "";
  r.source_address = "192.0.2." + std::to_string(i % 250);
  r.action = i % 4 == 0 ? "auth.login" : "patient.record.read";
  r.resource = "patient:" + std::to_string(i % 7);
  r.result = i % 6 == 0 ? "denied" : "allowed";
  r.detail = i % 3 == 0 ? "reason=n" + std::to_string(i) : "";
  return r;
}

void AuditFixture::SetUp() {
  auto seed = load_or_create_audit_key(data_dir());
  ASSERT_TRUE(seed.ok()) << seed.error().to_string();
  log_ = std::make_unique<AuditLog>(clock_, std::move(*seed), AuditOptions{});
  reopen();
}

void AuditFixture::set_options(const AuditOptions& options) {
  auto seed = load_or_create_audit_key(data_dir());
  ASSERT_TRUE(seed.ok()) << seed.error().to_string();
  log_ = std::make_unique<AuditLog>(clock_, std::move(*seed), options);
}

void AuditFixture::reopen() {
  close();
  store::StoreOptions o;
  o.url = "sqlite://" + db_path().string();
  o.clock = &clock_;
  auto s = store::open_store(o);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  store_ = std::move(*s);
}

void AuditFixture::append(int count, int first) {
  for (int i = first; i < first + count; ++i) {
    clock_.advance(std::chrono::milliseconds(10));
    const Status st =
        store_->write([&](store::Transaction& tx) { return log_->append(tx, sample_record(i)); });
    ASSERT_TRUE(st.ok()) << st.error().to_string();
  }
}

int AuditFixture::sqlite3_tool(const std::string& sql) {
  close();
  const auto script = dir_.path() / "tamper.sql";
  std::ofstream(script) << sql << "\n";
  const std::string cmd =
      "sqlite3 -bail " + quoted(db_path()) + " < " + quoted(script) + " > /dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string AuditFixture::sqlite3_query(const std::string& sql) {
  close();
  const auto script = dir_.path() / "query.sql";
  std::ofstream(script) << sql << "\n";
  const std::string cmd = "sqlite3 " + quoted(db_path()) + " < " + quoted(script);
  std::FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  ::pclose(pipe);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

VerifyReport AuditFixture::verify() {
  reopen();
  auto report = AuditLog::verify(*store_, log_->public_key());
  EXPECT_TRUE(report.ok()) << report.error().to_string();
  return report.ok() ? *report : VerifyReport{};
}

int AuditFixture::run_tool(std::string* output) {
  close();
  const auto out_path = dir_.path() / "verify.out";
  std::FILE* out = std::fopen(out_path.c_str(), "w");
  const int rc = run_audit_verify(data_dir(), out);
  std::fclose(out);
  *output = read_file(out_path, 1 << 20).value();
  return rc;
}

}  // namespace hippocrate::audit::testing
