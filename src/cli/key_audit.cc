#include "cli/key_audit.h"

#include "base/encoding.h"

namespace hippocrate::cli {

std::vector<std::string> missing_server_keys(const std::filesystem::path& data_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const char* name : {"pepper.key", "secrets.key", "audit.key"}) {
    if (!std::filesystem::exists(data_dir / "keys" / name, ec)) out.emplace_back(name);
  }
  return out;
}

Status record_new_keys(store::Store& db, const audit::AuditLog& audit_log,
                       const std::vector<std::string>& created) {
  if (created.empty()) return ok_status();
  return db.write([&](store::Transaction& tx) -> Status {
    for (const auto& name : created) {
      audit::AuditRecord r;
      r.action = "key.created";
      r.resource = "key:" + name;
      r.result = "succeeded";
      if (name == "audit.key") r.detail = "public_key=" + hex_encode(audit_log.public_key());
      HIPPO_RETURN_IF_ERROR(audit_log.append(tx, r));
    }
    return ok_status();
  });
}

}  // namespace hippocrate::cli
