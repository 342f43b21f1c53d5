// Internal to TlsStream (tls_stream.h): the step of each of its operations — the SSL_* call
// an Op tries (tls_stream_op.h), again after each wait, and how the operation completes.
// Included only by the tls_stream*.{h,cc} files.
//
// A Step has:
// - `int attempt(SSL*)`: makes the call once (tls_stream_steps.cc). When
//   kAttemptGivesSslError, it returns SSL_get_error()'s classification (SSL_ERROR_NONE:
//   done); otherwise the call's own result (1: done), which the Op classifies.
// - `template <typename Self> void complete(Self&, error_code)`: completes the composed
//   operation with its signature's values.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <memory>

namespace hippocrate::server::core::tls_detail {

using boost::system::error_code;

// Empties this thread's OpenSSL error queue, which must be empty before an SSL_ call whose
// failure SSL_get_error() will classify (SSL_get_error(3)), and is left empty after one.
// Peeking first: the queue is nearly always empty already, and ERR_clear_error() clears
// all of its slots each time (about 3% of the network thread at saturation, twice per
// read and per write).
inline void clear_ssl_errors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

// TLS records carry at most 16 KiB of plaintext (RFC 8446 §5.1).
constexpr std::size_t kMaxRecordPlaintext = 16 * 1024;

// Reads into `data`. In hold_always mode, what OpenSSL wrote on its own while reading (a
// KeyUpdate answer) is sent at once if the socket takes it, else with the next write's flush.
struct ReadStep {
  static constexpr bool kAttemptGivesSslError = false;
  void* data = nullptr;
  std::size_t size = 0;
  std::size_t done = 0;
  int attempt(SSL* ssl);
  template <typename Self>
  void complete(Self& self, error_code ec) {
    self.complete(ec, ec ? 0 : done);
  }
};

// Writes one record. In hold_always mode the record is written into the BIO at once, then
// the write waits until everything held back (this record and what came before) has been
// sent: a write's completion still means its bytes left (Beast's own control frames rely on
// it).
struct WriteStep {
  static constexpr bool kAttemptGivesSslError = true;
  const void* data = nullptr;
  std::size_t size = 0;
  std::unique_ptr<char[]> gathered;  // a multi-buffer write, copied into one record
  std::size_t done = 0;
  bool written = false;  // hold_always: the record is in the BIO, only its sending remains
  int attempt(SSL* ssl);
  // Wipes and frees `gathered`: the copy may hold a response with a session token.
  void release_gathered();
  template <typename Self>
  void complete(Self& self, error_code ec) {
    release_gathered();
    self.complete(ec, ec ? 0 : done);
  }
};

// The completion of the steps whose operation's signature is void(error_code).
struct CompletesWithError {
  template <typename Self>
  void complete(Self& self, error_code ec) {
    self.complete(ec);
  }
};

// Sends the records held back (bio_flush_held).
struct FlushStep : CompletesWithError {
  static constexpr bool kAttemptGivesSslError = true;
  int attempt(SSL* ssl);
};

struct HandshakeStep : CompletesWithError {
  static constexpr bool kAttemptGivesSslError = false;
  int attempt(SSL* ssl);
};

// Sends close_notify, then waits for the peer's. In hold_always mode what is held back
// (then our close_notify) is sent before waiting for the peer's close_notify.
struct ShutdownStep : CompletesWithError {
  static constexpr bool kAttemptGivesSslError = true;
  int attempt(SSL* ssl);
};

}  // namespace hippocrate::server::core::tls_detail
