// Retention: the sweeps that delete what the mailbox no longer needs to keep — the
// `messages` rows of delivered messages past the retry window, and the envelopes never
// acknowledged within the retention period, whose senders are told (docs/messaging.md
// "Expiry").
#include <cstdint>
#include <string>
#include <vector>

#include "messaging/audit_records.h"
#include "messaging/mailbox_impl.h"
#include "messaging/undelivered_notices.h"

namespace hippocrate::messaging {

Result<std::int64_t> Mailbox::prune_delivered(std::int64_t now, std::int64_t limit) {
  return impl_->store_.write([&](store::Transaction& tx) -> Result<std::int64_t> {
    // Oldest first (rowid order is insertion order); the mailbox is read once.
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t deleted,
        tx.execute("DELETE FROM messages WHERE rowid IN (SELECT rowid FROM messages WHERE "
                   "created_at < ? AND message_id NOT IN (SELECT message_id FROM mailbox) "
                   "ORDER BY rowid LIMIT ?)",
                   {now - kRetryWindowSeconds, limit}));
    if (deleted > 0) {
      HIPPO_RETURN_IF_ERROR(impl_->audit_.append(
          tx, detail::sweep_record("message.prune", "count=" + std::to_string(deleted))));
    }
    return deleted;
  });
}

Result<std::int64_t> Mailbox::expire_undelivered(std::int64_t now, std::int64_t max_age_seconds,
                                                 std::int64_t limit) {
  std::vector<std::string> senders;  // the senders' devices given an undelivered notice
  auto deleted = impl_->store_.write([&](store::Transaction& tx) -> Result<std::int64_t> {
    // The same rows for the counts and the deletion, by their key: oldest first, in a
    // total order, inside one write transaction.
    static constexpr const char* kExpiring =
        "SELECT device_id, seq FROM mailbox WHERE stored_at < ? "
        "ORDER BY stored_at, device_id, seq LIMIT ?";
    const std::int64_t cutoff = now - max_age_seconds;
    HIPPO_ASSIGN_OR_RETURN(
        auto per_device,
        tx.query(
            std::string("SELECT device_id, COUNT(*) FROM mailbox WHERE (device_id, seq) IN (") +
                kExpiring + ") GROUP BY device_id",
            {cutoff, limit}));
    if (per_device.empty()) return std::int64_t{0};
    for (const auto& row : per_device) {
      HIPPO_ASSIGN_OR_RETURN(std::string device, row.text(0));
      HIPPO_ASSIGN_OR_RETURN(std::int64_t n, row.int64(1));
      HIPPO_RETURN_IF_ERROR(tx.execute(
          "INSERT INTO mailbox_expiries (device_id, expired, last_expired_at) VALUES (?, ?, ?) "
          "ON CONFLICT (device_id) DO UPDATE SET expired = expired + excluded.expired, "
          "last_expired_at = excluded.last_expired_at",
          {device, n, now}));
    }
    HIPPO_ASSIGN_OR_RETURN(senders, record_undelivered(tx, kExpiring, {cutoff, limit},
                                                       UndeliveredReason::kExpired, now));
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t deleted,
        tx.execute(std::string("DELETE FROM mailbox WHERE (device_id, seq) IN (") + kExpiring + ")",
                   {cutoff, limit}));
    HIPPO_RETURN_IF_ERROR(impl_->audit_.append(
        tx,
        detail::sweep_record("message.expire",
                             "count=" + std::to_string(deleted) +
                                 ",devices=" + std::to_string(per_device.size()) +
                                 ",senders_told=" + std::to_string(senders.size()) +
                                 ",older_than_days=" + std::to_string(max_age_seconds / 86'400))));
    return deleted;
  });
  if (deleted) impl_->tell_senders(senders);
  return deleted;
}

}  // namespace hippocrate::messaging
