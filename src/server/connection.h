// Internal to the server core: one client connection (TLS, then HTTP/1.1 or WebSocket).
// Only http_server.cc and connection.cc include this header; the TLS stream and Beast's
// HTTP/WebSocket machinery stay inside connection.cc.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "base/mutex.h"
#include "server/connection_limits.h"
#include "server/dispatcher.h"
#include "server/http_server.h"
#include "server/tls_context.h"

namespace hippocrate::server::core {

namespace asio = boost::asio;

class Connection;

// What every connection of one server shares. Thread-safe as documented per member.
struct SharedState {
  SharedState(const ServerOptions& o, const Router& router, AccessLog& log)
      : options(o), dispatcher(router), access_log(log), sources(o.max_connections_per_address) {}

  const ServerOptions& options;  // read-only while serving
  Dispatcher dispatcher;         // read-only while serving
  AccessLog& access_log;         // thread-safe
  ConnectionsPerSource sources;  // thread-safe
  // The origins a cookie session may come from (allowed_origins.h); set before serving,
  // read-only after.
  std::vector<std::string> allowed_origins;
  std::atomic<bool> stopping{false};
  std::atomic<int> live{0};

  // The TLS context for new connections (any thread). An SSL_CTX may be shared by
  // connections on every thread; a reload replaces it for those accepted afterwards.
  TlsContextPtr tls_context() EXCLUDES(tls_mutex_);
  void set_tls_context(TlsContextPtr ctx) EXCLUDES(tls_mutex_);

  void track(const std::shared_ptr<Connection>& c) EXCLUDES(mutex_);
  // The live connections now (copied under the lock; act on them after releasing it).
  std::vector<std::shared_ptr<Connection>> snapshot() EXCLUDES(mutex_);

 private:
  Mutex mutex_;
  std::list<std::weak_ptr<Connection>> connections_ GUARDED_BY(mutex_);
  Mutex tls_mutex_;
  TlsContextPtr tls_ GUARDED_BY(tls_mutex_);
};

// One accepted connection: TLS handshake, HTTP/1.1 keep-alive, maybe a WebSocket.
class Connection {
 public:
  virtual ~Connection() = default;
  // The connection's whole life; spawn it on the socket's executor.
  virtual asio::awaitable<void> run() = 0;
  // Graceful shutdown (any thread): see HttpServer.
  virtual void shutdown() = 0;
};

// A connection over `socket` (already accepted), counted in `shared.live` while it exists;
// it holds `slot` (its place in shared.sources) for its life.
std::shared_ptr<Connection> make_connection(SharedState& shared, asio::ip::tcp::socket socket,
                                            std::string remote, ConnectionsPerSource::Slot slot);

}  // namespace hippocrate::server::core
