#include "audit/record_json.h"

namespace hippocrate::audit {

boost::json::object record_json(const StoredAuditRecord& stored) {
  const AuditRecord& r = stored.record;
  return boost::json::object{{"seq", stored.seq},          {"at", format_rfc3339_utc(r.at)},
                             {"account_id", r.account_id}, {"session_id", r.session_id},
                             {"device_id", r.device_id},   {"source_address", r.source_address},
                             {"action", r.action},         {"resource", r.resource},
                             {"result", r.result},         {"detail", r.detail}};
}

}  // namespace hippocrate::audit
