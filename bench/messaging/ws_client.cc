#include "ws_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace msgbench {
namespace {

constexpr std::size_t kMaxInBuffer = 64u << 20;  // a peer that floods us is a failure
constexpr int kMaxReadsPerWakeup = 32;

std::string ssl_error_text() {
  char buf[256] = {0};
  unsigned long e = ERR_get_error();
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "msgbench: FATAL: %s (%s)\n", what, std::strerror(errno));
  std::exit(2);
}

}  // namespace

WsLoop::WsLoop(const std::string& ca_file, const sockaddr_in& server, WsEvents& events)
    : server_(server), events_(events) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr) die("SSL_CTX_new");
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  if (SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) != 1) {
    std::fprintf(stderr, "msgbench: cannot load CA file %s: %s\n", ca_file.c_str(),
                 ssl_error_text().c_str());
    std::exit(2);
  }
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  // Partial writes from a buffer that may move between retries; free idle TLS buffers (the
  // generator holds up to 10,000 connections).
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                             SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_OFF);
  ep_ = epoll_create1(0);
  if (ep_ < 0) die("epoll_create1");
}

WsLoop::~WsLoop() {
  if (ep_ >= 0) ::close(ep_);
  SSL_CTX_free(ctx_);
}

void WsLoop::set_out(WsConn& c, bool on) {
  if (c.want_out == on || c.fd < 0) return;
  epoll_event ev{};
  ev.events = on ? (EPOLLIN | EPOLLOUT) : static_cast<std::uint32_t>(EPOLLIN);
  ev.data.ptr = &c;
  if (epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev) < 0) die("epoll_ctl mod");
  c.want_out = on;
}

void WsLoop::fail(WsConn& c, const std::string& why) {
  if (c.state == WsConn::State::kDead) return;
  if (c.state == WsConn::State::kReady) {
    --ready;
  } else if (c.state != WsConn::State::kNew) {
    --connecting;
  }
  c.state = WsConn::State::kDead;
  ++failed;
  if (c.fd >= 0) {
    epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
  }
  if (c.ssl != nullptr) {
    SSL_free(c.ssl);
    c.ssl = nullptr;
  }
  events_.on_failed(c, why);
}

void WsLoop::start(WsConn& c) {
  c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) die("socket (raise ulimit -n?)");
  int one = 1;
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c.state = WsConn::State::kConnecting;
  ++connecting;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.ptr = &c;
  c.want_out = true;
  if (epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev) < 0) die("epoll_ctl add");
  if (connect(c.fd, reinterpret_cast<const sockaddr*>(&server_), sizeof server_) < 0 &&
      errno != EINPROGRESS) {
    fail(c, std::string("connect: ") + std::strerror(errno));
  }
}

void WsLoop::drive_tls(WsConn& c) {
  ERR_clear_error();
  const int r = SSL_connect(c.ssl);
  if (r == 1) {
    c.state = WsConn::State::kUpgrade;
    unsigned char key[16];
    RAND_bytes(key, sizeof key);
    static const char* const kB64 =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string k;  // standard base64 (RFC 6455)
    for (int i = 0; i < 15; i += 3) {
      const unsigned v = key[i] << 16 | key[i + 1] << 8 | key[i + 2];
      k += kB64[v >> 18 & 63];
      k += kB64[v >> 12 & 63];
      k += kB64[v >> 6 & 63];
      k += kB64[v & 63];
    }
    k += kB64[key[15] >> 2];
    k += kB64[(key[15] & 3) << 4];
    k += "==";
    c.mask_state ^= static_cast<std::uint32_t>(key[0] | key[1] << 8 | key[2] << 16) | 1u;
    c.out += "GET " + c.target +
             " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: " +
             k + "\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer " + c.token +
             "\r\nUser-Agent: msgbench\r\n\r\n";
    flush(c);
    return;
  }
  const int e = SSL_get_error(c.ssl, r);
  if (e == SSL_ERROR_WANT_READ) return set_out(c, false);
  if (e == SSL_ERROR_WANT_WRITE) return set_out(c, true);
  fail(c, "TLS handshake: " + ssl_error_text());
}

