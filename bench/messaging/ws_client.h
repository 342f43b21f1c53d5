// Non-blocking TLS WebSocket client connections on one epoll loop (OpenSSL directly), for
// the load generator. One thread; no locks. Each connection: TCP connect to 127.0.0.1,
// TLS handshake (certificate checked against the server's CA file), HTTP/1.1 upgrade with
// `Authorization: Bearer`, then masked binary frames out, unmasked frames in; pings are
// answered with pongs (the server pings idle sockets), a close frame ends the connection.
#pragma once

#include <netinet/in.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace msgbench {

class WsLoop;

struct WsConn {
  enum class State { kNew, kConnecting, kTls, kUpgrade, kReady, kDead };
  State state = State::kNew;
  int fd = -1;
  SSL* ssl = nullptr;
  std::string target;  // "/api/v1/devices/<id>/socket"
  std::string token;   // bearer token
  int index = 0;       // the owner's index (pair*2 + role, or idle slot)
  std::string in;      // plaintext received, not yet parsed
  std::size_t in_off = 0;
  std::string out;  // plaintext to write
  std::size_t out_off = 0;
  std::string message;    // a fragmented message being reassembled
  bool want_out = false;  // EPOLLOUT registered
  std::uint32_t mask_state = 0x9e3779b9u;
};

class WsEvents {
 public:
  virtual ~WsEvents() = default;
  virtual void on_ready(WsConn& c) = 0;
  // One complete binary message (text messages are reported as binary too).
  virtual void on_message(WsConn& c, std::string_view payload) = 0;
  // After all messages of one read wake-up were delivered (batching point, e.g. acks).
  virtual void on_read_done(WsConn& c) = 0;
  virtual void on_failed(WsConn& c, const std::string& why) = 0;
};

class WsLoop {
 public:
  // `ca_file`: the server's certificate (PEM), trusted alone. `server`: 127.0.0.1:port.
  WsLoop(const std::string& ca_file, const sockaddr_in& server, WsEvents& events);
  ~WsLoop();
  WsLoop(const WsLoop&) = delete;
  WsLoop& operator=(const WsLoop&) = delete;

  void start(WsConn& c);
  // Frames `payload` (binary, masked) into c.out; call flush() after a batch.
  void queue_binary(WsConn& c, std::string_view payload);
  void flush(WsConn& c);
  // Waits at most `timeout_ns` for events and handles them. Returns the number of events.
  int poll(std::uint64_t timeout_ns);
  void close_all(std::vector<WsConn>& conns);

  int ready = 0, connecting = 0, failed = 0;
  std::uint64_t bytes_in = 0, bytes_out = 0;

 private:
  void fail(WsConn& c, const std::string& why);
  void set_out(WsConn& c, bool on);
  void on_event(WsConn& c, std::uint32_t events);
  void drive_tls(WsConn& c);
  void read_some(WsConn& c);
  void parse_upgrade(WsConn& c);
  void parse_frames(WsConn& c);
  void queue_frame(WsConn& c, std::uint8_t opcode, std::string_view payload);

  SSL_CTX* ctx_ = nullptr;
  sockaddr_in server_{};
  WsEvents& events_;
  int ep_ = -1;
};

}  // namespace msgbench
