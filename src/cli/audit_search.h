// Audit searches from the command line, one set of filters for both paths:
//   hippocrate audit search [filters]                     auditors, through the API (their
//                                                         organisation only)
//   hippocrate admin audit search --data-dir DIR [filters] the operator, on the data folder
//                                                         (the whole deployment)
// Filters: --account ID --action NAME --resource R --result R --from T --to T --limit N
// (times: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC). Newest first.
#pragma once

#include <CLI/CLI.hpp>
#include <boost/json/array.hpp>
#include <string>

#include "audit/audit_log.h"
#include "base/result.h"

namespace hippocrate::cli {

struct AuditSearchOptions {
  std::string account, action, resource, result, from, to;
  std::int64_t limit = 50;
};

void add_audit_search_options(CLI::App* command, AuditSearchOptions& options);

// The filter the options describe. Errors: "invalid_time", "audit_filter_invalid".
Result<audit::AuditFilter> to_filter(const AuditSearchOptions& options);

// A query string for GET /api/v1/audit/records (values percent-encoded).
std::string to_query(const AuditSearchOptions& options);

// One line per record: time, account, action, resource, result, detail.
void print_audit_records(const boost::json::array& records);

// `admin audit search`: exit 0 with the records, 1 on error.
int run_offline_audit_search(const std::string& database_url, const AuditSearchOptions& options,
                             bool json);

// `audit search` (client command, through the API).
void add_audit_commands(CLI::App& app);

}  // namespace hippocrate::cli