void WsLoop::on_event(WsConn& c, std::uint32_t events) {
  if (c.state == WsConn::State::kDead) return;
  if (c.state == WsConn::State::kConnecting) {
    int err = 0;
    socklen_t l = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &l);
    if (err != 0) return fail(c, std::string("connect: ") + std::strerror(err));
    c.ssl = SSL_new(ctx_);
    if (c.ssl == nullptr) die("SSL_new");
    SSL_set_fd(c.ssl, c.fd);
    SSL_set1_host(c.ssl, "127.0.0.1");  // the development certificate names 127.0.0.1
    c.state = WsConn::State::kTls;
    return drive_tls(c);
  }
  if (c.state == WsConn::State::kTls) return drive_tls(c);
  if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) read_some(c);
  if (c.state != WsConn::State::kDead && (events & EPOLLOUT) != 0) flush(c);
}

void WsLoop::read_some(WsConn& c) {
  char buf[65536];
  for (int i = 0; i < kMaxReadsPerWakeup; ++i) {
    ERR_clear_error();
    const int n = SSL_read(c.ssl, buf, sizeof buf);
    if (n > 0) {
      bytes_in += static_cast<std::uint64_t>(n);
      if (c.in_off > 0 && c.in_off == c.in.size()) {
        c.in.clear();
        c.in_off = 0;
      }
      c.in.append(buf, static_cast<std::size_t>(n));
      if (c.in.size() > kMaxInBuffer) return fail(c, "input buffer overflow");
      continue;
    }
    const int e = SSL_get_error(c.ssl, n);
    if (e == SSL_ERROR_WANT_READ) break;
    if (e == SSL_ERROR_WANT_WRITE) {
      set_out(c, true);
      break;
    }
    if (e == SSL_ERROR_ZERO_RETURN) return fail(c, "closed by server (TLS close_notify)");
    return fail(
        c, "read: " + (e == SSL_ERROR_SYSCALL ? std::string("EOF/syscall") : ssl_error_text()));
  }
  if (c.state == WsConn::State::kUpgrade) parse_upgrade(c);
  if (c.state == WsConn::State::kReady) {
    parse_frames(c);
    if (c.state == WsConn::State::kReady) events_.on_read_done(c);
  }
  if (c.state != WsConn::State::kDead && c.out_off < c.out.size()) flush(c);
}

void WsLoop::parse_upgrade(WsConn& c) {
  const auto end = c.in.find("\r\n\r\n", c.in_off);
  if (end == std::string::npos) {
    if (c.in.size() > 65536) fail(c, "upgrade answer too large");
    return;
  }
  const std::string head = c.in.substr(c.in_off, end - c.in_off);
  c.in_off = end + 4;
  if (head.rfind("HTTP/1.1 101", 0) != 0) {
    const auto body = c.in.substr(c.in_off, 300);
    return fail(c, "upgrade refused: " + head.substr(0, head.find("\r\n")) + " " + body);
  }
  c.state = WsConn::State::kReady;
  --connecting;
  ++ready;
  events_.on_ready(c);
}

