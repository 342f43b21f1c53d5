// AuditLog::search: the auditors' read path, the patients' access log and the accounts'
// security events. The SQL text is built from fixed fragments only; every filter value is a
// bound parameter.
//
// A filter on an account or a resource reads the search index (search_index.h) in two
// legs, in one snapshot: first the tail the index does not cover yet (the newest records,
// fewer than a batch, scanned by seq), then, if the limit is not reached, the indexed
// records, walked newest first through the index, which stops at the limit.
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/record_rows.h"
#include "audit/search_index.h"

namespace hippocrate::audit {
namespace {

// The conditions of `filter` other than the one the index answers, on audit_log `a`.
struct Conditions {
  std::string sql;  // "" or " AND …"
  store::Params params;

  void add(const char* condition, store::Value value) {
    sql.append(" AND ").append(condition);
    params.push_back(std::move(value));
  }
};

// The smallest string greater than every string that starts with `prefix` (not empty).
std::string prefix_end(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

Conditions conditions_of(const AuditFilter& filter, bool account_by_index, bool resource_by_index) {
  Conditions c;
  if (filter.account_id && !account_by_index) c.add("a.account_id = ?", *filter.account_id);
  if (filter.action) c.add("a.action = ?", *filter.action);
  if (filter.resource && !resource_by_index) c.add("a.resource = ?", *filter.resource);
  if (filter.result) c.add("a.result = ?", *filter.result);
  // Tenant scope: records of actors who belong to the organisation.
  if (filter.organisation_id) {
    c.add("a.account_id IN (SELECT id FROM accounts WHERE organisation_id = ?)",
          *filter.organisation_id);
  }
  if (filter.from) c.add("a.at_ms >= ?", to_unix_ms(*filter.from));
  if (filter.to) c.add("a.at_ms < ?", to_unix_ms(*filter.to));
  for (const std::string& prefix : filter.exclude_action_prefixes) {
    if (prefix.empty()) continue;
    c.add("NOT (a.action >= ?", prefix);
    const std::string end = prefix_end(prefix);
    if (end.empty()) {
      c.sql += ")";
    } else {
      c.sql += " AND a.action < ?)";
      c.params.push_back(end);
    }
  }
  return c;
}

Result<std::vector<store::Row>> query_rows(store::Transaction& tx, const std::string& sql,
                                           store::Params params, std::int64_t limit) {
  params.push_back(limit);
  return tx.query(sql, params);
}

}  // namespace

Result<std::vector<StoredAuditRecord>> AuditLog::search(store::Store& store,
                                                        const AuditFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) {
    return Error::invalid_argument("audit_filter_invalid",
                                   "the search limit must be between 1 and 1000");
  }
  // The index to read, if any: by account when the filter names one, else by resource.
  const bool by_account = filter.account_id.has_value();
  const bool by_resource = !by_account && filter.resource.has_value();
  const Conditions c = conditions_of(filter, by_account, by_resource);
  const std::string select = std::string("SELECT ") + internal::kRecordColumnsOfA;

  return store.read([&](store::Transaction& tx) -> Result<std::vector<StoredAuditRecord>> {
    std::vector<store::Row> rows;
    if (!by_account && !by_resource) {
      HIPPO_ASSIGN_OR_RETURN(rows, query_rows(tx,
                                              select + " FROM audit_log a WHERE 1" + c.sql +
                                                  " ORDER BY a.seq DESC LIMIT ?",
                                              c.params, filter.limit));
    } else {
      const char* column = by_account ? "account_id" : "resource";
      const char* index = by_account ? "audit_by_account" : "audit_by_resource";
      const std::string& key = by_account ? *filter.account_id : *filter.resource;
      HIPPO_ASSIGN_OR_RETURN(std::int64_t through, internal::indexed_through(tx));

      store::Params tail_params{through, key};
      tail_params.insert(tail_params.end(), c.params.begin(), c.params.end());
      HIPPO_ASSIGN_OR_RETURN(
          rows, query_rows(tx,
                           select + " FROM audit_log a WHERE a.seq > ? AND a." + column + " = ?" +
                               c.sql + " ORDER BY a.seq DESC LIMIT ?",
                           std::move(tail_params), filter.limit));

      const std::int64_t left = filter.limit - static_cast<std::int64_t>(rows.size());
      if (left > 0) {
        store::Params indexed_params{key, through};
        indexed_params.insert(indexed_params.end(), c.params.begin(), c.params.end());
        // CROSS JOIN: the index drives (SQLite keeps the written join order). The record
        // must carry the key too: an edited index can hide records (verify tells), never
        // show one that does not match.
        HIPPO_ASSIGN_OR_RETURN(
            std::vector<store::Row> older,
            query_rows(tx,
                       select + " FROM " + index +
                           " i CROSS JOIN audit_log a ON a.seq = i.seq "
                           "WHERE i." +
                           column + " = ? AND i.seq <= ? AND a." + column + " = i." + column +
                           c.sql + " ORDER BY i.seq DESC LIMIT ?",
                       std::move(indexed_params), left));
        for (store::Row& row : older) rows.push_back(std::move(row));
      }
    }
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
