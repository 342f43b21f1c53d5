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
// - connection.cc is its one user: the operations are templates over asio's completion
//   tokens, instantiated there. What is not a template is compiled once: tls_stream.cc (the
//   stream's State, its errors, teardown), tls_stream_steps.cc (each operation's SSL_*
//   call), tls_stream_bio.cc (the socket BIO); tls_stream_op.h, tls_stream_steps.h and
//   tls_stream_bio.h are internal to these files.
#pragma once

#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/coroutine.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <utility>

#include "server/tls_stream_op.h"

namespace hippocrate::server::core {

class TlsStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  using next_layer_type = boost::asio::ip::tcp::socket;
  using lowest_layer_type = boost::asio::ip::tcp::socket;

  // Takes an accepted socket; `ctx` is the server's shared SSL_CTX (SSL_new takes a
  // reference). Throws std::bad_alloc when OpenSSL cannot allocate.
  TlsStream(boost::asio::ip::tcp::socket socket, SSL_CTX* ctx);
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
    return start<void(boost::system::error_code, std::size_t)>(step, std::forward<Token>(token));
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
  bool write_held(const void* data, std::size_t size);
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
    // Each step resumes in a new call, with the `self` the previous step handed on: the
    // moves below never meet a moved-from `self` (clang-tidy sees one function body).
    BOOST_ASIO_CORO_REENTER(*this) {
      BOOST_ASIO_CORO_YIELD stream_.async_shutdown(
          std::move(self));  // NOLINT(bugprone-use-after-move)
      ec_ = ec;
      BOOST_ASIO_CORO_YIELD {
        using boost::beast::websocket::async_teardown;
        // NOLINTNEXTLINE(bugprone-use-after-move)
        async_teardown(role_, stream_.next_layer(), std::move(self));
      }
      if (!ec_) ec_ = ec;
      self.complete(ec_);  // NOLINT(bugprone-use-after-move)
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
void teardown(boost::beast::role_type role, TlsStream& stream, boost::system::error_code& ec);

}  // namespace hippocrate::server::core
