// The SSL_* call of each TlsStream operation (tls_stream_steps.h).
#include "server/tls_stream_steps.h"

#include <openssl/crypto.h>

#include <atomic>
#include <cerrno>

#include "server/tls_io_counters.h"
#include "server/tls_stream_bio.h"

namespace hippocrate::server::core::tls_detail {

int ReadStep::attempt(SSL* ssl) {
  if (size == 0) return 1;
  const int ret = SSL_read_ex(ssl, data, size, &done);
  // hold_always: what OpenSSL wrote on its own while reading is sent now if it can be.
  BIO* bio = SSL_get_wbio(ssl);
  if (SocketBio& d = bio_data(bio); d.hold_always && d.sent < d.out.size()) {
    const int saved_errno = errno;
    (void)bio_flush_held(bio);
    errno = saved_errno;
  }
  return ret;
}

int WriteStep::attempt(SSL* ssl) {
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

void WriteStep::release_gathered() {
  if (gathered) OPENSSL_cleanse(gathered.get(), size);
  gathered.reset();
}

int FlushStep::attempt(SSL* ssl) { return bio_flush_held(SSL_get_wbio(ssl)); }

int HandshakeStep::attempt(SSL* ssl) { return SSL_do_handshake(ssl); }

int ShutdownStep::attempt(SSL* ssl) {
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

}  // namespace hippocrate::server::core::tls_detail
