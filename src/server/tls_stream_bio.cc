// The socket BIO of TlsStream (tls_stream_bio.h): send(2) with MSG_NOSIGNAL or held back,
// recv(2), and the few controls OpenSSL asks of a socket BIO.
#include "server/tls_stream_bio.h"

#include <openssl/ssl.h>  // SSL_ERROR_*
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <new>

#include "server/tls_io_counters.h"

namespace hippocrate::server::core::tls_detail {
namespace {

int bio_fd(BIO* b) { return bio_data(b).fd; }

int bio_write_ex(BIO* b, const char* data, std::size_t size, std::size_t* written) {
  BIO_clear_retry_flags(b);
  SocketBio& d = bio_data(b);
  if (d.hold_always) {  // the only way bytes are ever held: `out` is empty otherwise
    d.out.insert(d.out.end(), data, data + size);
    *written = size;
    return 1;
  }
  ssize_t n = 0;
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

int bio_read_ex(BIO* b, char* data, std::size_t size, std::size_t* read) {
  BIO_clear_retry_flags(b);
  ssize_t n = 0;
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

long bio_ctrl(BIO* b, int cmd, long, void* ptr) {
  switch (cmd) {
    case BIO_CTRL_FLUSH:  // held-back records leave with TlsStream::async_flush
    case BIO_CTRL_DUP: return 1;
    case BIO_CTRL_EOF: return BIO_test_flags(b, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
    case BIO_C_GET_FD:  // SSL_get_fd()
      if (ptr != nullptr) *static_cast<int*>(ptr) = bio_fd(b);
      return bio_fd(b);
    default: return 0;
  }
}

}  // namespace

int bio_flush_held(BIO* b) {
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

const BIO_METHOD* socket_bio_method() {
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

}  // namespace hippocrate::server::core::tls_detail
