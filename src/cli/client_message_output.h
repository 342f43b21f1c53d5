// How `inbox` and `listen` show a received message: text for people (sender, time, body,
// with terminal control characters neutralised so a message cannot drive the terminal),
// or one JSON object for scripts. A message that could not be decrypted is shown with its
// error code and a warning; one already received (Opened::duplicate) is not printed.
#pragma once

#include <boost/json/object.hpp>

#include "cli/client_messaging.h"

namespace hippocrate::cli {

boost::json::object opened_json(Messenger& messenger, const Opened& message);
void print_opened(Messenger& messenger, const Opened& message);

}  // namespace hippocrate::cli
