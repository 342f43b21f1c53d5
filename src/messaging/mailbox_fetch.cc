// Fetching a device's pending envelopes, with its expired and undelivered counts; audited
// as "message.fetch" in the transaction that reads them.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "messaging/audit_records.h"
#include "messaging/devices.h"
#include "messaging/mailbox_impl.h"
#include "messaging/undelivered_notices.h"
#include "store/row_page.h"

namespace hippocrate::messaging {

Result<FetchResult> Mailbox::Impl::fetch_in(store::Transaction& tx, const Actor& actor,
                                            const std::string& device_id, std::size_t limit,
                                            const std::string& via, std::int64_t after_seq,
                                            bool report_expired) const {
  HIPPO_RETURN_IF_ERROR(require_own_device(tx, actor, device_id));
  HIPPO_ASSIGN_OR_RETURN(auto rows,
                         tx.query("SELECT b.message_id, m.sender_id, m.sender_device, b.stored_at, "
                                  "b.seq, b.ciphertext FROM mailbox b JOIN messages m ON "
                                  "m.message_id = b.message_id WHERE b.device_id = ? AND b.seq > ? "
                                  "ORDER BY b.seq LIMIT ?",
                                  {device_id, after_seq, store::page_query_limit(limit)}));
  FetchResult out;
  HIPPO_ASSIGN_OR_RETURN(out.more,
                         store::decode_page(rows, limit, out.messages,
                                            [](const store::Row& row) -> Result<StoredMessage> {
                                              StoredMessage m;
                                              HIPPO_ASSIGN_OR_RETURN(m.message_id, row.text(0));
                                              HIPPO_ASSIGN_OR_RETURN(m.sender, row.text(1));
                                              HIPPO_ASSIGN_OR_RETURN(m.sender_device, row.text(2));
                                              HIPPO_ASSIGN_OR_RETURN(m.stored_at, row.int64(3));
                                              HIPPO_ASSIGN_OR_RETURN(m.seq, row.int64(4));
                                              HIPPO_ASSIGN_OR_RETURN(m.ciphertext, row.blob(5));
                                              return m;
                                            }));
  HIPPO_ASSIGN_OR_RETURN(
      auto expired,
      tx.query_one("SELECT expired FROM mailbox_expiries WHERE device_id = ?", {device_id}));
  if (expired) {
    HIPPO_ASSIGN_OR_RETURN(out.expired, expired->int64(0));
  }
  HIPPO_ASSIGN_OR_RETURN(out.undelivered, count_undelivered(tx, device_id));
  std::string detail = "count=" + std::to_string(out.messages.size()) + ",via=" + via;
  if (report_expired && out.expired > 0) {
    // Told now, in the transaction that answers: the count is not reported twice.
    HIPPO_RETURN_IF_ERROR(
        tx.execute("DELETE FROM mailbox_expiries WHERE device_id = ?", {device_id}));
    detail += ",expired_reported=" + std::to_string(out.expired);
  }
  // The read and its audit record commit together.
  HIPPO_RETURN_IF_ERROR(
      audit_.append(tx, detail::record(actor, "message.fetch", detail::device_resource(device_id),
                                       "succeeded", detail, device_id)));
  return out;
}

void Mailbox::fetch_async(const Actor& actor, const std::string& device_id, std::size_t limit,
                          std::string_view via, std::int64_t after_seq,
                          std::function<void(Result<FetchResult>)> done) {
  if (limit == 0 || limit > kMaxFetch)
    return done(detail::invalid_field("limit", "must be between 1 and 100"));
  store::write_async_result<FetchResult>(
      impl_->store_,
      [impl = impl_.get(), actor, device_id, limit, via = std::string(via),
       after_seq](store::Transaction& tx) {
        return impl->fetch_in(tx, actor, device_id, limit, via, after_seq, false);
      },
      std::move(done));
}

Result<FetchResult> Mailbox::fetch(const Actor& actor, const std::string& device_id,
                                   std::size_t limit, std::string_view via, std::int64_t after_seq,
                                   bool report_expired) {
  if (limit == 0 || limit > kMaxFetch)
    return detail::invalid_field("limit", "must be between 1 and 100");
  return impl_->store_.write([&](store::Transaction& tx) {
    return impl_->fetch_in(tx, actor, device_id, limit, std::string(via), after_seq,
                           report_expired);
  });
}

}  // namespace hippocrate::messaging
