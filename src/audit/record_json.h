// The JSON form of a stored audit record, the same for the auditors' API
// (GET /api/v1/audit/records) and the operator's `hippocrate admin audit search --json`.
#pragma once

#include <boost/json/object.hpp>

#include "audit/record.h"

namespace hippocrate::audit {

// {"seq", "at" (RFC 3339 UTC), "account_id", "session_id", "device_id", "source_address",
//  "action", "resource", "result", "detail"}
boost::json::object record_json(const StoredAuditRecord& stored);

}  // namespace hippocrate::audit
