// MessagingService: the messaging components wired together over one store, clock and
// audit log, with the node's live-connection registry. What the server and tests build.
// Thread-safe; `store`, `clock` and `audit` must outlive it.
#pragma once

#include <chrono>

#include "messaging/devices.h"
#include "messaging/expiry_sweeper.h"
#include "messaging/live_registry.h"
#include "messaging/mailbox.h"
#include "messaging/prekeys.h"

namespace hippocrate::messaging {

class MessagingService {
 public:
  // Every `expiry_sweep` the sockets of sessions past their absolute expiry are closed.
  static constexpr std::chrono::milliseconds kExpirySweep{15'000};
  MessagingService(store::Store& store, const Clock& clock, const audit::AuditLog& audit,
                   std::chrono::milliseconds expiry_sweep = kExpirySweep)
      : devices_(store, clock, audit, live_),
        prekeys_(store, clock, audit),
        mailbox_(store, clock, audit, live_),
        sweeper_(live_, clock, expiry_sweep) {}
  MessagingService(const MessagingService&) = delete;
  MessagingService& operator=(const MessagingService&) = delete;

  DeviceDirectory& devices() { return devices_; }
  PrekeyStore& prekeys() { return prekeys_; }
  Mailbox& mailbox() { return mailbox_; }
  LiveRegistry& live() { return live_; }

 private:
  LiveRegistry live_;  // first: the others hold a reference to it
  DeviceDirectory devices_;
  PrekeyStore prekeys_;
  Mailbox mailbox_;
  ExpirySweeper sweeper_;  // last: stops first
};

}  // namespace hippocrate::messaging
