#include "access/access_log.h"

#include "audit/audit_log.h"

namespace hippocrate::access {

Result<std::vector<AccessEntry>> patient_access_log(store::Store& store,
                                                    const std::string& patient_id,
                                                    std::int64_t limit) {
  audit::AuditFilter filter;
  filter.resource = patient_resource(patient_id);
  filter.limit = limit;
  HIPPO_ASSIGN_OR_RETURN(auto records, audit::AuditLog::search(store, filter));
  return store.read([&](store::Transaction& tx) -> Result<std::vector<AccessEntry>> {
    std::vector<AccessEntry> out;
    for (const auto& r : records) {
      // Others' accesses: the patient's own actions (accepting a practitioner...) are not
      // "who accessed my data".
      if (r.record.account_id == patient_id) continue;
      AccessEntry e;
      e.at_ms = audit::to_unix_ms(r.record.at);
      e.action = r.record.action;
      e.result = r.record.result;
      HIPPO_ASSIGN_OR_RETURN(
          auto who, tx.query_one("SELECT a.display_name, a.role, o.name FROM accounts a JOIN "
                                 "organisations o ON o.id = a.organisation_id WHERE a.id = ?",
                                 {r.record.account_id}));
      if (who) {
        HIPPO_ASSIGN_OR_RETURN(e.actor_name, who->text(0));
        HIPPO_ASSIGN_OR_RETURN(e.actor_role, who->text(1));
        HIPPO_ASSIGN_OR_RETURN(e.actor_organisation, who->text(2));
      }
      out.push_back(std::move(e));
    }
    return out;
  });
}

}  // namespace hippocrate::access
