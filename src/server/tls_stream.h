// TlsStream: the server side of TLS, run by OpenSSL straight on an accepted TCP socket.
//
// Why not asio::ssl::stream: its engine keeps two 17 KiB buffers and a BIO pair with two
// more for the connection's whole life (~68 KiB per idle WebSocket). Here OpenSSL reads
// and writes the socket itself (SSL_MODE_RELEASE_BUFFERS frees its record buffers as soon
// as they are empty), reads land straight in the caller's buffer, and a gathered write
// uses a temporary freed when the write completes: an idle connection buffers nothing.
//
// Contract:
// - Satisfies Beast's AsyncReadStream / AsyncWriteStream, so http::async_read/async_write
//   and websocket::stream<TlsStream> work on it; beast::get_lowest_layer() gives the
//   tcp::socket (closing it, as Beast's WebSocket timeout does, ends every operation).
// - One read and one write may be outstanding together (plus handshake/shutdown, which
//   are never concurrent with a read), all on the socket's executor (one thread): each
//   operation calls SSL_* and, on WANT_READ / WANT_WRITE, waits on the socket for that
//   direction itself. Waits are independent (asio completes every waiter of a direction
//   on one readiness event), so one direction never takes the other's wake-up; and after
//   the handshake only SSL_read consumes socket input, so no data can sit inside OpenSSL
//   while a read waits on the socket. The error queue is cleared before every SSL_* call.
// - Errors as asio::ssl::stream: close_notify received → asio::error::eof; TCP end or
//   reset without it → asio::ssl::error::stream_truncated / the system error.
// - Timeouts like beast::tcp_stream: expires_after() sets a deadline for the operations
//   that wait after it; when it passes while an operation waits, the socket is closed and
//   the waiting operations complete with beast::error::timeout.
// - Only connection.cc includes this header (it carries asio templates).
#pragma once

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/coroutine.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "server/tls_io_counters.h"

