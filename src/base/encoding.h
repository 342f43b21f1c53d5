// Hex and base64url (RFC 4648 §5, no padding) encodings.
// Both use libsodium's constant-time codecs, so encoding or decoding a key or token does not
// leak its bytes through timing.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hippocrate {

using Bytes = std::vector<std::uint8_t>;

std::string hex_encode(std::span<const std::uint8_t> bytes);
// Accepts upper or lower case; rejects odd lengths and non-hex characters
// (error code "invalid_hex").
Result<Bytes> hex_decode(std::string_view hex);
// The same into `out`, without allocating: `hex` must be exactly 2 * out.size() hex
// characters (error code "invalid_hex"); on error `out` holds nothing meaningful.
Status hex_decode_into(std::string_view hex, std::span<std::uint8_t> out);

std::string base64url_encode(std::span<const std::uint8_t> bytes);
// Rejects padding, whitespace and characters outside the URL-safe alphabet
// (error code "invalid_base64url").
Result<Bytes> base64url_decode(std::string_view text);

// Views a string's bytes (no copy).
inline std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline Bytes to_bytes(std::string_view s) {
  auto b = as_bytes(s);
  return Bytes(b.begin(), b.end());
}

}  // namespace hippocrate
