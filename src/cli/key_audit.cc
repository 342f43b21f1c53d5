#include "cli/key_audit.h"

#include "audit/audit_key.h"
#include "auth/key_files.h"
#include "base/encoding.h"

namespace hippocrate::cli {

std::vector<std::string> missing_server_keys(const std::filesystem::path& data_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& path : {auth::pepper_key_path(data_dir), auth::secrets_key_path(data_dir),
                           audit::audit_key_path(data_dir)}) {
    if (!std::filesystem::exists(path, ec)) out.push_back(path.filename().string());
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
