// The policy epoch (docs/messaging.md, "Early delivery"): a counter in the database that
// triggers (migration 7) move in the same transaction as any change to the rows a send's
// checks read: accounts' id, organisation, role and status; care relationships; devices.
// Two readings of the same value therefore mean those rows are the same.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "store/store.h"

namespace hippocrate::messaging {

Result<std::int64_t> read_policy_epoch(store::Transaction& tx);

}  // namespace hippocrate::messaging