namespace hippocrate::server::core {

namespace tls_detail {

// Empties this thread's OpenSSL error queue, which must be empty before an SSL_ call whose
// failure SSL_get_error() will classify (SSL_get_error(3)), and is left empty after one.
// Peeking first: the queue is nearly always empty already, and ERR_clear_error() clears
// all of its slots each time (about 3% of the network thread at saturation, twice per
// read and per write).
inline void clear_ssl_errors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

namespace asio = boost::asio;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

// TLS records carry at most 16 KiB of plaintext (RFC 8446 §5.1).
constexpr std::size_t kMaxRecordPlaintext = 16 * 1024;

// A socket BIO like BIO_s_socket but sending with MSG_NOSIGNAL: OpenSSL's own socket BIO
// uses write(2), which raises SIGPIPE (and kills the server) on a connection the peer reset.
// Once `hold_always` is set (TlsStream::hold_writes) it holds back every write: the records
// wait in `out` and leave in one send() when flushed, instead of one send() per record, and
// a write to it never fails nor stops half-way, so every SSL_write completes whole at once.
// Whatever is written while earlier records still wait joins them, so the byte order holds.
// BIO data: a SocketBio owned by the stream's State. The BIO never closes the descriptor.
struct SocketBio {
  int fd = -1;
  bool hold_always = false;
  std::vector<char> out;  // records held back, not yet sent from `sent` on
  std::size_t sent = 0;
};

inline SocketBio& bio_data(BIO* b) { return *static_cast<SocketBio*>(BIO_get_data(b)); }
inline int bio_fd(BIO* b) { return bio_data(b).fd; }

inline int bio_write_ex(BIO* b, const char* data, std::size_t size, std::size_t* written) {
  BIO_clear_retry_flags(b);
  SocketBio& d = bio_data(b);
  if (d.hold_always) {  // the only way bytes are ever held: `out` is empty otherwise
    d.out.insert(d.out.end(), data, data + size);
    *written = size;
    return 1;
  }
  ssize_t n;
  do {
    tls_io_counters().send_calls.fetch_add(1, std::memory_order_relaxed);
    n = ::send(d.fd, data, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(b);
    return 0;
  }
  *written = static_cast<std::size_t>(n);
  return 1;
}

// Sends what the BIO holds back (what comes next is held back again in hold_always mode).
// SSL_ERROR_NONE once all of it is
// sent (the buffer is then freed: an idle connection keeps none), SSL_ERROR_WANT_WRITE
// when the socket is full (call again once writable), SSL_ERROR_SYSCALL with errno set on
// a socket error.
inline int bio_flush_held(BIO* b) {
  SocketBio& d = bio_data(b);
  while (d.sent < d.out.size()) {
    tls_io_counters().send_calls.fetch_add(1, std::memory_order_relaxed);
    const ssize_t n = ::send(d.fd, d.out.data() + d.sent, d.out.size() - d.sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? SSL_ERROR_WANT_WRITE : SSL_ERROR_SYSCALL;
    }
    d.sent += static_cast<std::size_t>(n);
  }
  d.out = {};
  d.sent = 0;
  return SSL_ERROR_NONE;
}

inline int bio_read_ex(BIO* b, char* data, std::size_t size, std::size_t* read) {
  BIO_clear_retry_flags(b);
  ssize_t n;
  do {
    tls_io_counters().recv_calls.fetch_add(1, std::memory_order_relaxed);
    n = ::recv(bio_fd(b), data, size, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(b);
    return 0;
  }
  if (n == 0) {
    BIO_set_flags(b, BIO_FLAGS_IN_EOF);  // lets OpenSSL tell a truncation from an error
    return 0;
  }
  *read = static_cast<std::size_t>(n);
  return 1;
}

inline long bio_ctrl(BIO* b, int cmd, long, void* ptr) {
  switch (cmd) {
    case BIO_CTRL_FLUSH:  // held-back records leave with TlsStream::async_flush
    case BIO_CTRL_DUP:
      return 1;
    case BIO_CTRL_EOF:
      return BIO_test_flags(b, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
    case BIO_C_GET_FD:  // SSL_get_fd()
      if (ptr != nullptr) *static_cast<int*>(ptr) = bio_fd(b);
      return bio_fd(b);
    default:
      return 0;
  }
}

inline const BIO_METHOD* socket_bio_method() {
  // Created once, kept for the process's life (OpenSSL holds no per-process state for it).
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                 "hippocrate socket");
    if (m == nullptr || BIO_meth_set_write_ex(m, &bio_write_ex) != 1 ||
        BIO_meth_set_read_ex(m, &bio_read_ex) != 1 || BIO_meth_set_ctrl(m, &bio_ctrl) != 1) {
      throw std::bad_alloc();
    }
    return m;
  }();
  return method;
}

// The outcome of a failed SSL_* call, mapped like asio::ssl::stream does. `saved_errno` is
// errno right after the call.
inline error_code map_error(int ssl_error, int saved_errno) {
  switch (ssl_error) {
    case SSL_ERROR_ZERO_RETURN:
      return asio::error::eof;  // the peer's close_notify
    case SSL_ERROR_SYSCALL: {
      if (const unsigned long e = ERR_get_error(); e != 0) {
        return {static_cast<int>(e), asio::error::get_ssl_category()};
      }
      if (saved_errno != 0) return {saved_errno, boost::system::system_category()};
      return asio::ssl::error::stream_truncated;  // TCP end without close_notify
    }
    case SSL_ERROR_SSL: {
      const unsigned long e = ERR_get_error();
      if (ERR_GET_LIB(e) == ERR_LIB_SSL &&
          ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        return asio::ssl::error::stream_truncated;
      }
      return {static_cast<int>(e), asio::error::get_ssl_category()};
    }
    default:
      return asio::ssl::error::unexpected_result;
  }
}

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

// Everything a TlsStream owns. Shared with its operations and (weakly) with the timer's
// handler, so that neither can outlive it.
class State : public std::enable_shared_from_this<State> {
 public:
  State(asio::ip::tcp::socket s, SSL_CTX* ctx)
      : socket(std::move(s)), timer(socket.get_executor()), ssl(SSL_new(ctx)) {
    if (!ssl) throw std::bad_alloc();
    BIO* bio = BIO_new(socket_bio_method());
    if (bio == nullptr) throw std::bad_alloc();
    bio_data.fd = socket.native_handle();
    BIO_set_data(bio, &bio_data);
    BIO_set_init(bio, 1);
    SSL_set_bio(ssl.get(), bio, bio);  // the SSL owns the BIO
    SSL_set_mode(ssl.get(), SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                                SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // Read ahead: one recv() takes every record that has arrived (up to a record buffer),
    // not a header and then a body per record. The records it holds are returned by the
    // next SSL_read calls, which every read makes before it waits on the socket.
    SSL_set_read_ahead(ssl.get(), 1);
    SSL_set_accept_state(ssl.get());
    socket.non_blocking(true);
  }

  // Called when an operation is about to wait on the socket. False: the deadline has
  // already passed (the stream is now timed out).
  bool before_wait() {
    if (deadline <= Clock::now()) {
      time_out();
      return false;
    }
    arm_timer();
    ++waiting;
    return true;
  }

  void time_out() {
    timed_out = true;
    error_code ignored;
    socket.close(ignored);  // every waiting operation completes; SSL is never called again
  }

  asio::ip::tcp::socket socket;
  asio::steady_timer timer;
  SocketBio bio_data;  // before `ssl`, whose BIO points to it: destroyed after it
  std::unique_ptr<SSL, SslFree> ssl;
  Clock::time_point deadline = Clock::time_point::max();
  int waiting = 0;  // operations now waiting on the socket
  bool timed_out = false;

 private:
  void arm_timer() {
    if (deadline == Clock::time_point::max()) return;
    if (timer_armed_ && timer.expiry() <= deadline) return;  // it fires in time: re-checked then
    timer.expires_at(deadline);  // cancels an earlier wait, whose handler then does nothing
    timer_armed_ = true;
    const std::uint64_t generation = ++timer_generation_;
    timer.async_wait([weak = weak_from_this(), generation](const error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->on_timer(generation);
    });
  }

  void on_timer(std::uint64_t generation) {
    if (generation != timer_generation_) return;  // re-armed since
    timer_armed_ = false;
    if (waiting == 0 || !socket.is_open()) return;  // the next wait re-arms
    if (Clock::now() < deadline) {
      arm_timer();  // the deadline moved later meanwhile
      return;
    }
    time_out();
  }

  bool timer_armed_ = false;
  std::uint64_t timer_generation_ = 0;
};

// One TLS operation: try the SSL_* call; on WANT_READ / WANT_WRITE wait for that
// direction and try again. `Step` supplies the call (returns 1 when done) and the
// completion. A result known before any wait is posted, never delivered inline.
template <typename Step>
class Op {
 public:
  Op(std::shared_ptr<State> state, Step step) : state_(std::move(state)), step_(std::move(step)) {}

  template <typename Self>
  void operator()(Self& self, error_code ec = {}) {
    State& s = *state_;
    switch (phase_) {
      case Phase::posted:
        step_.complete(self, result_);
        return;
      case Phase::waiting:
        --s.waiting;
        phase_ = Phase::resumed;
        if (ec) {
          finish(self, s.timed_out ? error_code(boost::beast::error::timeout) : ec);
          return;
        }
        break;
      case Phase::start:
      case Phase::resumed:
        break;
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

struct ReadStep {
  static constexpr bool kAttemptGivesSslError = false;
  void* data = nullptr;
  std::size_t size = 0;
  std::size_t done = 0;
  int attempt(SSL* ssl) {
    if (size == 0) return 1;
    const int ret = SSL_read_ex(ssl, data, size, &done);
    // hold_always: what OpenSSL wrote on its own while reading (a KeyUpdate answer) is
    // sent now if the socket takes it, else with the next write's flush.
    BIO* bio = SSL_get_wbio(ssl);
    if (SocketBio& d = bio_data(bio); d.hold_always && d.sent < d.out.size()) {
      const int saved_errno = errno;
      (void)bio_flush_held(bio);
      errno = saved_errno;
    }
    return ret;
  }
  template <typename Self>
  void complete(Self& self, error_code ec) {
    self.complete(ec, ec ? 0 : done);
  }
};

// In hold_always mode the record is written into the BIO at once, then the write waits
// until everything held back (this record and what came before) has been sent: a write's
// completion still means its bytes left (Beast's own control frames rely on it).
struct WriteStep {
  static constexpr bool kAttemptGivesSslError = true;
  const void* data = nullptr;
  std::size_t size = 0;
  std::unique_ptr<char[]> gathered;  // a multi-buffer write, copied into one record
  std::size_t done = 0;
  bool written = false;  // hold_always: the record is in the BIO, only its sending remains
  int attempt(SSL* ssl) {
    if (!written) {
      if (size != 0) {
        tls_io_counters().ssl_writes.fetch_add(1, std::memory_order_relaxed);
        const int ret = SSL_write_ex(ssl, data, size, &done);
        if (ret != 1) return SSL_get_error(ssl, ret);
      }
      written = true;
    }
    BIO* bio = SSL_get_wbio(ssl);
    return bio_data(bio).hold_always ? bio_flush_held(bio) : SSL_ERROR_NONE;
  }
  template <typename Self>
  void complete(Self& self, error_code ec) {
    // The copy may hold a response with a session token: wiped before it is freed.
    if (gathered) OPENSSL_cleanse(gathered.get(), size);
    gathered.reset();
    self.complete(ec, ec ? 0 : done);
  }
};

// Sends the records held back (bio_flush_held).
struct FlushStep {
  static constexpr bool kAttemptGivesSslError = true;
  int attempt(SSL* ssl) { return bio_flush_held(SSL_get_wbio(ssl)); }
  template <typename Self>
  void complete(Self& self, error_code ec) {
    self.complete(ec);
  }
};

struct HandshakeStep {
  static constexpr bool kAttemptGivesSslError = false;
  int attempt(SSL* ssl) { return SSL_do_handshake(ssl); }
  template <typename Self>
  void complete(Self& self, error_code ec) {
    self.complete(ec);
  }
};

// In hold_always mode what is held back (then our close_notify) is sent before waiting for
// the peer's close_notify.
struct ShutdownStep {
  static constexpr bool kAttemptGivesSslError = true;
  int attempt(SSL* ssl) {
    BIO* bio = SSL_get_wbio(ssl);
    const bool held = bio_data(bio).hold_always;
    if (held) {
      if (const int f = bio_flush_held(bio); f != SSL_ERROR_NONE) return f;
    }
    int ret = SSL_shutdown(ssl);  // 0: our close_notify is out; now wait for the peer's
    if (ret == 0) {
      if (held) {
        if (const int f = bio_flush_held(bio); f != SSL_ERROR_NONE) return f;
      }
      clear_ssl_errors();
      ret = SSL_shutdown(ssl);
    }
    return ret == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl, ret);
  }
  template <typename Self>
  void complete(Self& self, error_code ec) {
    self.complete(ec);
  }
};

}  // namespace tls_detail

class TlsStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  using next_layer_type = boost::asio::ip::tcp::socket;
  using lowest_layer_type = boost::asio::ip::tcp::socket;

  // Takes an accepted socket; `ctx` is the server's shared SSL_CTX (SSL_new takes a
  // reference). Throws std::bad_alloc when OpenSSL cannot allocate.
  TlsStream(boost::asio::ip::tcp::socket socket, SSL_CTX* ctx)
      : state_(std::make_shared<tls_detail::State>(std::move(socket), ctx)) {}
  // Move-only; not while an operation is outstanding.
  TlsStream(TlsStream&&) noexcept = default;
  TlsStream& operator=(TlsStream&&) noexcept = default;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;
  ~TlsStream() = default;

  executor_type get_executor() noexcept { return state_->socket.get_executor(); }
  next_layer_type& next_layer() noexcept { return state_->socket; }
  const next_layer_type& next_layer() const noexcept { return state_->socket; }
  lowest_layer_type& lowest_layer() noexcept { return state_->socket; }
  SSL* native_handle() noexcept { return state_->ssl.get(); }

  // The deadline of the operations that wait from now on (see the header comment).
  void expires_after(std::chrono::steady_clock::duration d) {
    state_->deadline = std::chrono::steady_clock::now() + d;
  }
  void expires_at(std::chrono::steady_clock::time_point t) { state_->deadline = t; }
  void expires_never() { state_->deadline = std::chrono::steady_clock::time_point::max(); }

  // Reads into the first non-empty buffer. Signature: void(error_code, std::size_t).
  template <typename MutableBufferSequence, typename Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    tls_detail::ReadStep step;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      const boost::asio::mutable_buffer b(*it);
      if (b.size() != 0) {
        step.data = b.data();
        step.size = b.size();
        break;
      }
    }
    return start<void(boost::system::error_code, std::size_t)>(std::move(step),
                                                               std::forward<Token>(token));
  }

  // Writes at most one TLS record. Buffers shorter than a record (e.g. a WebSocket frame
  // header and its payload) are gathered into one record through a temporary.
  // Signature: void(error_code, std::size_t).
  template <typename ConstBufferSequence, typename Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    tls_detail::WriteStep step;
    const std::size_t record =
        std::min(boost::asio::buffer_size(buffers), tls_detail::kMaxRecordPlaintext);
    if (record != 0) {
      auto it = boost::asio::buffer_sequence_begin(buffers);
      while (boost::asio::const_buffer(*it).size() == 0) ++it;
      const boost::asio::const_buffer first(*it);
      if (first.size() >= record) {
        step.data = first.data();
        step.size = first.size();
      } else {
        step.gathered = std::make_unique_for_overwrite<char[]>(record);
        boost::asio::buffer_copy(boost::asio::buffer(step.gathered.get(), record), buffers);
        step.data = step.gathered.get();
        step.size = record;
      }
    }
    return start<void(boost::system::error_code, std::size_t)>(std::move(step),
                                                               std::forward<Token>(token));
  }

