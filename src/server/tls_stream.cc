// TlsStream's compiled part (tls_stream.h): its State (the SSL on the socket, the deadline
// timer), the mapping of OpenSSL's failures to asio's error codes, the held-back writes and
// the synchronous teardown.
#include "server/tls_stream.h"

#include <openssl/err.h>

#include <boost/asio/ssl/error.hpp>
#include <new>

#include "server/tls_io_counters.h"

namespace hippocrate::server::core {
namespace tls_detail {

State::State(asio::ip::tcp::socket s, SSL_CTX* ctx)
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

bool State::before_wait() {
  if (deadline <= Clock::now()) {
    time_out();
    return false;
  }
  arm_timer();
  ++waiting;
  return true;
}

void State::time_out() {
  timed_out = true;
  error_code ignored;
  socket.close(ignored);  // every waiting operation completes; SSL is never called again
}

void State::arm_timer() {
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

void State::on_timer(std::uint64_t generation) {
  if (generation != timer_generation_) return;  // re-armed since
  timer_armed_ = false;
  if (waiting == 0 || !socket.is_open()) return;  // the next wait re-arms
  if (Clock::now() < deadline) {
    arm_timer();  // the deadline moved later meanwhile
    return;
  }
  time_out();
}

error_code map_error(int ssl_error, int saved_errno) {
  switch (ssl_error) {
    case SSL_ERROR_ZERO_RETURN: return asio::error::eof;  // the peer's close_notify
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
    default: return asio::ssl::error::unexpected_result;
  }
}

}  // namespace tls_detail

TlsStream::TlsStream(boost::asio::ip::tcp::socket socket, SSL_CTX* ctx)
    : state_(std::make_shared<tls_detail::State>(std::move(socket), ctx)) {}

bool TlsStream::write_held(const void* data, std::size_t size) {
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

void teardown(boost::beast::role_type, TlsStream& stream, boost::system::error_code& ec) {
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
