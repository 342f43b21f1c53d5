#include "messaging/policy_epoch.h"

namespace hippocrate::messaging {

Result<std::int64_t> read_policy_epoch(store::Transaction& tx) {
  HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT value FROM policy_epoch WHERE id = 1"));
  if (!row) return Error::internal("database_error", "the policy epoch row is missing");
  return row->int64(0);
}

}  // namespace hippocrate::messaging
