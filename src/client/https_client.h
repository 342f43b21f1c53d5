// HttpsClient: a small synchronous HTTPS/1.1 client with keep-alive, for the CLI and tests.
//
// It verifies the server certificate against the system trust store or, with `ca_file`,
// against that file alone (the development certificate), and checks the host name or IP
// address. Every operation has a deadline. Not thread-safe: one client per thread.
//
// Certificate pinning: with `certificate_sha256` set, a server whose certificate (the leaf,
// its DER bytes' SHA-256) is another one is refused ("certificate_mismatch") right after the
// TLS handshake, before a byte of the request is written. The CLI uses it so that a session
// token only ever goes to the server that issued it (cli/client_context.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "http/headers.h"

namespace hippocrate::client {

struct ClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;
  std::filesystem::path ca_file;  // empty: system trust store
  std::chrono::milliseconds timeout{10'000};
  std::string certificate_sha256;  // lowercase hex; empty: any certificate the CA vouches for
};

// Parses "https://HOST:PORT" (no path) into options. Errors: "invalid_server_url".
Result<ClientOptions> parse_server_url(std::string_view url);

struct ClientResponse {
  int status = 0;
  http::Headers headers;
  std::string body;
};

class HttpsClient {
 public:
  explicit HttpsClient(ClientOptions options);
  ~HttpsClient();
  HttpsClient(HttpsClient&&) noexcept;
  HttpsClient& operator=(HttpsClient&&) noexcept;

  // Sends one request on the kept-alive connection (connecting or reconnecting as needed).
  // Errors: "connection_failed", "tls_failed" (certificate not trusted, version refused),
  // "certificate_mismatch" (see require_certificate; nothing was sent), "request_timeout",
  // "connection_lost".
  Result<ClientResponse> request(std::string_view method, std::string_view target,
                                 std::string body = {},
                                 std::vector<std::pair<std::string, std::string>> headers = {});
  // How many TCP connections this client has opened so far (keep-alive checks).
  int connections_opened() const;

  // The pin for the next requests (ClientOptions::certificate_sha256; empty: none). A
  // kept-alive connection to a server with another certificate is not used for them.
  void require_certificate(std::string sha256_hex);
  // The SHA-256 (lowercase hex) of the certificate of the last server connected to; empty
  // before the first connection.
  const std::string& certificate_sha256() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A WebSocket client over TLS, synchronous, for the CLI and tests.
class WebSocketClient {
 public:
  // Connects and upgrades at `target` (honouring options.certificate_sha256). Errors as
  // HttpsClient, plus "upgrade_refused"
  // (the message holds the HTTP status).
  static Result<WebSocketClient> connect(
      const ClientOptions& options, std::string_view target,
      std::vector<std::pair<std::string, std::string>> headers = {});
  ~WebSocketClient();
  WebSocketClient(WebSocketClient&&) noexcept;
  WebSocketClient& operator=(WebSocketClient&&) noexcept;

  Status send(std::string_view data, bool binary);
  struct Message {
    std::string data;
    bool binary = false;
  };
  // Waits for the next message. Errors: "request_timeout", "connection_closed".
  Result<Message> receive(std::chrono::milliseconds timeout);
  Status close();

 private:
  WebSocketClient();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hippocrate::client
