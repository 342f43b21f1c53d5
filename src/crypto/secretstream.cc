#include "crypto/secretstream.h"

#include <sodium.h>

#include "base/sodium_init.h"

namespace hippocrate::crypto {
namespace {

using State = crypto_secretstream_xchacha20poly1305_state;

static_assert(kSecretStreamKeyBytes == crypto_secretstream_xchacha20poly1305_KEYBYTES);
static_assert(kSecretStreamHeaderBytes == crypto_secretstream_xchacha20poly1305_HEADERBYTES);
static_assert(kSecretStreamOverheadBytes == crypto_secretstream_xchacha20poly1305_ABYTES);
// The state is kept in SecretBytes, which promise no alignment (sodium_malloc places a
// large secret against its guard page); it must need none.
static_assert(alignof(State) == 1);

State* state_of(SecretBytes& bytes) { return reinterpret_cast<State*>(bytes.data()); }

Status check_key(const SecretBytes& key) {
  if (key.size() != kSecretStreamKeyBytes) {
    return Error::invalid_argument("invalid_key_length", "secretstream keys are 32 bytes");
  }
  return ok_status();
}

Error stream_failed() {
  return Error::failed_precondition("stream_failed",
                                    "the stream failed earlier or was moved from; it is unusable");
}

}  // namespace

Result<SecretStreamPush> SecretStreamPush::create(const SecretBytes& key) {
  HIPPO_RETURN_IF_ERROR(check_key(key));
  ensure_sodium_initialized();
  SecretStreamPush push;
  push.state_ = SecretBytes(sizeof(State));
  // Draws a random header (the XChaCha20 nonce) and derives the stream's subkey from it.
  if (crypto_secretstream_xchacha20poly1305_init_push(state_of(push.state_), push.header_.data(),
                                                      key.data()) != 0) {
    return Error::internal("encryption_failed", "could not start the stream");
  }
  return push;
}

Result<Bytes> SecretStreamPush::push(std::span<const std::uint8_t> chunk, bool final,
                                     std::span<const std::uint8_t> ad) {
  if (finished_) {
    return Error::failed_precondition("stream_finished", "the final chunk was already pushed");
  }
  if (state_.empty()) return stream_failed();  // moved from
  if (chunk.size() > crypto_secretstream_xchacha20poly1305_MESSAGEBYTES_MAX) {
    return Error::invalid_argument("message_too_large", "the chunk is too large");
  }
  const unsigned char tag = final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                  : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
  Bytes out(chunk.size() + kSecretStreamOverheadBytes);
  unsigned long long written = 0;
  if (crypto_secretstream_xchacha20poly1305_push(state_of(state_), out.data(), &written,
                                                 chunk.data(), chunk.size(), ad.data(), ad.size(),
                                                 tag) != 0) {
    return Error::internal("encryption_failed", "could not encrypt the chunk");
  }
  if (final) {
    finished_ = true;
    state_.wipe();  // the key is no longer needed
  }
  return out;
}

Result<SecretStreamPull> SecretStreamPull::create(const SecretBytes& key,
                                                  std::span<const std::uint8_t> header) {
  HIPPO_RETURN_IF_ERROR(check_key(key));
  if (header.size() != kSecretStreamHeaderBytes) {
    return Error::invalid_argument("invalid_header", "the stream header must be 24 bytes");
  }
  ensure_sodium_initialized();
  SecretStreamPull pull;
  pull.state_ = SecretBytes(sizeof(State));
  if (crypto_secretstream_xchacha20poly1305_init_pull(state_of(pull.state_), header.data(),
                                                      key.data()) != 0) {
    return Error::invalid_argument("invalid_header", "the stream header is invalid");
  }
  return pull;
}

Result<SecretStreamPull::Chunk> SecretStreamPull::pull(std::span<const std::uint8_t> ciphertext,
                                                       std::span<const std::uint8_t> ad) {
  if (failed_) return stream_failed();
  if (finished_) {
    failed_ = true;
    return Error::invalid_argument("trailing_data", "data follows the final chunk of the stream");
  }
  if (state_.empty()) return stream_failed();  // moved from
  if (ciphertext.size() < kSecretStreamOverheadBytes) {
    failed_ = true;
    state_.wipe();
    return Error::invalid_argument("decryption_failed", "the chunk is too short");
  }
  Chunk chunk;
  chunk.plaintext.resize(ciphertext.size() - kSecretStreamOverheadBytes);
  unsigned long long written = 0;
  unsigned char tag = 0;
  // Verifies the MAC over (ad, tag, ciphertext) under this position's nonce before
  // decrypting; on failure nothing is returned and the state does not advance.
  if (crypto_secretstream_xchacha20poly1305_pull(state_of(state_), chunk.plaintext.data(), &written,
                                                 &tag, ciphertext.data(), ciphertext.size(),
                                                 ad.data(), ad.size()) != 0) {
    failed_ = true;
    state_.wipe();
    return Error::invalid_argument("decryption_failed",
                                   "the chunk could not be authenticated and was not decrypted");
  }
  chunk.final = (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL);
  if (chunk.final) {
    finished_ = true;
    state_.wipe();
  }
  return chunk;
}

Status SecretStreamPull::finish() const {
  if (failed_) return stream_failed();
  if (!finished_) {
    return Error::invalid_argument("truncated_stream", "the stream ended before its final chunk");
  }
  return ok_status();
}

}  // namespace hippocrate::crypto
