// ConnectionsPerSource: a cap on the connections one source holds open at once.
//
// One host must not be able to take every descriptor (or the memory of every idle
// connection) of the server: the acceptor asks for a slot before it does anything with an
// accepted socket, and closes the socket at once when the source already holds
// `server.max_connections_per_address` (no TLS handshake, no answer: docs/security.md).
// A source is an IPv4 address, or an IPv6 address's /64 prefix (one subscriber's network:
// a host on it can use as many addresses as it likes); see source_key().
//
// Thread-safe: slots are taken on the control thread and released (Slot's destructor) on
// whichever worker thread ends the connection.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/mutex.h"

namespace hippocrate::server {

class ConnectionsPerSource {
 public:
  // Held by a connection for its life; gives its place back when destroyed.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept : owner_(other.owner_), key_(std::move(other.key_)) {
      other.owner_ = nullptr;
    }
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    ~Slot();
    explicit operator bool() const { return owner_ != nullptr; }

   private:
    friend class ConnectionsPerSource;
    Slot(ConnectionsPerSource* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
    ConnectionsPerSource* owner_ = nullptr;
    std::string key_;
  };

  explicit ConnectionsPerSource(std::size_t max_per_source) : max_(max_per_source) {}

  // A slot for one more connection from `source` (a source_key()), or an empty Slot when the
  // source already holds the maximum. Must outlive every slot it gave.
  Slot acquire(std::string_view source) EXCLUDES(mutex_);
  // How many connections `source` holds now.
  std::size_t count(std::string_view source) const EXCLUDES(mutex_);

 private:
  void release(const std::string& key) EXCLUDES(mutex_);

  const std::size_t max_;
  mutable Mutex mutex_;
  std::unordered_map<std::string, std::size_t> counts_ GUARDED_BY(mutex_);  // no zero entries
};

// The source a connection is counted against: an IPv4 address as is ("192.0.2.7"), an IPv6
// address as its /64 ("2001:db8:1:2::/64", from the 16 bytes of the address).
std::string source_key_v4(std::string_view dotted);
std::string source_key_v6(const unsigned char (&bytes)[16]);

}  // namespace hippocrate::server
