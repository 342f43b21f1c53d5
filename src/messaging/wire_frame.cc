#include "messaging/wire_frame.h"

#include <algorithm>
#include <array>

#include "base/ids.h"

namespace hippocrate::messaging::wire {
namespace {

Error field_error(const std::string& what) {
  return Error::invalid_argument("invalid_frame_field", "cannot encode the frame: " + what);
}
Error malformed(const std::string& what) {
  return Error::invalid_argument("malformed_frame", "the frame is malformed: " + what);
}

class Writer {
 public:
  // `size`: the frame's length when known (one allocation), or a lower bound.
  explicit Writer(FrameType type, std::size_t size = 0) {
    out_.reserve(std::max<std::size_t>(size, 2));
    out_.push_back(static_cast<char>(kVersion));
    out_.push_back(static_cast<char>(type));
  }
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) u8(static_cast<std::uint8_t>(v >> shift));
  }
  void u64(std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) u8(static_cast<std::uint8_t>(v >> shift));
  }
  Status id(std::string_view hex) {
    if (!is_valid_id(hex)) return field_error("an id is not 32 lower-case hex characters");
    std::array<std::uint8_t, kIdBytes> raw{};
    if (!hex_decode_into(hex, raw).ok()) return field_error("an id is not hex");
    out_.append(reinterpret_cast<const char*>(raw.data()), raw.size());
    return ok_status();
  }
  void zero_id() { out_.append(kIdBytes, '\0'); }
  void bytes(std::span<const std::uint8_t> b) {
    u32(static_cast<std::uint32_t>(b.size()));
    out_.append(reinterpret_cast<const char*>(b.data()), b.size());
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool done() const { return pos_ == in_.size(); }
  Result<std::uint8_t> u8() {
    if (in_.size() - pos_ < 1) return malformed("truncated");
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  Result<std::uint32_t> u32() {
    if (in_.size() - pos_ < 4) return malformed("truncated");
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(in_[pos_++]);
    return v;
  }
  Result<std::uint64_t> u64() {
    if (in_.size() - pos_ < 8) return malformed("truncated");
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(in_[pos_++]);
    return v;
  }
  Result<std::string> id() {
    if (in_.size() - pos_ < kIdBytes) return malformed("truncated");
    std::string hex = hex_encode(as_bytes(in_.substr(pos_, kIdBytes)));
    pos_ += kIdBytes;
    return hex;
  }
  // `max` bounds the length before anything is allocated.
  Result<Bytes> bytes(std::size_t min, std::size_t max) {
    HIPPO_ASSIGN_OR_RETURN(std::uint32_t n, u32());
    if (n < min || n > max) return malformed("a length is out of range");
    if (in_.size() - pos_ < n) return malformed("truncated");
    auto b = as_bytes(in_.substr(pos_, n));
    pos_ += n;
    return Bytes(b.begin(), b.end());
  }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

bool is_zero_id(const std::string& hex) { return hex == std::string(kIdHexLength, '0'); }

// An error code as frames carry it: 1..kMaxErrorCodeBytes of [a-z0-9_] (every stable code is
// snake_case; nothing else reaches a client's terminal through a frame).
bool is_error_code(std::string_view code) {
  return !code.empty() && code.size() <= kMaxErrorCodeBytes &&
         std::all_of(code.begin(), code.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

Result<std::string> encode_one(const Deliver& f) {
  return encode_deliver(f.message_id, f.sender_account, f.sender_device, f.stored_at, f.ciphertext);
}

Result<std::string> encode_one(const Send& f) {
  if (f.envelopes.empty() || f.envelopes.size() > kMaxEnvelopes) {
    return field_error("the envelope count is out of range");
  }
  Writer w(FrameType::kSend);
  HIPPO_RETURN_IF_ERROR(w.id(f.message_id));
  HIPPO_RETURN_IF_ERROR(w.id(f.recipient_account));
  w.u32(static_cast<std::uint32_t>(f.envelopes.size()));
  for (const auto& e : f.envelopes) {
    if (e.ciphertext.empty() || e.ciphertext.size() > kMaxCiphertextBytes) {
      return field_error("the ciphertext size is out of range");
    }
    HIPPO_RETURN_IF_ERROR(w.id(e.device_id));
    w.bytes(e.ciphertext);
  }
  return w.take();
}

Result<std::string> encode_one(const Ack& f) {
  if (f.message_ids.empty() || f.message_ids.size() > kMaxAckIds) {
    return field_error("the id count is out of range");
  }
  Writer w(FrameType::kAck, 2 + 4 + f.message_ids.size() * kIdBytes);
  w.u32(static_cast<std::uint32_t>(f.message_ids.size()));
  for (const auto& id : f.message_ids) HIPPO_RETURN_IF_ERROR(w.id(id));
  return w.take();
}

Result<std::string> encode_one(const SendResult& f) {
  Writer w(FrameType::kSendResult, 2 + kIdBytes + 8);
  HIPPO_RETURN_IF_ERROR(w.id(f.message_id));
  w.u64(f.stored_at);
  return w.take();
}

// Accounts leave in ascending order (the map's; lower-case hex sorts like the raw bytes),
// and so do each account's device ids (sorted here): a set has one encoding.
Result<std::string> encode_one(const ErrorFrame& f) {
  if (!is_error_code(f.code)) {
    return field_error("the error code is not 1..64 bytes of [a-z0-9_]");
  }
  Writer w(FrameType::kError);
  if (f.message_id.empty()) {
    w.zero_id();
  } else {
    HIPPO_RETURN_IF_ERROR(w.id(f.message_id));
  }
  if (f.devices.size() > kMaxEnvelopes) return field_error("too many accounts");
  for (const auto& [account, devices] : f.devices) {
    if (devices.size() > kMaxEnvelopes) return field_error("too many devices");
  }
  w.bytes(as_bytes(f.code));
  w.u32(static_cast<std::uint32_t>(f.devices.size()));
  std::vector<std::string_view> sorted;
  for (const auto& [account, devices] : f.devices) {
    HIPPO_RETURN_IF_ERROR(w.id(account));
    sorted.assign(devices.begin(), devices.end());
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      return field_error("a device id appears twice for one account");
    }
    w.u32(static_cast<std::uint32_t>(sorted.size()));
    for (const auto d : sorted) HIPPO_RETURN_IF_ERROR(w.id(d));
  }
  return w.take();
}

Result<Frame> decode_deliver(Reader& r) {
  Deliver f;
  HIPPO_ASSIGN_OR_RETURN(f.message_id, r.id());
  HIPPO_ASSIGN_OR_RETURN(f.sender_account, r.id());
  HIPPO_ASSIGN_OR_RETURN(f.sender_device, r.id());
  HIPPO_ASSIGN_OR_RETURN(f.stored_at, r.u64());
  HIPPO_ASSIGN_OR_RETURN(f.ciphertext, r.bytes(1, kMaxCiphertextBytes));
  return Frame(std::move(f));
}

Result<Frame> decode_send(Reader& r) {
  Send f;
  HIPPO_ASSIGN_OR_RETURN(f.message_id, r.id());
  HIPPO_ASSIGN_OR_RETURN(f.recipient_account, r.id());
  HIPPO_ASSIGN_OR_RETURN(std::uint32_t count, r.u32());
  if (count == 0 || count > kMaxEnvelopes) return malformed("the envelope count is out of range");
  for (std::uint32_t i = 0; i < count; ++i) {
    WireEnvelope e;
    HIPPO_ASSIGN_OR_RETURN(e.device_id, r.id());
    HIPPO_ASSIGN_OR_RETURN(e.ciphertext, r.bytes(1, kMaxCiphertextBytes));
    f.envelopes.push_back(std::move(e));
  }
  return Frame(std::move(f));
}

Result<Frame> decode_ack(Reader& r) {
  Ack f;
  HIPPO_ASSIGN_OR_RETURN(std::uint32_t count, r.u32());
  if (count == 0 || count > kMaxAckIds) return malformed("the id count is out of range");
  for (std::uint32_t i = 0; i < count; ++i) {
    HIPPO_ASSIGN_OR_RETURN(auto id, r.id());
    f.message_ids.push_back(std::move(id));
  }
  return Frame(std::move(f));
}

Result<Frame> decode_send_result(Reader& r) {
  SendResult f;
  HIPPO_ASSIGN_OR_RETURN(f.message_id, r.id());
  HIPPO_ASSIGN_OR_RETURN(f.stored_at, r.u64());
  return Frame(std::move(f));
}

// Only the encoder's form: accounts, and each account's device ids, strictly ascending (no
// repeat, no other order a map would silently re-sort), and a snake_case code.
Result<Frame> decode_error(Reader& r) {
  ErrorFrame f;
  HIPPO_ASSIGN_OR_RETURN(f.message_id, r.id());
  if (is_zero_id(f.message_id)) f.message_id.clear();
  HIPPO_ASSIGN_OR_RETURN(Bytes code, r.bytes(1, kMaxErrorCodeBytes));
  f.code.assign(code.begin(), code.end());
  if (!is_error_code(f.code)) return malformed("the error code is not snake_case");
  HIPPO_ASSIGN_OR_RETURN(std::uint32_t accounts, r.u32());
  if (accounts > kMaxEnvelopes) return malformed("the account count is out of range");
  for (std::uint32_t i = 0; i < accounts; ++i) {
    HIPPO_ASSIGN_OR_RETURN(auto account, r.id());
    // Lower-case hex of equal length compares like the raw bytes.
    if (!f.devices.empty() && account <= f.devices.rbegin()->first) {
      return malformed("the accounts are not in strictly ascending order");
    }
    HIPPO_ASSIGN_OR_RETURN(std::uint32_t n, r.u32());
    if (n > kMaxEnvelopes) return malformed("the device count is out of range");
    std::vector<std::string> devices;
    for (std::uint32_t j = 0; j < n; ++j) {
      HIPPO_ASSIGN_OR_RETURN(auto d, r.id());
      if (!devices.empty() && d <= devices.back()) {
        return malformed("the device ids are not in strictly ascending order");
      }
      devices.push_back(std::move(d));
    }
    f.devices.emplace_hint(f.devices.end(), std::move(account), std::move(devices));
  }
  return Frame(std::move(f));
}

}  // namespace

Result<std::string> encode_deliver(std::string_view message_id, std::string_view sender_account,
                                   std::string_view sender_device, std::uint64_t stored_at,
                                   std::span<const std::uint8_t> ciphertext) {
  if (ciphertext.empty() || ciphertext.size() > kMaxCiphertextBytes) {
    return field_error("the ciphertext size is out of range");
  }
  Writer w(FrameType::kDeliver, 2 + 3 * kIdBytes + 8 + 4 + ciphertext.size());
  HIPPO_RETURN_IF_ERROR(w.id(message_id));
  HIPPO_RETURN_IF_ERROR(w.id(sender_account));
  HIPPO_RETURN_IF_ERROR(w.id(sender_device));
  w.u64(stored_at);
  w.bytes(ciphertext);
  return w.take();
}

Result<std::string> encode(const Frame& frame) {
  return std::visit([](const auto& f) { return encode_one(f); }, frame);
}

Result<Frame> decode(std::string_view bytes) {
  Reader r(bytes);
  HIPPO_ASSIGN_OR_RETURN(std::uint8_t version, r.u8());
  if (version != kVersion) {
    return Error::invalid_argument("unsupported_frame_version",
                                   "this server speaks frame version 1 only");
  }
  HIPPO_ASSIGN_OR_RETURN(std::uint8_t type, r.u8());
  Result<Frame> out = malformed("unreachable");
  switch (static_cast<FrameType>(type)) {
    case FrameType::kDeliver: out = decode_deliver(r); break;
    case FrameType::kSend: out = decode_send(r); break;
    case FrameType::kAck: out = decode_ack(r); break;
    case FrameType::kSendResult: out = decode_send_result(r); break;
    case FrameType::kError: out = decode_error(r); break;
    default: return Error::invalid_argument("unknown_frame_type", "unknown frame type");
  }
  if (out.ok() && !r.done()) return malformed("bytes follow the frame");
  return out;
}

FrameType type_of(const Frame& frame) { return static_cast<FrameType>(frame.index() + 1); }

}  // namespace hippocrate::messaging::wire
