// The plaintext inside an envelope (docs/protocol.md §5.1): message id, sender, time, content
// type and body, padded to a multiple of 64 bytes.
//
// Contract: encode_content fails with e2ee_malformed on bad ids or content type and
// e2ee_too_large on a body above 64 KiB; decode_content is strict (non-zero padding,
// trailing bytes, bad lengths → e2ee_malformed; another format byte → e2ee_unknown_version).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/encoding.h"
#include "base/result.h"

namespace hippocrate::e2ee {

constexpr std::uint8_t kContentFormat = 0x01;
constexpr std::size_t kMaxBodyBytes = 64 * 1024;
constexpr std::size_t kMaxContentTypeBytes = 64;
constexpr std::size_t kContentPaddingBlock = 64;
constexpr std::size_t kMaxPaddingBytes = 1024;

struct MessageContent {
  std::string message_id;         // 32 hex; equals the transport's message id
  std::string sender_account_id;  // 32 hex
  std::string sender_device_id;   // 32 hex
  std::uint64_t sent_at_ms = 0;
  std::string content_type;  // printable ASCII, 1..64 characters
  Bytes body;

  bool operator==(const MessageContent&) const = default;
};

Result<Bytes> encode_content(const MessageContent& content);
Result<MessageContent> decode_content(std::span<const std::uint8_t> plaintext);

}  // namespace hippocrate::e2ee
