#include "auth/failure_counter.h"

#include <algorithm>

namespace hippocrate::auth {
namespace {
constexpr std::int64_t kDay = 24 * 3600;
}

Result<std::optional<store::Row>> FailureCounter::load(store::Transaction& tx,
                                                       std::string_view scope,
                                                       const std::string& subject) const {
  return tx.query_one(
      "SELECT consecutive, window_start, window_count, last_failure_at FROM login_failures "
      "WHERE scope = ? AND subject = ?",
      {std::string(scope), subject});
}

Result<std::chrono::seconds> FailureCounter::wait_for(store::Transaction& tx,
                                                      std::string_view scope,
                                                      const std::string& pair) const {
  HIPPO_ASSIGN_OR_RETURN(auto row, load(tx, scope, pair));
  if (!row) return std::chrono::seconds(0);
  HIPPO_ASSIGN_OR_RETURN(std::int64_t consecutive, row->int64(0));
  HIPPO_ASSIGN_OR_RETURN(std::int64_t last, row->int64(3));
  if (consecutive < config_.free_failures) return std::chrono::seconds(0);
  const std::int64_t exponent = std::min<std::int64_t>(consecutive - config_.free_failures, 10);
  const std::int64_t delay = 60 * (std::int64_t{1} << exponent);
  const std::int64_t left = last + delay - unix_seconds(clock_.now());
  return std::chrono::seconds(std::max<std::int64_t>(left, 0));
}

Result<std::int64_t> FailureCounter::daily_failures(store::Transaction& tx, std::string_view scope,
                                                    const std::string& account_key) const {
  HIPPO_ASSIGN_OR_RETURN(auto row, load(tx, scope, account_key));
  if (!row) return std::int64_t{0};
  HIPPO_ASSIGN_OR_RETURN(std::int64_t window_start, row->int64(1));
  HIPPO_ASSIGN_OR_RETURN(std::int64_t count, row->int64(2));
  if (unix_seconds(clock_.now()) - window_start >= kDay) return std::int64_t{0};
  return count;
}

Status FailureCounter::bump(store::Transaction& tx, std::string_view scope,
                            const std::string& subject, std::int64_t now) {
  HIPPO_ASSIGN_OR_RETURN(auto row, load(tx, scope, subject));
  if (!row) {
    HIPPO_RETURN_IF_ERROR(tx.execute(
        "INSERT INTO login_failures (scope, subject, consecutive, window_start, window_count, "
        "last_failure_at) VALUES (?, ?, 1, ?, 1, ?)",
        {std::string(scope), subject, now, now}));
    return ok_status();
  }
  HIPPO_ASSIGN_OR_RETURN(std::int64_t window_start, row->int64(1));
  if (now - window_start >= kDay) {  // a new 24 h window starts with this failure
    HIPPO_RETURN_IF_ERROR(
        tx.execute("UPDATE login_failures SET consecutive = consecutive + 1, window_start = ?, "
                   "window_count = 1, last_failure_at = ? WHERE scope = ? AND subject = ?",
                   {now, now, std::string(scope), subject}));
  } else {
    HIPPO_RETURN_IF_ERROR(tx.execute(
        "UPDATE login_failures SET consecutive = consecutive + 1, "
        "window_count = window_count + 1, last_failure_at = ? WHERE scope = ? AND subject = ?",
        {now, std::string(scope), subject}));
  }
  return ok_status();
}

Result<std::int64_t> FailureCounter::record_failure(store::Transaction& tx, std::string_view scope,
                                                    const std::string& pair,
                                                    const std::string& account_key) {
  const std::int64_t now = unix_seconds(clock_.now());
  HIPPO_RETURN_IF_ERROR(bump(tx, scope, pair, now));
  HIPPO_RETURN_IF_ERROR(bump(tx, scope, account_key, now));
  return daily_failures(tx, scope, account_key);
}

Status FailureCounter::record_success(store::Transaction& tx, std::string_view scope,
                                      const std::string& pair) {
  HIPPO_RETURN_IF_ERROR(
      tx.execute("UPDATE login_failures SET consecutive = 0 WHERE scope = ? AND subject = ?",
                 {std::string(scope), pair}));
  return ok_status();
}

Status FailureCounter::clear_account(store::Transaction& tx, const std::string& account_key) {
  HIPPO_RETURN_IF_ERROR(tx.execute("DELETE FROM login_failures WHERE subject = ?", {account_key}));
  return ok_status();
}

}  // namespace hippocrate::auth
