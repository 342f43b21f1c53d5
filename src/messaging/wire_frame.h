// The binary WebSocket frames of the messaging data plane (docs/messaging.md, "Frame
// layout"), version 1. Pure encode/decode over bytes: depends on base/ only, so the
// server, the client library and the load generator share it.
//
//   frame = u8 version (1) ‖ u8 type ‖ body; integers big-endian; an id is 16 raw bytes
//   (the 32-hex id decoded); variable fields are u32 length ‖ bytes.
//
// Decoding is strict: it accepts only the bytes the encoder produces, so decode(b) succeeds
// only when encode(decode(b)) == b, and two readers of a frame cannot disagree on it.
// Truncation, trailing bytes, counts or lengths outside the limits, an error frame whose
// accounts, or one account's device ids, are not strictly ascending (repeats included), or
// whose code is not snake_case are "malformed_frame"; another version is
// "unsupported_frame_version"; an unknown type "unknown_frame_type" (all invalid_argument).
// The order of a send's envelopes and of an ack's ids is the sender's and is kept (the
// mailbox refuses an envelope set naming a device twice). Thread-safe (no state).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"

namespace hippocrate::messaging::wire {

constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kMaxEnvelopes = 32;
constexpr std::size_t kMaxCiphertextBytes = 64 * 1024;
constexpr std::size_t kMaxAckIds = 100;
constexpr std::size_t kMaxErrorCodeBytes = 64;

enum class FrameType : std::uint8_t {
  kDeliver = 1,
  kSend = 2,
  kAck = 3,
  kSendResult = 4,
  kError = 5,
};

// Ids are carried in their 32-hex text form; encoding requires valid ids (is_valid_id).
struct Deliver {
  std::string message_id;
  std::string sender_account;
  std::string sender_device;
  std::uint64_t stored_at = 0;
  Bytes ciphertext;
  friend bool operator==(const Deliver&, const Deliver&) = default;
};

struct WireEnvelope {
  std::string device_id;
  Bytes ciphertext;
  friend bool operator==(const WireEnvelope&, const WireEnvelope&) = default;
};

struct Send {
  std::string message_id;
  std::string recipient_account;
  std::vector<WireEnvelope> envelopes;  // 1..kMaxEnvelopes, each 1..kMaxCiphertextBytes
  friend bool operator==(const Send&, const Send&) = default;
};

struct Ack {
  std::vector<std::string> message_ids;  // 1..kMaxAckIds
  friend bool operator==(const Ack&, const Ack&) = default;
};

struct SendResult {
  std::string message_id;
  std::uint64_t stored_at = 0;
  friend bool operator==(const SendResult&, const SendResult&) = default;
};

struct ErrorFrame {
  std::string message_id;  // empty: not about a message (encoded as 16 zero bytes)
  std::string code;        // stable snake_case code: 1..kMaxErrorCodeBytes of [a-z0-9_]
  // account id → device ids (filled for device_list_mismatch): sets, encoded in ascending
  // order (the encoder sorts each list and refuses a repeat), decoded sorted.
  std::map<std::string, std::vector<std::string>> devices;
  friend bool operator==(const ErrorFrame&, const ErrorFrame&) = default;
};

using Frame = std::variant<Deliver, Send, Ack, SendResult, ErrorFrame>;

// Encodes a frame. Error "invalid_frame_field" (invalid_argument) when an id is not a
// valid id, a count/size is outside the limits above, an error code is not snake_case, or
// one account lists a device id twice: the encoder never produces a frame the decoder would
// refuse.
Result<std::string> encode(const Frame& frame);
// encode(Deliver{...}) from views: the fan-out encodes one per envelope, without copying the
// ids and the ciphertext into a Deliver first. The same checks and bytes.
Result<std::string> encode_deliver(std::string_view message_id, std::string_view sender_account,
                                   std::string_view sender_device, std::uint64_t stored_at,
                                   std::span<const std::uint8_t> ciphertext);
Result<Frame> decode(std::string_view bytes);

// The type of a decoded frame.
FrameType type_of(const Frame& frame);

}  // namespace hippocrate::messaging::wire
