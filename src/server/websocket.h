// WebSocket endpoints, without Boost.Beast types (see http_types.h for why).
//
// The server core owns the socket; a route's handler sees a WebSocketConnection to send on
// and receives events through WebSocketHandler. Thread-safety: every WebSocketHandler
// callback for one connection runs on that connection's io thread, one at a time.
// WebSocketConnection::send_* and close() may be called from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace hippocrate::server {

class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  // Queues a frame. Returns false (and drops nothing already queued) when the connection's
  // bounded write queue is full or the connection is closing: the caller decides what
  // to do (e.g. keep the message in the durable mailbox for later delivery).
  virtual bool send_text(std::string text) = 0;
  virtual bool send_binary(std::string bytes) = 0;
  // Starts a normal close (1000) after queued frames are written.
  virtual void close() = 0;
};

class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  virtual void on_open(std::shared_ptr<WebSocketConnection> connection) = 0;
  virtual void on_message(std::string data, bool binary) = 0;
  // Called once, whatever the reason (peer close, error, timeout, shutdown).
  virtual void on_close() = 0;
};

}  // namespace hippocrate::server