  // From now on every write is held back (SocketBio::hold_always) and leaves with a flush:
  // async_write_some flushes before it completes, write_held() does not. Used after a
  // WebSocket upgrade, so that the connection can write its frames itself, whole, beside
  // Beast's own control frames: no SSL_write can stop half-way, so the two can only
  // alternate record by record. Not for HTTP: a response would be held whole.
  void hold_writes() { state_->bio_data.hold_always = true; }
  // hold_writes() mode only: encrypts `size` bytes at once (TLS records of up to 16 KiB)
  // into what is held back; async_flush() sends them. False when the stream is closed or
  // OpenSSL fails (the connection is then unusable). The caller must flush before it waits
  // for anything the peer would send in answer, and flush often (what is held back waits).
  bool write_held(const void* data, std::size_t size) {
    tls_detail::State& s = *state_;
    if (!s.bio_data.hold_always || !s.socket.is_open()) return false;
    // SSL_MODE_ENABLE_PARTIAL_WRITE: each call may stop after a record; the BIO never
    // refuses, so each call takes at least one.
    const char* at = static_cast<const char*>(data);
    while (size > 0) {
      tls_detail::clear_ssl_errors();
      std::size_t written = 0;
      tls_io_counters().ssl_writes.fetch_add(1, std::memory_order_relaxed);
      const int ret = SSL_write_ex(s.ssl.get(), at, size, &written);
      tls_detail::clear_ssl_errors();
      if (ret != 1 || written == 0 || written > size) return false;
      at += written;
      size -= written;
    }
    return true;
  }
  // Sends everything held back, in as few send() calls as the socket takes; completes once
  // it has all left. Signature: void(error_code).
  template <typename Token>
  auto async_flush(Token&& token) {
    return start<void(boost::system::error_code)>(tls_detail::FlushStep{},
                                                  std::forward<Token>(token));
  }

