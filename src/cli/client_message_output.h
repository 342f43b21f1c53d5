// How `inbox` and `listen` show a received message: text for people (sender, time, body,
// with terminal control characters neutralised so a message cannot drive the terminal),
// or one JSON object for scripts. A message that could not be decrypted is shown with its
// error code and a warning; one already received (Opened::duplicate) is not printed.
#pragma once

#include <boost/json/object.hpp>

#include "cli/client_messaging.h"

namespace hippocrate::cli {

// What `listen` says when the server reports envelopes for this device that expired unread
// (docs/messaging.md, "Expiry"); `inbox` gives the count.
inline constexpr const char* kExpiredNotice =
    "Warning: some messages sent to this device were never received and have expired on the "
    "server. Run `hippocrate inbox` to see how many; ask their senders to send them again.";
// What `inbox` says for `count` expired envelopes.
void print_expired(std::int64_t count);

// OK for 0; else the error `inbox` and `listen` end with when `count` messages could not
// be read (unreadable(): each was reported on stderr): "messages_unreadable", exit 1, so
// no script takes a run that lost a message for a clean one.
Status unreadable_status(std::size_t count);

boost::json::object opened_json(Messenger& m, const Opened& o);
void print_opened(Messenger& m, const Opened& o);

}  // namespace hippocrate::cli
