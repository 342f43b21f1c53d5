// Internal to the server core: one client connection (TLS, then HTTP/1.1 or WebSocket).
// Only http_server.cc and connection.cc include this header (and so Boost.Beast).
#pragma once

#include <atomic>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "server/dispatcher.h"
#include "server/http_server.h"

namespace hippocrate::server::core {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

class Connection;

// What every connection of one server shares. Thread-safe as documented per member.
struct SharedState {
  SharedState(const ServerOptions& o, const Router& router, AccessLog& log,
              asio::ssl::context& tls)
      : options(o), dispatcher(router), access_log(log), ssl(tls) {}

  const ServerOptions& options;  // read-only while serving
  Dispatcher dispatcher;         // read-only while serving
  AccessLog& access_log;         // thread-safe
  asio::ssl::context& ssl;       // SSL_CTX is safe to share for new connections
  std::atomic<bool> stopping{false};
  std::atomic<int> live{0};

  void track(const std::shared_ptr<Connection>& c);
  // The live connections now (copied under the lock; act on them after releasing it).
  std::vector<std::shared_ptr<Connection>> snapshot();

 private:
  std::mutex mutex_;
  std::list<std::weak_ptr<Connection>> connections_;  // guarded by mutex_
};

class Connection final : public std::enable_shared_from_this<Connection>,
                         public WebSocketConnection {
 public:
  Connection(SharedState& shared, asio::ip::tcp::socket socket, std::string remote);
  ~Connection() override;

  // The connection's whole life; spawn it on the socket's executor.
  asio::awaitable<void> run();
  // Graceful shutdown (any thread): see HttpServer.
  void shutdown();

  bool send_text(std::string text) override;
  bool send_binary(std::string bytes) override;
  void close() override;

 private:
  struct Frame {
    std::string data;
    bool binary = false;
    bool close = false;
  };

  asio::awaitable<void> serve_http();
  asio::awaitable<void> write_response(HttpResponse response, bool keep_alive,
                                       unsigned version);
  asio::awaitable<void> reject(Error error, std::string_view method);
  asio::awaitable<void> serve_websocket(http::request<http::string_body> request,
                                        std::shared_ptr<WebSocketHandler> handler);
  asio::awaitable<void> write_frames();
  bool enqueue(Frame frame);  // any thread
  void log(std::string_view request_id, std::string_view method, std::string_view route,
           int status, std::chrono::steady_clock::time_point started);

  SharedState& shared_;
  std::string remote_;
  asio::any_io_executor executor_;
  std::optional<TlsStream> tls_;                       // until an upgrade
  std::optional<websocket::stream<TlsStream>> ws_;     // after an upgrade
  bool idle_ = true;         // waiting for a request (io thread only)
  bool writing_ = false;     // a frame writer runs (io thread only)
  bool ws_closed_ = false;   // io thread only
  std::deque<Frame> queue_;  // io thread only
  std::atomic<std::size_t> queued_{0};
};

}  // namespace hippocrate::server::core
