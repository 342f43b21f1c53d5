// Chunked authenticated encryption of long inputs (documents), with libsodium's
// crypto_secretstream_xchacha20poly1305 (https://doc.libsodium.org/secret-key_cryptography/
// secretstream; XChaCha20 per draft-irtf-cfrg-xchacha-03, Poly1305 per RFC 8439 §2.5).
//
// The sender creates a SecretStreamPush, sends header() first, then push()es each chunk,
// marking the last one `final`. The receiver creates a SecretStreamPull from the same key and
// the header, pull()s the chunks in order, and calls finish() when its input ends.
// Every chunk is authenticated together with its position: a reordered, dropped, duplicated
// or modified chunk fails with "decryption_failed"; an input that ends before the final
// chunk fails finish() with "truncated_stream"; bytes after the final chunk fail with
// "trailing_data". Plaintext is only returned for chunks that authenticated.
//
// Contract: objects are move-only, single-owner (not thread-safe). The stream state holds the
// key and lives in SecretBytes. After any pull error the puller is poisoned: every later call
// fails with "stream_failed" (kFailedPrecondition), so a caller cannot skip a bad chunk.
// Input errors are kInvalidArgument; misuse (push after final) is kFailedPrecondition.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/encoding.h"
#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::crypto {

constexpr std::size_t kSecretStreamKeyBytes = 32;
constexpr std::size_t kSecretStreamHeaderBytes = 24;
// Bytes added to each chunk: 1 encrypted tag byte + 16-byte Poly1305 MAC.
constexpr std::size_t kSecretStreamOverheadBytes = 17;

class SecretStreamPush {
 public:
  // Starts a stream under `key` (32 bytes, else "invalid_key_length") with a fresh header.
  static Result<SecretStreamPush> create(const SecretBytes& key);

  // To be sent (or stored) before the first chunk. Not secret.
  std::span<const std::uint8_t> header() const { return header_; }

  // Encrypts one chunk (chunk.size() + 17 bytes out). `final` marks the end of the stream;
  // pushing after it fails with "stream_finished".
  Result<Bytes> push(std::span<const std::uint8_t> chunk, bool final,
                     std::span<const std::uint8_t> ad = {});

  bool finished() const { return finished_; }

 private:
  SecretStreamPush() = default;
  SecretBytes state_;
  std::array<std::uint8_t, kSecretStreamHeaderBytes> header_{};
  bool finished_ = false;
};

class SecretStreamPull {
 public:
  struct Chunk {
    Bytes plaintext;
    bool final = false;  // this was the last chunk of the stream
  };

  // Errors: "invalid_key_length", "invalid_header" (not 24 bytes).
  static Result<SecretStreamPull> create(const SecretBytes& key,
                                         std::span<const std::uint8_t> header);

  // Authenticates and decrypts the next chunk (as produced by one push()).
  Result<Chunk> pull(std::span<const std::uint8_t> ciphertext,
                     std::span<const std::uint8_t> ad = {});

  // True once the final chunk has been pulled.
  bool finished() const { return finished_; }

  // Call at the end of the input: "truncated_stream" unless the final chunk was pulled,
  // "stream_failed" if a pull failed.
  Status finish() const;

 private:
  SecretStreamPull() = default;
  SecretBytes state_;
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace hippocrate::crypto
