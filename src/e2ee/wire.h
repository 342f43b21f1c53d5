// Byte encoding helpers for docs/protocol.md §1: big-endian integers, fixed-size fields,
// 16-byte ids (32 hex characters in the API).
//
// Writer accumulates into a buffer whose every allocation is wiped before it is released
// (WipingAllocator), because some encodings (session state, keystore contents) hold private
// keys; take the result with take_secret() for those, or bytes() for public encodings.
// Reader decodes strictly: every read past the end fails, and finish() fails when bytes
// remain; the first failure sticks, so callers check ok() once at the end.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "base/secret_bytes.h"

namespace hippocrate::e2ee {

constexpr std::size_t kRawIdBytes = 16;
using RawId = std::array<std::uint8_t, kRawIdBytes>;

// "0123…" (32 lower-case hex) → 16 bytes. Error: e2ee_malformed.
Result<RawId> parse_id(std::string_view id);
std::string id_to_string(const RawId& raw);

template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) {}  // NOLINT: allocator rebinding
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) {
    sodium_memzero(p, n * sizeof(T));
    ::operator delete(p);
  }
  template <typename U>
  bool operator==(const WipingAllocator<U>&) const {
    return true;
  }
};

using WipingBytes = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;

class Writer {
 public:
  Writer& u8(std::uint8_t v);
  Writer& u16(std::uint16_t v);
  Writer& u32(std::uint32_t v);
  Writer& u64(std::uint64_t v);
  Writer& raw(std::span<const std::uint8_t> bytes);
  Writer& id(const RawId& v) { return raw(v); }
  // Precondition: `id` is a valid 32-hex id (checked earlier by the caller's type).
  Writer& id(std::string_view hex_id);
  // u32 length ‖ bytes.
  Writer& bytes32(std::span<const std::uint8_t> bytes);

  std::size_t size() const { return buf_.size(); }
  std::span<const std::uint8_t> view() const { return buf_; }
  Bytes bytes() const { return Bytes(buf_.begin(), buf_.end()); }
  SecretBytes take_secret() const { return SecretBytes::from(view()); }

 private:
  WipingBytes buf_;
};

class Reader {
 public:
  // `what` names the structure in error messages ("envelope", "device list").
  Reader(std::span<const std::uint8_t> data, std::string what)
      : data_(data), what_(std::move(what)) {}

  std::uint8_t u8();
  std::uint16_t u16();
  std::uint32_t u32();
  std::uint64_t u64();
  // A 0/1 flag; anything else is malformed.
  bool flag();
  template <std::size_t N>
  std::array<std::uint8_t, N> fixed() {
    std::array<std::uint8_t, N> out{};
    auto s = take(N);
    if (!s.empty()) std::copy(s.begin(), s.end(), out.begin());
    return out;
  }
  std::string id();  // 16 bytes → 32 hex
  // `n` bytes as a view into the input (empty on failure).
  std::span<const std::uint8_t> take(std::size_t n);
  // u32 length (≤ max) ‖ bytes.
  std::span<const std::uint8_t> bytes32(std::size_t max);
  SecretBytes secret(std::size_t n) { return SecretBytes::from(take(n)); }

  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return failed_ ? 0 : data_.size() - pos_; }
  bool ok() const { return !failed_; }
  // Marks the input malformed (a value out of range).
  void fail() { failed_ = true; }
  // ok() and nothing left; otherwise e2ee_malformed naming `what`.
  Status finish() const;
  Error error() const;

 private:
  std::span<const std::uint8_t> data_;
  std::string what_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace hippocrate::e2ee
