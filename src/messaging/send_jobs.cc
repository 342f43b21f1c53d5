#include "messaging/send_jobs.h"

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
  std::lock_guard lock(mutex_);
  auto& open = open_[key];
  if (open && !open->closed_ && open->sends_.size() < kMaxSendsPerJob) {
    open->sends_.push_back(std::move(send));
    return nullptr;
  }
  open = std::make_shared<SendJob>(actor, key);
  open->sends_.push_back(std::move(send));
  return open;
}

std::vector<QueuedSend> SendJobs::take(SendJob& job) {
  std::lock_guard lock(mutex_);
  if (!job.closed_) {
    job.closed_ = true;
    auto it = open_.find(job.key_);
    if (it != open_.end() && it->second.get() == &job) open_.erase(it);
  }
  return std::exchange(job.sends_, {});
}

}  // namespace hippocrate::messaging
