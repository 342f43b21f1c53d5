// Messages this account sent that their recipient never received (docs/messaging.md,
// "Expiry"): the server keeps a notice on each of the account's devices until that device
// acknowledges it.
// `inbox` and `listen` show them through report_undelivered.
#pragma once

#include <boost/json/array.hpp>

#include "base/result.h"
#include "cli/client_messaging.h"

namespace hippocrate::cli {

// Lists this device's notices (GET /api/v1/devices/{id}/undelivered, 100 at a time), prints
// one warning each on standard error (unless `as_json`), then acknowledges them, so each is
// shown once. Returns them as JSON objects (message_id, recipient {account_id, email,
// display_name}, sent_at, devices, expired_at).
Result<boost::json::array> report_undelivered(Messenger& messenger, bool as_json);

}  // namespace hippocrate::cli