  // The server side of the handshake. Signature: void(error_code).
  template <typename Token>
  auto async_handshake(Token&& token) {
    return start<void(boost::system::error_code)>(tls_detail::HandshakeStep{},
                                                  std::forward<Token>(token));
  }

  // Sends close_notify, then waits for the peer's (bound it with expires_after).
  // Signature: void(error_code).
  template <typename Token>
  auto async_shutdown(Token&& token) {
    return start<void(boost::system::error_code)>(tls_detail::ShutdownStep{},
                                                  std::forward<Token>(token));
  }

 private:
  template <typename Signature, typename Step, typename Token>
  auto start(Step step, Token&& token) {
    return boost::asio::async_compose<Token, Signature>(
        tls_detail::Op<Step>(state_, std::move(step)), token, state_->socket);
  }

  std::shared_ptr<tls_detail::State> state_;
};

// Beast's WebSocket closing handshake on a TlsStream (found by ADL): close_notify both
// ways, then the TCP teardown of Beast's own tcp::socket overload. Same pattern as
// boost/beast/websocket/ssl.hpp for asio::ssl::stream.
namespace tls_detail {

class TeardownOp : public asio::coroutine {
 public:
  TeardownOp(TlsStream& stream, boost::beast::role_type role) : stream_(stream), role_(role) {}

