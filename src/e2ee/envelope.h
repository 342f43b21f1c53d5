// The envelope: the bytes one device sends to one other device (docs/protocol.md §5).
// A prekey message carries the X3DH initial fields; every envelope carries the Double
// Ratchet header (DR §3.2) and the AEAD ciphertext.
//
// Contract: decode_envelope is strict (e2ee_malformed for any structural error,
// e2ee_unknown_version for another version byte, e2ee_too_large above kMaxEnvelopeBytes) and
// canonical: encode_envelope(decode_envelope(b)) == b, so the AD prefix can be re-encoded.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "base/encoding.h"
#include "base/result.h"
#include "e2ee/keys.h"

namespace hippocrate::e2ee {

constexpr std::uint8_t kEnvelopeVersion = 0x01;
constexpr std::size_t kAeadOverheadBytes = 16;
constexpr std::size_t kMaxPlaintextBytes = 72 * 1024;
constexpr std::size_t kMaxCiphertextBytes = kMaxPlaintextBytes + kAeadOverheadBytes;
constexpr std::size_t kRatchetHeaderBytes = 40;
constexpr std::size_t kMaxPrekeyFieldsBytes = 105;
constexpr std::size_t kMaxEnvelopeBytes =
    2 + kMaxPrekeyFieldsBytes + kRatchetHeaderBytes + 4 + kMaxCiphertextBytes;

enum class EnvelopeType : std::uint8_t { kPrekeyMessage = 0x01, kMessage = 0x02 };

struct PrekeyFields {
  PublicKey sender_signing_key{};
  PublicKey sender_dh_key{};  // IK_A
  PublicKey ephemeral_key{};  // EK_A
  std::uint32_t signed_prekey_id = 0;
  std::optional<std::uint32_t> one_time_prekey_id;
  bool operator==(const PrekeyFields&) const = default;
};

struct RatchetHeader {
  PublicKey dh{};        // the sender's current ratchet public key
  std::uint32_t pn = 0;  // length of the previous sending chain
  std::uint32_t n = 0;   // message number in the current sending chain
  bool operator==(const RatchetHeader&) const = default;
};

struct Envelope {
  std::optional<PrekeyFields> prekey;  // set ⇔ type is kPrekeyMessage
  RatchetHeader header;
  Bytes ciphertext;

  EnvelopeType type() const {
    return prekey ? EnvelopeType::kPrekeyMessage : EnvelopeType::kMessage;
  }
};

// Every byte before ciphertext_length: the part of the AEAD associated data (§4).
Bytes encode_envelope_prefix(const std::optional<PrekeyFields>& prekey,
                             const RatchetHeader& header);
Bytes encode_envelope(const Envelope& envelope);
Result<Envelope> decode_envelope(std::span<const std::uint8_t> bytes);

}  // namespace hippocrate::e2ee
