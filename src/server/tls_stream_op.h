// Internal to TlsStream (tls_stream.h): what a stream owns (State: the socket, the SSL and
// its BIO, the deadline) and how each of its operations runs (Op: its Step's SSL_* call,
// retried after a wait for the direction OpenSSL asks for). Included only by the
// tls_stream*.{h,cc} files; State's members are in tls_stream.cc.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

#include "server/tls_stream_bio.h"
#include "server/tls_stream_steps.h"

namespace hippocrate::server::core::tls_detail {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// The outcome of a failed SSL_* call, mapped like asio::ssl::stream does. `saved_errno` is
// errno right after the call.
error_code map_error(int ssl_error, int saved_errno);

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

// Everything a TlsStream owns. Shared with its operations and (weakly) with the timer's
// handler, so that neither can outlive it.
class State : public std::enable_shared_from_this<State> {
 public:
  // Takes an accepted socket (made non-blocking) and a new SSL of `ctx` in the server
  // role, reading and writing it through a SocketBio. Throws std::bad_alloc when OpenSSL
  // cannot allocate.
  State(asio::ip::tcp::socket s, SSL_CTX* ctx);

  // Called when an operation is about to wait on the socket. False: the deadline has
  // already passed (the stream is now timed out).
  bool before_wait();
  // Closes the socket: every waiting operation completes; SSL is never called again.
  void time_out();

  asio::ip::tcp::socket socket;
  asio::steady_timer timer;
  SocketBio bio_data;  // before `ssl`, whose BIO points to it: destroyed after it
  std::unique_ptr<SSL, SslFree> ssl;
  Clock::time_point deadline = Clock::time_point::max();
  int waiting = 0;  // operations now waiting on the socket
  bool timed_out = false;

 private:
  void arm_timer();
  void on_timer(std::uint64_t generation);

  bool timer_armed_ = false;
  std::uint64_t timer_generation_ = 0;
};

// One TLS operation: try the SSL_* call; on WANT_READ / WANT_WRITE wait for that
// direction and try again. `Step` supplies the call and the completion
// (tls_stream_steps.h). A result known before any wait is posted, never delivered inline.
template <typename Step>
class Op {
 public:
  Op(std::shared_ptr<State> state, Step step) : state_(std::move(state)), step_(std::move(step)) {}

  template <typename Self>
  void operator()(Self& self, error_code ec = {}) {
    State& s = *state_;
    switch (phase_) {
      case Phase::posted: step_.complete(self, result_); return;
      case Phase::waiting:
        --s.waiting;
        phase_ = Phase::resumed;
        if (ec) {
          finish(self, s.timed_out ? error_code(boost::beast::error::timeout) : ec);
          return;
        }
        break;
      case Phase::start:
      case Phase::resumed: break;
    }
    if (!s.socket.is_open()) {
      // Closed (timeout, Beast's WebSocket timeout, teardown): the descriptor number may
      // already belong to another connection, so OpenSSL must not touch it.
      finish(self, s.timed_out ? error_code(boost::beast::error::timeout)
                               : error_code(asio::error::bad_descriptor));
      return;
    }
    clear_ssl_errors();
    errno = 0;
    const int ret = step_.attempt(s.ssl.get());
    const int saved_errno = errno;
    int ssl_error = SSL_ERROR_NONE;
    if constexpr (Step::kAttemptGivesSslError) {
      ssl_error = ret;
    } else if (ret != 1) {
      ssl_error = SSL_get_error(s.ssl.get(), ret);
    }
    if (ssl_error == SSL_ERROR_WANT_READ || ssl_error == SSL_ERROR_WANT_WRITE) {
      if (!s.before_wait()) {
        finish(self, boost::beast::error::timeout);
        return;
      }
      phase_ = Phase::waiting;
      s.socket.async_wait(ssl_error == SSL_ERROR_WANT_READ ? asio::socket_base::wait_read
                                                           : asio::socket_base::wait_write,
                          std::move(self));
      return;
    }
    finish(self, ssl_error == SSL_ERROR_NONE ? error_code() : map_error(ssl_error, saved_errno));
  }

 private:
  enum class Phase { start, waiting, resumed, posted };

  template <typename Self>
  void finish(Self& self, error_code ec) {
    clear_ssl_errors();
    if (phase_ == Phase::start) {
      phase_ = Phase::posted;
      result_ = ec;
      asio::post(std::move(self));
      return;
    }
    step_.complete(self, ec);
  }

  std::shared_ptr<State> state_;
  Step step_;
  Phase phase_ = Phase::start;
  error_code result_;
};

}  // namespace hippocrate::server::core::tls_detail
