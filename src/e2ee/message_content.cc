#include "e2ee/message_content.h"

#include "base/ids.h"
#include "crypto/compare.h"
#include "e2ee/errors.h"
#include "e2ee/wire.h"

namespace hippocrate::e2ee {
namespace {

bool valid_content_type(std::string_view t) {
  if (t.empty() || t.size() > kMaxContentTypeBytes) return false;
  for (char c : t) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

}  // namespace

Result<Bytes> encode_content(const MessageContent& c) {
  if (!is_valid_id(c.message_id) || !is_valid_id(c.sender_account_id) ||
      !is_valid_id(c.sender_device_id) || !valid_content_type(c.content_type)) {
    return errors::malformed("message content");
  }
  if (c.body.size() > kMaxBodyBytes) return errors::too_large("the message body");
  Writer w;
  w.u8(kContentFormat).id(c.message_id).id(c.sender_account_id).id(c.sender_device_id);
  w.u64(c.sent_at_ms).u8(static_cast<std::uint8_t>(c.content_type.size()));
  w.raw(as_bytes(c.content_type)).bytes32(c.body);
  // §5.1: the smallest padding making the whole a multiple of 64 bytes.
  const std::size_t unpadded = w.size() + 2;
  const std::size_t padding =
      (kContentPaddingBlock - unpadded % kContentPaddingBlock) % kContentPaddingBlock;
  w.u16(static_cast<std::uint16_t>(padding));
  for (std::size_t i = 0; i < padding; ++i) w.u8(0);
  return w.bytes();
}

Result<MessageContent> decode_content(std::span<const std::uint8_t> plaintext) {
  Reader r(plaintext, "message content");
  const std::uint8_t format = r.u8();
  if (r.ok() && format != kContentFormat) return errors::unknown_version("message content");
  MessageContent c;
  c.message_id = r.id();
  c.sender_account_id = r.id();
  c.sender_device_id = r.id();
  c.sent_at_ms = r.u64();
  const std::uint8_t type_len = r.u8();
  auto type = r.take(type_len);
  c.content_type.assign(type.begin(), type.end());
  if (r.ok() && !valid_content_type(c.content_type)) r.fail();
  auto body = r.bytes32(kMaxBodyBytes);
  c.body.assign(body.begin(), body.end());
  const std::uint16_t padding_len = r.u16();
  if (padding_len > kMaxPaddingBytes) r.fail();
  auto padding = r.take(padding_len);
  if (r.ok() && !crypto::is_all_zero(padding)) r.fail();
  HIPPO_RETURN_IF_ERROR(r.finish());
  return c;
}

}  // namespace hippocrate::e2ee