void WsLoop::parse_frames(WsConn& c) {
  for (int guard = 0; guard < 1'000'000 && c.state == WsConn::State::kReady; ++guard) {
    const std::size_t avail = c.in.size() - c.in_off;
    if (avail < 2) break;
    const auto* p = reinterpret_cast<const unsigned char*>(c.in.data() + c.in_off);
    const bool fin = (p[0] & 0x80) != 0;
    const unsigned opcode = p[0] & 0x0f;
    const bool masked = (p[1] & 0x80) != 0;
    std::uint64_t len = p[1] & 0x7f;
    std::size_t hdr = 2;
    if (len == 126) {
      if (avail < 4) break;
      len = static_cast<std::uint64_t>(p[2]) << 8 | p[3];
      hdr = 4;
    } else if (len == 127) {
      if (avail < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = len << 8 | p[2 + i];
      hdr = 10;
    }
    if (len > kMaxInBuffer) return fail(c, "frame too large");
    if (masked) hdr += 4;
    if (avail < hdr + len) break;
    std::string_view payload(c.in.data() + c.in_off + hdr, static_cast<std::size_t>(len));
    std::string unmasked;
    if (masked) {  // servers must not mask; tolerate it anyway
      unmasked.assign(payload);
      for (std::size_t i = 0; i < unmasked.size(); ++i) unmasked[i] ^= p[hdr - 4 + i % 4];
      payload = unmasked;
    }
    c.in_off += hdr + static_cast<std::size_t>(len);
    switch (opcode) {
      case 0x9:  // ping → pong, same payload
        queue_frame(c, 0xA, payload);
        break;
      case 0xA: break;
      case 0x8: return fail(c, "close frame from server");
      case 0x0:
      case 0x1:
      case 0x2:
        if (!fin) {
          c.message.append(payload);
        } else if (!c.message.empty()) {
          c.message.append(payload);
          std::string whole = std::move(c.message);
          c.message.clear();
          events_.on_message(c, whole);
        } else {
          events_.on_message(c, payload);
        }
        break;
      default: return fail(c, "unknown opcode");
    }
  }
  if (c.in_off == c.in.size()) {
    c.in.clear();
    c.in_off = 0;
  } else if (c.in_off > 65536) {
    c.in.erase(0, c.in_off);
    c.in_off = 0;
  }
}

void WsLoop::queue_frame(WsConn& c, std::uint8_t opcode, std::string_view payload) {
  unsigned char hdr[14];
  std::size_t h = 0;
  hdr[h++] = static_cast<unsigned char>(0x80 | opcode);
  const std::size_t n = payload.size();
  if (n < 126) {
    hdr[h++] = static_cast<unsigned char>(0x80 | n);
  } else if (n < 65536) {
    hdr[h++] = 0x80 | 126;
    hdr[h++] = static_cast<unsigned char>(n >> 8);
    hdr[h++] = static_cast<unsigned char>(n);
  } else {
    hdr[h++] = 0x80 | 127;
    for (int i = 7; i >= 0; --i) hdr[h++] = static_cast<unsigned char>(n >> (8 * i));
  }
  // xorshift32 mask: the server must unmask; unpredictability does not matter here.
  std::uint32_t x = c.mask_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  c.mask_state = x;
  unsigned char mask[4] = {static_cast<unsigned char>(x), static_cast<unsigned char>(x >> 8),
                           static_cast<unsigned char>(x >> 16),
                           static_cast<unsigned char>(x >> 24)};
  std::memcpy(hdr + h, mask, 4);
  h += 4;
  if (c.out_off > 0 && c.out_off == c.out.size()) {
    c.out.clear();
    c.out_off = 0;
  }
  c.out.append(reinterpret_cast<const char*>(hdr), h);
  const std::size_t at = c.out.size();
  c.out.append(payload);
  for (std::size_t i = 0; i < n; ++i) c.out[at + i] ^= static_cast<char>(mask[i & 3]);
}

void WsLoop::queue_binary(WsConn& c, std::string_view payload) { queue_frame(c, 0x2, payload); }

void WsLoop::flush(WsConn& c) {
  if (c.state == WsConn::State::kDead || c.ssl == nullptr) return;
  for (int i = 0; i < 1024 && c.out_off < c.out.size(); ++i) {
    ERR_clear_error();
    const std::size_t left = c.out.size() - c.out_off;
    const int chunk = left > (1u << 20) ? (1 << 20) : static_cast<int>(left);
    const int n = SSL_write(c.ssl, c.out.data() + c.out_off, chunk);
    if (n > 0) {
      c.out_off += static_cast<std::size_t>(n);
      bytes_out += static_cast<std::uint64_t>(n);
      continue;
    }
    const int e = SSL_get_error(c.ssl, n);
    if (e == SSL_ERROR_WANT_WRITE) return set_out(c, true);
    if (e == SSL_ERROR_WANT_READ) return;  // retried on the next readable event
    return fail(c, "write: " + ssl_error_text());
  }
  if (c.out_off == c.out.size()) {
    c.out.clear();
    c.out_off = 0;
    set_out(c, false);
  }
}

int WsLoop::poll(std::uint64_t timeout_ns) {
  epoll_event evs[512];
  timespec ts{static_cast<time_t>(timeout_ns / 1'000'000'000ull),
              static_cast<long>(timeout_ns % 1'000'000'000ull)};
  const int n = epoll_pwait2(ep_, evs, 512, &ts, nullptr);
  if (n < 0 && errno != EINTR) die("epoll_pwait2");
  for (int i = 0; i < n; ++i) on_event(*static_cast<WsConn*>(evs[i].data.ptr), evs[i].events);
  return n < 0 ? 0 : n;
}

void WsLoop::close_all(std::vector<WsConn>& conns) {
  for (auto& c : conns) {
    if (c.fd >= 0) {
      epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
      ::close(c.fd);
      c.fd = -1;
    }
    if (c.ssl != nullptr) {
      SSL_free(c.ssl);
      c.ssl = nullptr;
    }
    c.state = WsConn::State::kDead;
  }
  ready = connecting = 0;
}

}  // namespace msgbench
