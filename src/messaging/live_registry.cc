#include "messaging/live_registry.h"

namespace hippocrate::messaging {

void LiveRegistry::attach(const std::string& device_id, std::shared_ptr<LiveConnection> connection,
                          std::string account_id, std::string session_id,
                          std::int64_t session_expires_at) {
  std::shared_ptr<LiveConnection> previous;
  {
    MutexLock lock(mutex_);
    auto& slot = connections_[device_id];
    previous = std::move(slot.connection);
    slot = Entry{std::move(connection), std::move(account_id), std::move(session_id),
                 session_expires_at};
  }
  if (previous) previous->close();
}

void LiveRegistry::detach(const std::string& device_id, const LiveConnection* connection) {
  MutexLock lock(mutex_);
  auto it = connections_.find(device_id);
  if (it != connections_.end() && it->second.connection.get() == connection) {
    connections_.erase(it);
  }
}

std::shared_ptr<LiveConnection> LiveRegistry::find(const std::string& device_id) const {
  MutexLock lock(mutex_);
  auto it = connections_.find(device_id);
  return it == connections_.end() ? nullptr : it->second.connection;
}

bool LiveRegistry::push(const std::string& device_id, std::string frame) {
  auto connection = find(device_id);
  if (!connection) return false;
  if (connection->push(std::move(frame))) return true;
  // Too slow to keep up: disconnect; the mailbox still holds the envelope.
  detach(device_id, connection.get());
  connection->close();
  return false;
}

void LiveRegistry::disconnect(const std::string& device_id) {
  std::shared_ptr<LiveConnection> connection;
  {
    MutexLock lock(mutex_);
    auto it = connections_.find(device_id);
    if (it == connections_.end()) return;
    connection = std::move(it->second.connection);
    connections_.erase(it);
  }
  connection->close();
}

std::size_t LiveRegistry::disconnect_if(const std::function<bool(const Entry&)>& ended_by) {
  std::vector<std::shared_ptr<LiveConnection>> ended;
  {
    MutexLock lock(mutex_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      if (ended_by(it->second)) {
        ended.push_back(std::move(it->second.connection));
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : ended) c->close();  // outside the lock
  return ended.size();
}

std::size_t LiveRegistry::disconnect_sessions(const std::string& account_id,
                                              const std::string& session_id,
                                              const std::string& except_session_id) {
  return disconnect_if([&](const Entry& e) {
    return e.account_id == account_id &&
           (session_id.empty() ? e.session_id != except_session_id : e.session_id == session_id);
  });
}

std::size_t LiveRegistry::disconnect_expired(std::int64_t now) {
  return disconnect_if(
      [now](const Entry& e) { return e.session_expires_at != 0 && e.session_expires_at <= now; });
}

std::size_t LiveRegistry::connected() const {
  MutexLock lock(mutex_);
  return connections_.size();
}

}  // namespace hippocrate::messaging
