#include "messaging/live_registry.h"

namespace hippocrate::messaging {

void LiveRegistry::attach(const std::string& device_id,
                          std::shared_ptr<LiveConnection> connection) {
  std::shared_ptr<LiveConnection> previous;
  {
    std::lock_guard lock(mutex_);
    auto& slot = connections_[device_id];
    previous = std::move(slot);
    slot = std::move(connection);
  }
  if (previous) previous->close();
}

void LiveRegistry::detach(const std::string& device_id, const LiveConnection* connection) {
  std::lock_guard lock(mutex_);
  auto it = connections_.find(device_id);
  if (it != connections_.end() && it->second.get() == connection) connections_.erase(it);
}

std::shared_ptr<LiveConnection> LiveRegistry::find(const std::string& device_id) const {
  std::lock_guard lock(mutex_);
  auto it = connections_.find(device_id);
  return it == connections_.end() ? nullptr : it->second;
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
    std::lock_guard lock(mutex_);
    auto it = connections_.find(device_id);
    if (it == connections_.end()) return;
    connection = std::move(it->second);
    connections_.erase(it);
  }
  connection->close();
}

std::size_t LiveRegistry::connected() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

}  // namespace hippocrate::messaging
