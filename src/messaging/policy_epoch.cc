#include "messaging/policy_epoch.h"

namespace hippocrate::messaging {

Result<std::int64_t> read_policy_epoch(store::Transaction& tx) {
  HIPPO_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT value FROM policy_epoch WHERE id = 1"));
  if (!row) return Error::internal("database_error", "the policy epoch row is missing");
  return row->int64(0);
}

CommittedPolicyEpoch::CommittedPolicyEpoch(store::Store& store)
    : store_(store), value_(std::make_shared<std::atomic<std::int64_t>>(kUnknown)) {
  watch_id_ =
      store_.add_commit_watch([value = value_](store::Transaction& tx) -> std::function<void()> {
        // What cannot be read (or published: the closure allocates) makes the value unknown
        // at once, before the commit: a stale value would let early delivery skip checks
        // that a committed change now fails. Unknown only costs a snapshot read.
        auto epoch = read_policy_epoch(tx);
        if (!epoch) {
          value->store(kUnknown, std::memory_order_release);
          return {};
        }
        try {
          return
              [value, committed = *epoch] { value->store(committed, std::memory_order_release); };
        } catch (...) {
          value->store(kUnknown, std::memory_order_release);
          return {};
        }
      });
}

CommittedPolicyEpoch::~CommittedPolicyEpoch() { store_.remove_commit_watch(watch_id_); }

std::optional<std::int64_t> CommittedPolicyEpoch::value() const {
  const std::int64_t v = value_->load(std::memory_order_acquire);
  if (v == kUnknown) return std::nullopt;
  return v;
}

}  // namespace hippocrate::messaging
