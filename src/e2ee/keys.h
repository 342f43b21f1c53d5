// Key types shared by the e2ee component.
//
// Protocol state is a value (docs/protocol.md §4: "transitions are values"): a session or a
// keystore is copied, the copy advanced, and the caller keeps whichever it wants. Secrets are
// therefore held as SharedSecret, an immutable SecretBytes shared between the copies: copying
// a state costs no secret allocation, and a key is wiped (SecretBytes' destructor) when the
// last state referring to it is destroyed. A transition never modifies a SecretBytes in
// place; it replaces the pointer in its own copy.
//
// KeySource is the one injection point for randomness that reaches the wire (X3DH ephemeral
// keys, ratchet keys): production uses system_key_source(); the vector tests replay the
// keys listed in tests/vectors/e2ee/.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "base/secret_bytes.h"
#include "crypto/ed25519.h"
#include "crypto/x25519.h"

namespace hippocrate::e2ee {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kSignatureBytes = 64;

using PublicKey = std::array<std::uint8_t, kKeyBytes>;
using Signature = std::array<std::uint8_t, kSignatureBytes>;
using SharedSecret = std::shared_ptr<const SecretBytes>;

inline SharedSecret share(SecretBytes secret) {
  return std::make_shared<const SecretBytes>(std::move(secret));
}

// An X25519 key pair whose private half is shared between state copies.
struct DhKeyPair {
  SharedSecret private_key;  // 32 bytes
  PublicKey public_key{};
};

inline DhKeyPair to_dh_pair(crypto::X25519KeyPair pair) {
  return {share(std::move(pair.private_key)), pair.public_key};
}

class KeySource {
 public:
  virtual ~KeySource() = default;
  // A fresh X25519 key pair.
  virtual crypto::X25519KeyPair generate_x25519() = 0;
};

// libsodium's CSPRNG (crypto::x25519_generate). Thread-safe.
KeySource& system_key_source();

}  // namespace hippocrate::e2ee
