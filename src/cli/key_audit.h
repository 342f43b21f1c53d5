// Key changes on the audit trail: the server keys (`<data_dir>/keys/pepper.key`,
// `secrets.key`, `audit.key`) are created on first use by whichever command opens the data
// folder first (`serve` or `admin bootstrap`); each creation is a "key.created" record.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "store/store.h"

namespace hippocrate::cli {

// The server key files that do not exist yet (call before opening the services).
std::vector<std::string> missing_server_keys(const std::filesystem::path& data_dir);

// Appends a "key.created" record for each of `created` (the audit key's names its public
// key, so a later key swap is visible in the trail).
Status record_new_keys(store::Store& db, const audit::AuditLog& audit_log,
                       const std::vector<std::string>& created);

}  // namespace hippocrate::cli
