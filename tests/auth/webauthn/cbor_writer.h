// A minimal CBOR encoder for the tests (RFC 8949 §3, shortest arguments unless asked
// otherwise): builds COSE keys, attestation objects and the malformed inputs the decoder
// must refuse. Test code only; the product decodes, it never encodes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

#include "base/encoding.h"

namespace hippocrate::auth::webauthn::testing {

// The initial byte and argument of `major` with `value`, in its shortest form.
inline Bytes cbor_head(std::uint8_t major, std::uint64_t value) {
  Bytes out;
  const std::uint8_t m = static_cast<std::uint8_t>(major << 5);
  if (value < 24) {
    out.push_back(static_cast<std::uint8_t>(m | value));
  } else {
    int width = value <= 0xff ? 1 : value <= 0xffff ? 2 : value <= 0xffffffff ? 4 : 8;
    out.push_back(static_cast<std::uint8_t>(m | (width == 1   ? 24
                                                 : width == 2 ? 25
                                                 : width == 4 ? 26
                                                              : 27)));
    for (int k = width - 1; k >= 0; --k) out.push_back(static_cast<std::uint8_t>(value >> (8 * k)));
  }
  return out;
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline Bytes cbor_int(std::int64_t v) {
  return v >= 0 ? cbor_head(0, static_cast<std::uint64_t>(v))
                : cbor_head(1, static_cast<std::uint64_t>(-1 - v));
}
inline Bytes cbor_bytes(const Bytes& b) { return cat({cbor_head(2, b.size()), b}); }
inline Bytes cbor_text(std::string_view s) { return cat({cbor_head(3, s.size()), to_bytes(s)}); }
inline Bytes cbor_array(const std::vector<Bytes>& items) {
  Bytes out = cbor_head(4, items.size());
  for (const auto& i : items) out.insert(out.end(), i.begin(), i.end());
  return out;
}
// Entries as given (already encoded keys and values), in the order given.
inline Bytes cbor_map(const std::vector<std::pair<Bytes, Bytes>>& entries) {
  Bytes out = cbor_head(5, entries.size());
  for (const auto& [k, v] : entries) {
    out.insert(out.end(), k.begin(), k.end());
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

}  // namespace hippocrate::auth::webauthn::testing