  template <typename Self>
  void operator()(Self& self, error_code ec = {}, std::size_t = 0) {
    BOOST_ASIO_CORO_REENTER(*this) {
      BOOST_ASIO_CORO_YIELD stream_.async_shutdown(std::move(self));
      ec_ = ec;
      BOOST_ASIO_CORO_YIELD {
        using boost::beast::websocket::async_teardown;
        async_teardown(role_, stream_.next_layer(), std::move(self));
      }
      if (!ec_) ec_ = ec;
      self.complete(ec_);
    }
  }

 private:
  TlsStream& stream_;
  boost::beast::role_type role_;
  error_code ec_;
};

}  // namespace tls_detail

template <typename TeardownHandler>
void async_teardown(boost::beast::role_type role, TlsStream& stream, TeardownHandler&& handler) {
  boost::asio::async_compose<TeardownHandler, void(boost::system::error_code)>(
      tls_detail::TeardownOp(stream, role), handler, stream.next_layer());
}

// The synchronous variant (Beast's blocking WebSocket calls, unused by the server): one
// non-blocking attempt at close_notify, then the socket is closed.
inline void teardown(boost::beast::role_type, TlsStream& stream, boost::system::error_code& ec) {
  ec = {};
  auto& socket = stream.next_layer();
  if (socket.is_open()) {
    tls_detail::clear_ssl_errors();
    SSL_shutdown(stream.native_handle());
    tls_detail::clear_ssl_errors();
  }
  socket.close(ec);
}

}  // namespace hippocrate::server::core
