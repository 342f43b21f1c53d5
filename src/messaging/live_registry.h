// LiveRegistry: which devices have a live connection (WebSocket) on this server node, and
// the push of frames to them. The messaging library knows connections only through the
// tiny LiveConnection interface; the server's route adapter bridges it to its WebSocket.
//
// Pushing only enqueues (LiveConnection::push must be non-blocking and bounded); when a
// frame does not fit, the connection is closed: the envelope is still in the durable
// mailbox and comes with the backlog when the device reconnects.
//
// Thread-safety: every member may be called from any thread. Connections are called
// after the registry's lock is released (copied out under the lock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"

namespace hippocrate::messaging {

class LiveConnection {
 public:
  virtual ~LiveConnection() = default;
  // Queues one binary frame; false when the connection's queue is full or it is closing.
  virtual bool push(std::string frame) = 0;
  // Starts a normal close after the queued frames.
  virtual void close() = 0;
};

class LiveRegistry {
 public:
  // Makes `connection` the device's live connection; an earlier one is closed. `account_id`
  // and `session_id` name the session it was opened with (disconnect_sessions);
  // `session_expires_at` (Unix seconds) is that session's absolute expiry
  // (disconnect_expired; 0: none).
  void attach(const std::string& device_id, std::shared_ptr<LiveConnection> connection,
              std::string account_id = {}, std::string session_id = {},
              std::int64_t session_expires_at = 0) EXCLUDES(mutex_);
  // Forgets `connection` if it is still the device's one (a newer one is left alone).
  void detach(const std::string& device_id, const LiveConnection* connection) EXCLUDES(mutex_);
  // Pushes a frame to the device if connected. False: not connected, or the frame did not
  // fit (the connection is then closed and forgotten).
  bool push(const std::string& device_id, std::string frame) EXCLUDES(mutex_);
  // Closes and forgets the device's connection (revocation).
  void disconnect(const std::string& device_id) EXCLUDES(mutex_);
  // Closes and forgets the connections opened with an ended session: `session_id`, or when
  // it is empty every session of `account_id` but `except_session_id`. Returns how many.
  std::size_t disconnect_sessions(const std::string& account_id, const std::string& session_id,
                                  const std::string& except_session_id = {}) EXCLUDES(mutex_);
  // Closes and forgets the connections whose session has reached its absolute expiry at
  // `now` (Unix seconds). Returns how many.
  std::size_t disconnect_expired(std::int64_t now) EXCLUDES(mutex_);
  std::size_t connected() const EXCLUDES(mutex_);

 private:
  std::shared_ptr<LiveConnection> find(const std::string& device_id) const EXCLUDES(mutex_);

  mutable Mutex mutex_;
  struct Entry {
    std::shared_ptr<LiveConnection> connection;
    std::string account_id;
    std::string session_id;
    std::int64_t session_expires_at = 0;
  };
  std::unordered_map<std::string, Entry> connections_ GUARDED_BY(mutex_);  // by device id
  // Closes and forgets the connections whose entry `ended_by` selects (`ended_by` runs under
  // the lock; the closes happen after it). Returns how many.
  std::size_t disconnect_if(const std::function<bool(const Entry&)>& ended_by) EXCLUDES(mutex_);
};

}  // namespace hippocrate::messaging
