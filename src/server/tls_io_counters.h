// Process-wide counts of the system calls the server's TLS streams make (TlsStream,
// counted in tls_stream_bio.cc, tls_stream_steps.cc and tls_stream.cc),
// for tests and diagnosis: how many send() and recv() calls the traffic took. Relaxed
// atomics; reading them never blocks the network threads.
#pragma once

#include <atomic>
#include <cstdint>

namespace hippocrate::server {

struct TlsIoCounters {
  std::atomic<std::uint64_t> send_calls{0};  // send(): records, possibly held back and joined
  std::atomic<std::uint64_t> recv_calls{0};  // recv(), including those that found nothing
  std::atomic<std::uint64_t> ssl_writes{0};  // SSL_write calls (each one or more records)
};

inline TlsIoCounters& tls_io_counters() {
  static TlsIoCounters counters;
  return counters;
}

}  // namespace hippocrate::server
