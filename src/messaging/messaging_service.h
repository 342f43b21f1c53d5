// MessagingService: the messaging components wired together over one store, clock and
// audit log, with the node's live-connection registry. What the server and tests build.
// Thread-safe; `store`, `clock` and `audit` must outlive it.
#pragma once

#include <chrono>

#include "base/clock.h"
#include "base/periodic_task.h"
#include "messaging/devices.h"
#include "messaging/live_registry.h"
#include "messaging/mailbox.h"
#include "messaging/prekeys.h"
#include "messaging/undelivered_notices.h"

namespace hippocrate::messaging {

class MessagingService {
 public:
  // Maintenance, each on its own thread: every `expiry_sweep` the sockets of sessions past
  // their absolute expiry are closed (other session ends close them at once; an expiry is
  // not an event); at start and every `retention_sweep`, envelopes never acknowledged
  // within `undelivered_retention` are deleted (Mailbox::expire_undelivered; their devices
  // are told at the next fetch, their senders by an undelivered notice), then notices
  // left unacknowledged as long are deleted (UndeliveredNotices::expire), then delivered
  // messages' rows past the retry window are pruned (Mailbox::prune_delivered). A failure
  // is retried at the next sweep.
  static constexpr std::chrono::milliseconds kExpirySweep{15'000};
  static constexpr std::chrono::milliseconds kRetentionSweep{3'600'000};
  static constexpr std::chrono::seconds kUndeliveredRetention{90LL * 24 * 3600};
  MessagingService(store::Store& store, const Clock& clock, const audit::AuditLog& audit,
                   std::chrono::milliseconds expiry_sweep = kExpirySweep,
                   std::chrono::milliseconds retention_sweep = kRetentionSweep,
                   std::chrono::seconds undelivered_retention = kUndeliveredRetention)
      : undelivered_retention_(undelivered_retention),
        devices_(store, clock, audit, live_),
        prekeys_(store, clock, audit),
        mailbox_(store, clock, audit, live_),
        undelivered_(store, audit),
        expiry_(expiry_sweep,
                [this, &clock] { live_.disconnect_expired(unix_seconds(clock.now())); }),
        retention_(
            retention_sweep, [this, &clock] { retain(unix_seconds(clock.now())); },
            PeriodicTask::FirstRun::kAtStart) {}
  MessagingService(const MessagingService&) = delete;
  MessagingService& operator=(const MessagingService&) = delete;

  DeviceDirectory& devices() { return devices_; }
  PrekeyStore& prekeys() { return prekeys_; }
  Mailbox& mailbox() { return mailbox_; }
  UndeliveredNotices& undelivered() { return undelivered_; }
  LiveRegistry& live() { return live_; }

 private:
  // Expires, then prunes, in batches (each its own short write, so other writes go between
  // them) until a batch comes back short: a backlog is caught up in one sweep, however
  // large. Expiry first: the rows of the messages it empties are pruned in the same sweep
  // when past the retry window.
  void retain(std::int64_t now) {
    constexpr std::int64_t kBatch = 10'000;
    const std::int64_t max_age = undelivered_retention_.count();
    for (;;) {
      auto expired = mailbox_.expire_undelivered(now, max_age, kBatch);
      if (!expired || *expired < kBatch) break;
    }
    for (;;) {
      auto forgotten = undelivered_.expire(now, max_age, kBatch);
      if (!forgotten || *forgotten < kBatch) break;
    }
    for (;;) {
      auto pruned = mailbox_.prune_delivered(now, kBatch);
      if (!pruned || *pruned < kBatch) return;
    }
  }

  const std::chrono::seconds undelivered_retention_;
  LiveRegistry live_;  // first: the others hold a reference to it
  DeviceDirectory devices_;
  PrekeyStore prekeys_;
  Mailbox mailbox_;
  UndeliveredNotices undelivered_;
  PeriodicTask expiry_;  // last: they stop first
  PeriodicTask retention_;
};

}  // namespace hippocrate::messaging
