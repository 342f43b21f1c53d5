// Internal to TlsStream (tls_stream.h): the BIO through which OpenSSL reads and writes the
// connection's socket itself. Included only by the tls_stream*.{h,cc} files.
//
// A socket BIO like BIO_s_socket but sending with MSG_NOSIGNAL: OpenSSL's own socket BIO
// uses write(2), which raises SIGPIPE (and kills the server) on a connection the peer reset.
// Once `hold_always` is set (TlsStream::hold_writes) it holds back every write: the records
// wait in `out` and leave in one send() when flushed, instead of one send() per record, and
// a write to it never fails nor stops half-way, so every SSL_write completes whole at once.
// Whatever is written while earlier records still wait joins them, so the byte order holds.
// The BIO never closes the descriptor. Its calls are counted in tls_io_counters().
#pragma once

#include <openssl/bio.h>

#include <cstddef>
#include <vector>

namespace hippocrate::server::core::tls_detail {

// BIO data: a SocketBio owned by the stream's State.
struct SocketBio {
  int fd = -1;
  bool hold_always = false;
  std::vector<char> out;  // records held back, not yet sent from `sent` on
  std::size_t sent = 0;
};

inline SocketBio& bio_data(BIO* b) { return *static_cast<SocketBio*>(BIO_get_data(b)); }

// The method of these BIOs, created once and kept for the process's life (OpenSSL holds no
// per-process state for it). Throws std::bad_alloc when OpenSSL cannot create it.
const BIO_METHOD* socket_bio_method();

// Sends what the BIO holds back (what comes next is held back again in hold_always mode).
// SSL_ERROR_NONE once all of it is sent (the buffer is then freed: an idle connection keeps
// none), SSL_ERROR_WANT_WRITE when the socket is full (call again once writable),
// SSL_ERROR_SYSCALL with errno set on a socket error.
int bio_flush_held(BIO* b);

}  // namespace hippocrate::server::core::tls_detail
