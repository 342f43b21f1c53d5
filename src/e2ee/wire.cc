#include "e2ee/wire.h"

#include "base/ids.h"
#include "e2ee/errors.h"

namespace hippocrate::e2ee {

Result<RawId> parse_id(std::string_view id) {
  if (!is_valid_id(id)) return errors::malformed("id");
  auto bytes = hex_decode(id);
  if (!bytes.ok() || bytes->size() != kRawIdBytes) return errors::malformed("id");
  RawId out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

std::string id_to_string(const RawId& raw) { return hex_encode(raw); }

Writer& Writer::u8(std::uint8_t v) {
  buf_.push_back(v);
  return *this;
}
Writer& Writer::u16(std::uint16_t v) {
  return u8(static_cast<std::uint8_t>(v >> 8)).u8(static_cast<std::uint8_t>(v));
}
Writer& Writer::u32(std::uint32_t v) {
  return u16(static_cast<std::uint16_t>(v >> 16)).u16(static_cast<std::uint16_t>(v));
}
Writer& Writer::u64(std::uint64_t v) {
  return u32(static_cast<std::uint32_t>(v >> 32)).u32(static_cast<std::uint32_t>(v));
}
Writer& Writer::raw(std::span<const std::uint8_t> bytes) {
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  return *this;
}
Writer& Writer::id(std::string_view hex_id) {
  auto raw_id = parse_id(hex_id);
  // A caller bug (ids are validated where they enter the component): write zeros, which no
  // peer accepts, rather than abort in release builds.
  return id(raw_id.ok() ? *raw_id : RawId{});
}
Writer& Writer::bytes32(std::span<const std::uint8_t> bytes) {
  u32(static_cast<std::uint32_t>(bytes.size()));
  return raw(bytes);
}

std::span<const std::uint8_t> Reader::take(std::size_t n) {
  if (failed_ || data_.size() - pos_ < n) {
    failed_ = true;
    return {};
  }
  auto out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

std::uint8_t Reader::u8() {
  auto s = take(1);
  return s.empty() ? 0 : s[0];
}
std::uint16_t Reader::u16() {
  const std::uint16_t hi = u8();
  return static_cast<std::uint16_t>((hi << 8) | u8());
}
std::uint32_t Reader::u32() {
  const std::uint32_t hi = u16();
  return (hi << 16) | u16();
}
std::uint64_t Reader::u64() {
  const std::uint64_t hi = u32();
  return (hi << 32) | u32();
}
bool Reader::flag() {
  const std::uint8_t v = u8();
  if (v > 1) failed_ = true;
  return v == 1;
}
std::string Reader::id() { return id_to_string(fixed<kRawIdBytes>()); }

std::span<const std::uint8_t> Reader::bytes32(std::size_t max) {
  const std::uint32_t n = u32();
  if (n > max) {
    failed_ = true;
    return {};
  }
  return take(n);
}

Status Reader::finish() const {
  if (failed_ || pos_ != data_.size()) return error();
  return ok_status();
}

Error Reader::error() const { return errors::malformed(what_); }

}  // namespace hippocrate::e2ee
