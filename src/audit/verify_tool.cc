#include "audit/verify_tool.h"

#include <string>
#include <system_error>

#include "audit/audit_key.h"
#include "audit/audit_log.h"
#include "base/encoding.h"
#include "store/store.h"

namespace hippocrate::audit {

int run_audit_verify(const std::filesystem::path& data_dir, std::FILE* out,
                     const std::optional<crypto::Ed25519PublicKey>& pinned_key) {
  const auto db = data_dir / "hippocrate.db";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db, ec)) {
    std::fprintf(out, "cannot verify the audit log: no database at %s\n", db.c_str());
    return 2;
  }
  crypto::Ed25519PublicKey key{};
  if (pinned_key) {
    key = *pinned_key;
  } else {
    auto loaded = load_audit_public_key(data_dir);
    if (!loaded) {
      std::fprintf(out, "cannot verify the audit log: %s\n", loaded.error().message().c_str());
      return 2;
    }
    key = *loaded;
  }
  auto store = store::open_store({.url = "sqlite://" + std::filesystem::absolute(db).string()});
  if (!store) {
    std::fprintf(out, "cannot verify the audit log: %s\n", store.error().message().c_str());
    return 2;
  }
  auto report = AuditLog::verify(**store, key);
  if (!report) {
    std::fprintf(out, "cannot verify the audit log: %s\n", report.error().message().c_str());
    return 2;
  }
  if (!report->intact()) {
    std::fprintf(out, "audit log TAMPERED: record %lld was %s\n",
                 static_cast<long long>(report->seq),
                 std::string(tamper_kind_name(report->kind)).c_str());
    std::fprintf(out, "%s\n", report->explanation.c_str());
    return 1;
  }
  std::fprintf(out, "audit log intact: %lld records, %lld checkpoints, last seq %lld\n",
               static_cast<long long>(report->records), static_cast<long long>(report->checkpoints),
               static_cast<long long>(report->last_seq));
  if (report->last_checkpoint_seq > 0) {
    std::fprintf(out, "last checkpoint: seq %lld, hash %s\n",
                 static_cast<long long>(report->last_checkpoint_seq),
                 hex_encode(report->last_checkpoint_hash).c_str());
  }
  return 0;
}

}  // namespace hippocrate::audit
