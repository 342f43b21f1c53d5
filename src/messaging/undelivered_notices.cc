#include "messaging/undelivered_notices.h"

#include <set>

#include "messaging/audit_records.h"
#include "messaging/device_ack.h"
#include "messaging/devices.h"
#include "messaging/mailbox.h"
#include "store/row_decode.h"
#include "store/row_page.h"  // page_query_limit

namespace hippocrate::messaging {

std::string_view reason_name(UndeliveredReason reason) {
  switch (reason) {
    case UndeliveredReason::kExpired: return "expired";
    case UndeliveredReason::kUndecryptable: return "undecryptable";
    case UndeliveredReason::kSenderUnverified: return "sender_unverified";
  }
  return "expired";
}

std::optional<UndeliveredReason> refusal_reason(std::string_view name) {
  if (name == "undecryptable") return UndeliveredReason::kUndecryptable;
  if (name == "sender_unverified") return UndeliveredReason::kSenderUnverified;
  return std::nullopt;
}

namespace {

Result<UndeliveredReason> stored_reason(const std::string& name) {
  if (name == "expired") return UndeliveredReason::kExpired;
  if (auto refused = refusal_reason(name)) return *refused;
  return Error::internal("invalid_stored_reason", "an undelivered notice has an unknown reason");
}

}  // namespace

Result<std::vector<std::string>> record_undelivered(store::Transaction& tx,
                                                    std::string_view undelivered_keys,
                                                    const store::Params& params,
                                                    UndeliveredReason reason, std::int64_t now) {
  // Every current device of the sender is told (each acknowledges on its own, as
  // envelopes): the message was sent from one, but the person may now use another.
  HIPPO_ASSIGN_OR_RETURN(
      auto rows,
      tx.query(std::string("SELECT s.id, m.message_id, m.recipient_account, m.created_at, "
                           "COUNT(*) FROM mailbox b "
                           "JOIN messages m ON m.message_id = b.message_id "
                           "JOIN devices r ON r.id = b.device_id "
                           "JOIN devices s ON s.account_id = m.sender_id "
                           "WHERE (b.device_id, b.seq) IN (") +
                   std::string(undelivered_keys) +
                   ") AND r.account_id = m.recipient_account "
                   "AND m.recipient_account <> m.sender_id AND s.revoked_at IS NULL "
                   "GROUP BY s.id, m.message_id",
               params));
  std::set<std::string> told;
  for (const auto& row : rows) {
    std::string device, message_id, recipient;
    std::int64_t sent_at = 0, devices = 0;
    HIPPO_RETURN_IF_ERROR(
        store::read_columns(row, device, message_id, recipient, sent_at, devices));
    // A message's envelopes can be split over two batches of the sweep, or refused by the
    // recipient's devices one by one: the counts add up.
    HIPPO_RETURN_IF_ERROR(tx.execute(
        "INSERT INTO undelivered_notices (device_id, message_id, reason, recipient_account, "
        "sent_at, devices, expired_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (device_id, message_id, reason) DO UPDATE SET "
        "devices = devices + excluded.devices, expired_at = excluded.expired_at",
        {device, message_id, std::string(reason_name(reason)), recipient, sent_at, devices, now}));
    told.insert(std::move(device));
  }
  return std::vector<std::string>(told.begin(), told.end());
}

Result<std::int64_t> count_undelivered(store::Transaction& tx, const std::string& device_id) {
  HIPPO_ASSIGN_OR_RETURN(
      auto row,
      tx.query_one("SELECT COUNT(*) FROM undelivered_notices WHERE device_id = ?", {device_id}));
  return row->int64(0);
}

Result<UndeliveredList> UndeliveredNotices::list(const Actor& actor, const std::string& device_id,
                                                 std::size_t limit) {
  if (limit == 0 || limit > kMaxFetch) {
    return Error::invalid_argument("invalid_field", "the field 'limit' must be between 1 and 100");
  }
  return store_.write([&](store::Transaction& tx) -> Result<UndeliveredList> {
    HIPPO_RETURN_IF_ERROR(require_own_device(tx, actor, device_id));
    // A page holds whole messages (every reason of each): an acknowledgement deletes a
    // message's notices together, so none is deleted unseen. Messages in send order; one
    // past the page says whether more follow.
    HIPPO_ASSIGN_OR_RETURN(
        auto rows,
        tx.query("SELECT message_id, recipient_account, sent_at, devices, expired_at, reason "
                 "FROM undelivered_notices WHERE device_id = ? AND message_id IN ("
                 "SELECT message_id FROM undelivered_notices WHERE device_id = ? "
                 "GROUP BY message_id ORDER BY MIN(sent_at), message_id LIMIT ?) "
                 "ORDER BY sent_at, message_id, reason",
                 {device_id, device_id, store::page_query_limit(limit)}));
    UndeliveredList out;
    std::size_t messages = 0;
    for (const auto& row : rows) {
      UndeliveredNotice n;
      HIPPO_ASSIGN_OR_RETURN(n.message_id, row.text(0));
      if (out.notices.empty() || out.notices.back().message_id != n.message_id) {
        if (++messages > limit) {
          out.more = true;
          break;
        }
      }
      std::string reason;
      HIPPO_RETURN_IF_ERROR(store::read_columns_from(row, 1, n.recipient, n.sent_at, n.devices,
                                                     n.expired_at, reason));
      HIPPO_ASSIGN_OR_RETURN(n.reason, stored_reason(reason));
      out.notices.push_back(std::move(n));
    }
    // The read and its audit record commit together (as a mailbox fetch).
    HIPPO_RETURN_IF_ERROR(audit_.append(
        tx, detail::record(actor, "message.undelivered", detail::device_resource(device_id),
                           "succeeded", "count=" + std::to_string(out.notices.size()), device_id)));
    return out;
  });
}

Result<std::int64_t> UndeliveredNotices::ack(const Actor& actor, const std::string& device_id,
                                             const std::vector<std::string>& message_ids) {
  HIPPO_RETURN_IF_ERROR(Mailbox::validate_ack(message_ids));
  return store_.write([&](store::Transaction& tx) -> Result<std::int64_t> {
    return detail::delete_acknowledged(
        tx, audit_, actor, device_id, message_ids,
        "DELETE FROM undelivered_notices WHERE device_id = ? AND message_id = ?",
        "message.undelivered_ack");
  });
}

Result<std::int64_t> UndeliveredNotices::expire(std::int64_t now, std::int64_t max_age_seconds,
                                                std::int64_t limit) {
  return store_.write([&](store::Transaction& tx) -> Result<std::int64_t> {
    // Oldest first (rowid order is insertion order, and a notice's expired_at only grows
    // when a later batch of the same sweep adds to it).
    HIPPO_ASSIGN_OR_RETURN(
        std::int64_t deleted,
        tx.execute("DELETE FROM undelivered_notices WHERE rowid IN (SELECT rowid FROM "
                   "undelivered_notices WHERE expired_at < ? ORDER BY rowid LIMIT ?)",
                   {now - max_age_seconds, limit}));
    if (deleted > 0) {
      HIPPO_RETURN_IF_ERROR(audit_.append(
          tx, detail::sweep_record("message.undelivered_expire",
                                   "count=" + std::to_string(deleted) + ",older_than_days=" +
                                       std::to_string(max_age_seconds / 86'400))));
    }
    return deleted;
  });
}

}  // namespace hippocrate::messaging
