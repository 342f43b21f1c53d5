// A raw blocking TLS connection (OpenSSL, no HTTP layer) for tests that must send bytes a
// well-behaved client never would: malformed requests, partial headers, stalls.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace hippocrate::testing {

class RawTls {
 public:
  // Connects to 127.0.0.1:port and completes a TLS handshake trusting `ca_file`. A
  // `receive_buffer` (SO_RCVBUF, bytes) > 0 caps what the server can send before this side
  // reads. Throws std::runtime_error on failure.
  RawTls(std::uint16_t port, const std::filesystem::path& ca_file, int receive_buffer = 0);
  ~RawTls();
  RawTls(const RawTls&) = delete;
  RawTls& operator=(const RawTls&) = delete;

  bool write(std::string_view bytes);
  // Reads what arrives until the peer closes or `timeout` passes. `closed` tells which.
  std::string read_until_close(std::chrono::milliseconds timeout, bool* closed);
  // Reads at least one chunk (or nothing on timeout/close).
  std::string read_some(std::chrono::milliseconds timeout);
  // Sends close_notify (does not wait for the peer's).
  void shutdown();
  // True once the peer's close_notify was read (a clean TLS close).
  bool received_close_notify() const;
  // Drops the TCP connection at once with a reset (SO_LINGER 0), no TLS close.
  void abort();
  // The SHA-256 of the server's certificate (DER), lower-case hex.
  std::string peer_certificate_sha256() const;

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

// The SHA-256 of the first certificate of a PEM file (DER), lower-case hex; "" if unreadable.
std::string certificate_file_sha256(const std::filesystem::path& pem);

// True when a TCP connection to 127.0.0.1:port is accepted.
bool tcp_connects(std::uint16_t port);

}  // namespace hippocrate::testing
