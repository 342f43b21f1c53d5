// The state of one pairwise session (Double Ratchet §3.2 state variables, plus what this
// protocol adds: who the peer is, the X3DH associated data, skipped-key bookkeeping and the
// prekey fields repeated until the peer answers).
//
// Contract: a Session is a value (see keys.h). Copying is cheap and shares the immutable
// secrets; ratchet.h functions return a new Session and never modify their input, so a
// failed decrypt leaves the caller's session exactly as it was. Skipped message keys live in
// ONE SecretBytes (`skipped_keys`, 32 bytes per entry of `skipped`, same order, oldest first)
// so a session with many skipped keys costs one locked allocation, not thousands.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "e2ee/envelope.h"
#include "e2ee/keys.h"

namespace hippocrate::e2ee {

constexpr std::uint32_t kMaxSkip = 1000;             // DR §3.5 MAX_SKIP, per chain
constexpr std::size_t kMaxStoredSkippedKeys = 2000;  // per session; the oldest is evicted
constexpr std::uint64_t kSkippedKeyMaxAgeSeconds = 30 * 24 * 3600;
constexpr std::size_t kMaxPreviousReceivingKeys = 8;

struct SkippedKey {
  PublicKey dh{};               // the ratchet key of its chain
  std::uint32_t n = 0;          // its message number
  std::uint64_t stored_at = 0;  // Unix seconds
  bool operator==(const SkippedKey&) const = default;
};

struct Session {
  // Who: the peer device and the identity keys the session was made with.
  std::string peer_account_id;
  std::string peer_device_id;
  PublicKey peer_signing_key{};
  PublicKey peer_dh_key{};
  Bytes associated_data;  // X3DH AD (§3), 192 bytes
  PublicKey base_key{};   // EK_A of the X3DH run that created the session

  // Double Ratchet §3.2.
  SharedSecret root_key;                       // RK
  DhKeyPair sending_ratchet;                   // DHs
  std::optional<PublicKey> receiving_ratchet;  // DHr
  SharedSecret sending_chain;                  // CKs (null: none yet)
  SharedSecret receiving_chain;                // CKr (null: none yet)
  std::uint32_t ns = 0;
  std::uint32_t nr = 0;
  std::uint32_t pn = 0;
  std::vector<SkippedKey> skipped;            // MKSKIPPED index, oldest first
  SharedSecret skipped_keys;                  // 32 × skipped.size() bytes (null when none)
  std::vector<PublicKey> previous_receiving;  // replaced DHr values, newest last (replays)

  // Set on the initiator until the first message from the peer decrypts (§4).
  std::optional<PrekeyFields> pending_prekey;

  // The message key of skipped entry i (a view into skipped_keys).
  std::span<const std::uint8_t> skipped_key(std::size_t i) const {
    return skipped_keys->span().subspan(i * kKeyBytes, kKeyBytes);
  }
};

}  // namespace hippocrate::e2ee
