#include "access/access_log.h"

#include "audit/audit_log.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace hippocrate::access {

namespace {

constexpr std::int64_t kDayMs = 24 * 3600 * 1000;

bool is_listing(std::string_view action) {
  return action == "patients.list" || action == "contacts.list";
}

}  // namespace

AccessWords describe_access(std::string_view action, std::string_view result) {
  if (result == "denied") {
    return {"refused", "tried to reach your data and was refused"};
  }
  if (action == "patient.read") return {"record_opened", "opened your patient record"};
  if (action == "patients.list") {
    return {"listed_among_patients", "saw your name in their list of patients"};
  }
  if (action == "contacts.list") {
    return {"listed_among_contacts", "saw your name in their list of contacts"};
  }
  if (action == "care.request") {
    return {"care_requested", "asked to become one of your practitioners"};
  }
  if (action == "care.invite") return {"care_invited", "invited you to their practice"};
  if (action == "care.end") return {"care_ended", "ended your care relationship"};
  if (action == "care.accept") return {"care_accepted", "accepted the care relationship"};
  return {"other", "did something with your data (" + std::string(action) + ")"};
}

Result<std::vector<AccessEntry>> patient_access_log(store::Store& store,
                                                    const std::string& patient_id,
                                                    std::int64_t limit) {
  audit::AuditFilter filter;
  filter.resource = patient_resource(patient_id);
  // Listings are folded (one per person, list and day), so read further back than the
  // entries shown; bounded all the same.
  filter.limit = std::min<std::int64_t>(limit * 8, 1000);
  HIPPO_ASSIGN_OR_RETURN(auto records, audit::AuditLog::search(store, filter));
  return store.read([&](store::Transaction& tx) -> Result<std::vector<AccessEntry>> {
    std::vector<AccessEntry> out;
    // (actor, action, UTC day) of the listings already shown: newest first, so the entry
    // kept is the day's last listing.
    std::set<std::tuple<std::string, std::string, std::int64_t>> listed;
    for (const auto& r : records) {
      if (static_cast<std::int64_t>(out.size()) >= limit) break;
      // Others' accesses: the patient's own actions (accepting a practitioner...) are not
      // "who accessed my data".
      if (r.record.account_id == patient_id) continue;
      AccessEntry e;
      e.at_ms = audit::to_unix_ms(r.record.at);
      e.action = r.record.action;
      e.result = r.record.result;
      if (is_listing(e.action) && e.result != "denied" &&
          !listed.emplace(r.record.account_id, e.action, e.at_ms / kDayMs).second) {
        continue;
      }
      auto words = describe_access(e.action, e.result);
      e.what = std::move(words.what);
      e.description = std::move(words.description);
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
