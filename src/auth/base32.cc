#include "auth/base32.h"

#include <cstddef>

namespace hippocrate::auth {
namespace {

// All-ones (-1) when lo <= c <= hi, else 0, without a branch: both differences are negative
// only inside the range, and C++20 defines >> on a negative int as an arithmetic shift.
int in_range_mask(int c, int lo, int hi) { return ((lo - 1 - c) & (c - hi - 1)) >> 8; }

// RFC 4648 §6, Table 3: 0–25 → 'A'–'Z', 26–31 → '2'–'7'.
char encode_symbol(unsigned v) {
  const int x = static_cast<int>(v);
  const int is_digit = in_range_mask(x, 26, 31);
  return static_cast<char>('A' + x + (is_digit & ('2' - 26 - 'A')));
}

// The 5-bit value of `c` (either case), or -1 when `c` is not in the alphabet.
int decode_symbol(unsigned char c) {
  const int x = c;
  const int upper = in_range_mask(x, 'A', 'Z');
  const int lower = in_range_mask(x, 'a', 'z');
  const int digit = in_range_mask(x, '2', '7');
  const int value = (upper & (x - 'A')) | (lower & (x - 'a')) | (digit & (x - '2' + 26));
  const int valid = upper | lower | digit;
  return (valid & value) | ~valid;
}

Error invalid_base32() {
  return Error::invalid_argument("invalid_base32", "the text is not valid base32");
}

}  // namespace

std::string base32_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;  // bits not yet written, right-aligned
  int bits = 0;
  for (std::uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(encode_symbol((buffer >> bits) & 31u));
    }
  }
  // RFC 4648 §6: a final partial group is padded with zero bits on the right.
  if (bits > 0) out.push_back(encode_symbol((buffer << (5 - bits)) & 31u));
  buffer = 0;
  return out;
}

Result<Bytes> base32_decode(std::string_view text) {
  std::size_t symbols = 0;
  std::size_t padding = 0;
  for (char c : text) {
    if (c == ' ') continue;
    if (c == '=') {
      ++padding;
    } else if (padding != 0) {
      return invalid_base32();  // data after padding
    } else {
      ++symbols;
    }
  }
  // RFC 4648 §6: a final quantum of 8, 16, 24, 32 or 40 bits leaves 0, 2, 4, 5 or 7 symbols
  // and needs 0, 6, 4, 3 or 1 "=" to complete a block of 8; 1, 3 or 6 symbols cannot occur.
  const std::size_t tail = symbols % 8;
  if (tail == 1 || tail == 3 || tail == 6) return invalid_base32();
  if (padding != 0 && padding != (8 - tail) % 8) return invalid_base32();
  if (padding != 0 && tail == 0) return invalid_base32();

  Bytes out;
  out.reserve(symbols * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == ' ' || c == '=') continue;
    const int v = decode_symbol(static_cast<unsigned char>(c));
    if (v < 0) return invalid_base32();
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> bits));
      buffer &= (1u << bits) - 1;
    }
  }
  // RFC 4648 §3.5: the leftover bits must be the zero padding bits of a canonical encoding.
  const bool canonical = buffer == 0;
  buffer = 0;
  if (!canonical) return invalid_base32();
  return out;
}

}  // namespace hippocrate::auth
