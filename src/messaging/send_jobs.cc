#include "messaging/send_jobs.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "messaging/mailbox.h"

namespace hippocrate::messaging {
namespace {

// Ids are 32 hex and an address holds no '/': the key names one sender unambiguously.
std::string sender_key(const Actor& actor, const SendRequest& request) {
  return actor.account_id + "/" + actor.session_id + "/" + request.sender_device + "/" +
         actor.source_address;
}

}  // namespace

std::shared_ptr<SendJob> SendJobs::add(const Actor& actor, QueuedSend send) {
  const std::string key = sender_key(actor, *send.request);
  MutexLock lock(mutex_);
  auto& open = open_[key];
  std::shared_ptr<SendJob> opened;
  if (!open || open->closed_ || open->sends_.size() >= kMaxSendsPerJob) {
    open = std::make_shared<SendJob>(actor, key);
    opened = open;
  }
  if (send.pushed) {
    waiting_.emplace(send.request->message_id, Waiting{open.get(), open->sends_.size()});
  }
  open->sends_.push_back(std::move(send));
  return opened;
}

std::vector<QueuedSend> SendJobs::take(SendJob& job) {
  MutexLock lock(mutex_);
  if (!job.closed_) {
    job.closed_ = true;
    auto it = open_.find(job.key_);
    if (it != open_.end() && it->second.get() == &job) open_.erase(it);
    for (const auto& s : job.sends_) {
      auto w = waiting_.find(s.request->message_id);
      if (w != waiting_.end() && w->second.job == &job) waiting_.erase(w);
    }
  }
  return std::exchange(job.sends_, {});
}

std::int64_t SendJobs::acknowledge(std::vector<std::string>& message_ids,
                                   std::string_view device_id) {
  // Marks the envelope of one id; false when there is none to mark. Runs under the lock.
  const auto mark = [&](const std::string& message_id) REQUIRES(mutex_) {
    auto w = waiting_.find(message_id);
    if (w == waiting_.end() || w->second.job->closed_) return false;
    QueuedSend& send = w->second.job->sends_[w->second.index];
    const auto& envelopes = send.request->envelopes;
    const std::size_t n = std::min(envelopes.size(), QueuedSend::kMaxAcknowledgeable);
    for (std::size_t i = 0; i < n; ++i) {
      if (envelopes[i].device_id != device_id) continue;
      const std::uint32_t bit = std::uint32_t{1} << i;
      if (send.acknowledged & bit) return false;
      send.acknowledged |= bit;
      return true;
    }
    return false;
  };
  MutexLock lock(mutex_);  // once per acknowledgement, not per id
  const auto rest = std::remove_if(message_ids.begin(), message_ids.end(), mark);
  const auto marked = std::distance(rest, message_ids.end());
  message_ids.erase(rest, message_ids.end());
  return marked;
}

}  // namespace hippocrate::messaging
