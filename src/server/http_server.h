// HttpServer: the HTTPS + WebSocket listener (Boost.Beast/Asio + OpenSSL).
//
// Threads: one io_context per worker thread (default: one per core); a separate control
// thread runs the acceptor, which hands each new connection to the next worker in turn. A
// connection then lives on its worker alone, so its state needs no locks. Handlers run on
// the worker and may block it (database writes wait for their group commit).
//
// Per source (an IPv4 address, an IPv6 /64): at most `max_connections_per_address` open
// connections; one more is closed as soon as it is accepted (connection_limits.h).
//
// Per connection: TLS handshake (10 s), then HTTP/1.1 with keep-alive. Limits: header size
// (→ 431 "headers_too_large"), body size (→ 413 "payload_too_large"), malformed request
// (→ 400 "malformed_request"), ambiguous framing (→ 400 "invalid_framing": a
// Transfer-Encoding other than one "chunked", Transfer-Encoding with Content-Length, several
// or a list of Content-Length; RFC 9112 §6.1, §6.3) and a missing or repeated Host
// (→ 400 "invalid_host", RFC 9112 §3.2), each answered once and the connection closed; an
// idle keep-alive timeout until a request's first byte, then a deadline for its whole
// header (`header_timeout`, so a client trickling header lines is cut), and one for the
// body (`request_timeout`). An Upgrade: websocket request on a WebSocket route switches the
// connection to WebSocket.
//
// SIGHUP (when handle_signals): reload_tls(), then the on_reload callback.
//
// Shutdown (stop(), or SIGINT/SIGTERM when handle_signals): the listener closes at once so
// new connections are refused; idle connections close; a request in flight finishes and
// its response goes out with "Connection: close"; WebSocket connections get a normal close.
// After `shutdown_grace`, whatever remains is cut.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "server/access_log.h"
#include "server/router.h"

namespace hippocrate::server {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8443;  // 0: pick a free port (tests)
  std::filesystem::path certificate;
  std::filesystem::path private_key;
  unsigned threads = 0;  // 0: one per core
  std::size_t body_limit = 1024 * 1024;
  std::size_t header_limit = 16 * 1024;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};  // to receive one whole request
  std::chrono::milliseconds header_timeout{10'000};   // a request's header, from its first byte
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive wait for the next one
  std::chrono::milliseconds shutdown_grace{10'000};
  std::size_t websocket_message_limit = 1024 * 1024;
  std::size_t websocket_queue_limit = 1024;       // frames queued per connection
  std::size_t max_connections_per_address = 256;  // open at once per source (see above)
  // Origins whose cookie sessions are accepted (allowed_origins.h); empty: the server's
  // own, https://ADDRESS:PORT of the listen address and the bound port.
  std::vector<std::string> allowed_origins;
  bool handle_signals = false;  // stop on SIGINT/SIGTERM, reload on SIGHUP
};

class HttpServer {
 public:
  // `router` and `access_log` must outlive the server.
  HttpServer(ServerOptions options, const Router& router, AccessLog& access_log);
  ~HttpServer();  // NOLINT(bugprone-exception-escape): see http_server.cc
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads TLS, binds, listens and starts the threads. Errors: "listen_failed",
  // "invalid_listen_address", TLS errors from configure_tls_context.
  Status start();
  // The bound port (useful with port 0).
  std::uint16_t port() const;
  // Begins the graceful shutdown described above; returns at once. Thread-safe, idempotent.
  void stop();
  // Blocks until every thread has finished.
  void wait();
  // Called once from a server thread when a shutdown begins (e.g. to print a message).
  void on_shutdown(std::function<void()> callback);
  // Loads the certificate chain and key again from options.certificate/private_key (e.g.
  // renewed by certbot) for the connections accepted from now on; connections already open
  // keep theirs. When the new files are refused (unreadable, insecure key mode, key not
  // matching) the current certificate stays and the error says why. Thread-safe.
  Status reload_tls();
  // With handle_signals: called on the control thread after a SIGHUP, with the outcome of
  // its reload_tls() (e.g. to reopen the access log and print what was reloaded).
  void on_reload(std::function<void(const Status& tls)> callback);
  // The origins cookie sessions are accepted from (after start()).
  const std::vector<std::string>& allowed_origins() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hippocrate::server
