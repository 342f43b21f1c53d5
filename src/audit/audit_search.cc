// AuditLog::search: the auditors' read path (and, later, "who accessed my data" for a
// patient: filter on resource). The SQL text is built from fixed fragments only; every
// filter value is a bound parameter.
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/record_rows.h"

namespace hippocrate::audit {

Result<std::vector<StoredAuditRecord>> AuditLog::search(store::Store& store,
                                                        const AuditFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) {
    return Error::invalid_argument("audit_filter_invalid",
                                   "the search limit must be between 1 and 1000");
  }
  std::string sql = std::string("SELECT ") + internal::kRecordColumns + " FROM audit_log";
  store::Params params;
  const char* joiner = " WHERE ";
  auto add = [&](const char* condition, store::Value value) {
    sql.append(joiner).append(condition);
    params.push_back(std::move(value));
    joiner = " AND ";
  };
  if (filter.account_id) add("account_id = ?", *filter.account_id);
  if (filter.action) add("action = ?", *filter.action);
  if (filter.resource) add("resource = ?", *filter.resource);
  if (filter.result) add("result = ?", *filter.result);
  // Tenant scope: records of actors who belong to the organisation.
  if (filter.organisation_id) {
    add("account_id IN (SELECT id FROM accounts WHERE organisation_id = ?)",
        *filter.organisation_id);
  }
  if (filter.from) add("at_ms >= ?", to_unix_ms(*filter.from));
  if (filter.to) add("at_ms < ?", to_unix_ms(*filter.to));
  sql += " ORDER BY seq DESC LIMIT ?";
  params.push_back(filter.limit);

  return store.read([&](store::Transaction& tx) -> Result<std::vector<StoredAuditRecord>> {
    HIPPO_ASSIGN_OR_RETURN(std::vector<store::Row> rows, tx.query(sql, params));
    std::vector<StoredAuditRecord> out;
    out.reserve(rows.size());
    for (const store::Row& row : rows) {
      internal::DecodedRecord d = internal::decode_record(row);
      if (!d.seq || !d.well_typed) {
        return Error::data_loss("audit_record_malformed",
                                "an audit record is damaged; run audit verify");
      }
      out.push_back(std::move(d.stored));
    }
    return out;
  });
}

}  // namespace hippocrate::audit
