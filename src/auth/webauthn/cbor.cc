#include "auth/webauthn/cbor.h"

#include <algorithm>
#include <cassert>
#include <string_view>

#include "auth/webauthn/errors.h"

namespace hippocrate::auth::webauthn {
namespace {

// RFC 8949 §3: the major types.
constexpr std::uint8_t kMajorUnsigned = 0;
constexpr std::uint8_t kMajorNegative = 1;
constexpr std::uint8_t kMajorBytes = 2;
constexpr std::uint8_t kMajorText = 3;
constexpr std::uint8_t kMajorArray = 4;
constexpr std::uint8_t kMajorMap = 5;
constexpr std::uint8_t kMajorTag = 6;
constexpr std::uint8_t kMajorSimple = 7;
// RFC 8949 §3.3: simple values.
constexpr std::uint8_t kSimpleFalse = 20;
constexpr std::uint8_t kSimpleTrue = 21;
constexpr std::uint8_t kSimpleNull = 22;

Error malformed(std::string message) { return refusal(kMalformed, std::move(message)); }

// True when `text` is well-formed UTF-8 (RFC 3629 §4: shortest forms, no surrogates,
// nothing above U+10FFFF).
bool valid_utf8(std::span<const std::uint8_t> text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::uint8_t b = text[i];
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xe0) == 0xc0) {
      extra = 1, cp = b & 0x1f, min = 0x80;
    } else if ((b & 0xf0) == 0xe0) {
      extra = 2, cp = b & 0x0f, min = 0x800;
    } else if ((b & 0xf8) == 0xf0) {
      extra = 3, cp = b & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const std::uint8_t c = text[i + k];
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

class Decoder {
 public:
  Decoder(std::span<const std::uint8_t> input, const CborLimits& limits)
      : in_(input), limits_(limits) {}

  std::size_t position() const { return pos_; }

  Result<CborValue> item(std::size_t depth) {
    if (pos_ >= in_.size()) return malformed("the CBOR data ends early");
    const std::uint8_t initial = in_[pos_++];
    const std::uint8_t major = initial >> 5;
    const std::uint8_t info = initial & 0x1f;
    if (major == kMajorSimple) return simple(info);
    if (major == kMajorTag) return malformed("CBOR tags are not accepted");
    HIPPO_ASSIGN_OR_RETURN(const std::uint64_t arg, argument(info));
    switch (major) {
      case kMajorUnsigned:
        if (arg > static_cast<std::uint64_t>(INT64_MAX)) {
          return malformed("a CBOR integer is out of range");
        }
        return CborValue::integer(static_cast<std::int64_t>(arg));
      case kMajorNegative:
        // RFC 8949 §3.1: the value is -1 - arg.
        if (arg > static_cast<std::uint64_t>(INT64_MAX)) {
          return malformed("a CBOR integer is out of range");
        }
        return CborValue::integer(-1 - static_cast<std::int64_t>(arg));
      case kMajorBytes: {
        HIPPO_ASSIGN_OR_RETURN(auto span, take(arg));
        return CborValue::bytes(Bytes(span.begin(), span.end()));
      }
      case kMajorText: {
        HIPPO_ASSIGN_OR_RETURN(auto span, take(arg));
        if (!valid_utf8(span)) return malformed("a CBOR text string is not valid UTF-8");
        return CborValue::text(std::string(span.begin(), span.end()));
      }
      case kMajorArray: return array(arg, depth + 1);
      case kMajorMap: return map(arg, depth + 1);
      default: return malformed("unexpected CBOR major type");
    }
  }

 private:
  // RFC 8949 §3: the argument of the initial byte's additional information. Refuses
  // indefinite lengths (31), the reserved values 28-30, and any argument not in its
  // shortest form (RFC 8949 §4.2.1; CTAP2 canonical form).
  Result<std::uint64_t> argument(std::uint8_t info) {
    if (info < 24) return static_cast<std::uint64_t>(info);
    if (info == 31) return malformed("indefinite-length CBOR items are not accepted");
    if (info > 27) return malformed("reserved CBOR additional information");
    const std::size_t width = std::size_t{1} << (info - 24);  // 1, 2, 4 or 8 bytes
    if (in_.size() - pos_ < width) return malformed("the CBOR data ends early");
    std::uint64_t value = 0;
    for (std::size_t k = 0; k < width; ++k) value = (value << 8) | in_[pos_ + k];
    pos_ += width;
    const std::uint64_t smallest = width == 1 ? 24 : (std::uint64_t{1} << (4 * width));
    if (value < smallest) return malformed("a CBOR length or integer is not in its shortest form");
    return value;
  }

  Result<std::span<const std::uint8_t>> take(std::uint64_t length) {
    if (length > in_.size() - pos_) return malformed("the CBOR data ends early");
    auto span = in_.subspan(pos_, static_cast<std::size_t>(length));
    pos_ += static_cast<std::size_t>(length);
    return span;
  }

  Result<CborValue> simple(std::uint8_t info) {
    switch (info) {
      case kSimpleFalse: return CborValue::boolean(false);
      case kSimpleTrue: return CborValue::boolean(true);
      case kSimpleNull: return CborValue::null();
      case 25:
      case 26:
      case 27: return malformed("CBOR floating-point values are not accepted");
      case 31: return malformed("a CBOR break outside an indefinite-length item");
      default:
        return malformed("CBOR simple values other than false, true and null are not accepted");
    }
  }

  Status container(std::uint64_t count, std::size_t depth, std::uint64_t min_bytes_each) {
    if (depth > limits_.max_depth) return malformed("CBOR nesting is too deep");
    if (count > limits_.max_items) return malformed("a CBOR array or map has too many items");
    // Each item takes at least one byte: a count the rest of the input cannot hold is refused
    // before anything is reserved for it.
    if (count * min_bytes_each > in_.size() - pos_) return malformed("the CBOR data ends early");
    return ok_status();
  }

  Result<CborValue> array(std::uint64_t count, std::size_t depth) {
    HIPPO_RETURN_IF_ERROR(container(count, depth, 1));
    std::vector<CborValue> items;
    items.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t k = 0; k < count; ++k) {
      HIPPO_ASSIGN_OR_RETURN(auto v, item(depth));
      items.push_back(std::move(v));
    }
    return CborValue::array(std::move(items));
  }

  Result<CborValue> map(std::uint64_t count, std::size_t depth) {
    HIPPO_RETURN_IF_ERROR(container(count, depth, 2));
    std::vector<CborValue::Entry> entries;
    entries.reserve(static_cast<std::size_t>(count));
    std::vector<std::span<const std::uint8_t>> keys;  // the encoded keys, to compare
    keys.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t k = 0; k < count; ++k) {
      const std::size_t key_start = pos_;
      if (key_start < in_.size()) {
        const std::uint8_t major = in_[key_start] >> 5;
        if (major != kMajorUnsigned && major != kMajorNegative && major != kMajorText) {
          return malformed("a CBOR map key is neither an integer nor text");
        }
      }
      HIPPO_ASSIGN_OR_RETURN(auto key, item(depth));
      const auto encoded = in_.subspan(key_start, pos_ - key_start);
      // Every argument is in its shortest form, so two keys are equal exactly when their
      // encodings are. In canonical order each key sorts strictly after the previous one,
      // which also rules out repeats; otherwise every earlier key is compared.
      if (limits_.canonical_key_order) {
        if (!keys.empty() && !canonically_before(keys.back(), encoded)) {
          const bool repeated =
              std::equal(keys.back().begin(), keys.back().end(), encoded.begin(), encoded.end());
          return malformed(repeated ? "a CBOR map holds the same key twice"
                                    : "CBOR map keys are not in canonical order");
        }
      } else {
        for (const auto& seen : keys) {
          if (std::equal(seen.begin(), seen.end(), encoded.begin(), encoded.end())) {
            return malformed("a CBOR map holds the same key twice");
          }
        }
      }
      keys.push_back(encoded);
      HIPPO_ASSIGN_OR_RETURN(auto value, item(depth));
      entries.emplace_back(std::move(key), std::move(value));
    }
    return CborValue::map(std::move(entries));
  }

  // FIDO CTAP 2.x "CTAP2 canonical CBOR encoding form": a lower major type first, then a shorter encoding,
  // then the lower bytes.
  static bool canonically_before(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    const std::uint8_t ma = a[0] >> 5;
    const std::uint8_t mb = b[0] >> 5;
    if (ma != mb) return ma < mb;
    if (a.size() != b.size()) return a.size() < b.size();
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  }

  std::span<const std::uint8_t> in_;
  const CborLimits& limits_;
  std::size_t pos_ = 0;
};

}  // namespace

CborValue CborValue::integer(std::int64_t v) {
  CborValue c;
  c.type_ = Type::kInteger;
  c.integer_ = v;
  return c;
}
CborValue CborValue::bytes(Bytes v) {
  CborValue c;
  c.type_ = Type::kBytes;
  c.bytes_ = std::move(v);
  return c;
}
CborValue CborValue::text(std::string v) {
  CborValue c;
  c.type_ = Type::kText;
  c.text_ = std::move(v);
  return c;
}
CborValue CborValue::array(std::vector<CborValue> items) {
  CborValue c;
  c.type_ = Type::kArray;
  c.items_ = std::move(items);
  return c;
}
CborValue CborValue::map(std::vector<Entry> entries) {
  CborValue c;
  c.type_ = Type::kMap;
  c.entries_ = std::move(entries);
  return c;
}
CborValue CborValue::boolean(bool v) {
  CborValue c;
  c.type_ = Type::kBool;
  c.bool_ = v;
  return c;
}
CborValue CborValue::null() { return CborValue(); }

std::int64_t CborValue::as_integer() const {
  assert(type_ == Type::kInteger);
  return integer_;
}
const Bytes& CborValue::as_bytes() const {
  assert(type_ == Type::kBytes);
  return bytes_;
}
const std::string& CborValue::as_text() const {
  assert(type_ == Type::kText);
  return text_;
}
bool CborValue::as_bool() const {
  assert(type_ == Type::kBool);
  return bool_;
}
const std::vector<CborValue>& CborValue::as_array() const {
  assert(type_ == Type::kArray);
  return items_;
}
const std::vector<CborValue::Entry>& CborValue::as_map() const {
  assert(type_ == Type::kMap);
  return entries_;
}

const CborValue* CborValue::find(std::int64_t key) const {
  assert(type_ == Type::kMap);
  for (const auto& [k, v] : entries_) {
    if (k.is_integer() && k.as_integer() == key) return &v;
  }
  return nullptr;
}

const CborValue* CborValue::find(std::string_view key) const {
  assert(type_ == Type::kMap);
  for (const auto& [k, v] : entries_) {
    if (k.is_text() && k.as_text() == key) return &v;
  }
  return nullptr;
}

Result<CborValue> cbor_decode_prefix(std::span<const std::uint8_t> input, std::size_t& consumed,
                                     const CborLimits& limits) {
  if (input.size() > limits.max_bytes) return malformed("the CBOR data is too large");
  Decoder decoder(input, limits);
  HIPPO_ASSIGN_OR_RETURN(auto value, decoder.item(0));
  consumed = decoder.position();
  return value;
}

Result<CborValue> cbor_decode(std::span<const std::uint8_t> input, const CborLimits& limits) {
  std::size_t consumed = 0;
  HIPPO_ASSIGN_OR_RETURN(auto value, cbor_decode_prefix(input, consumed, limits));
  if (consumed != input.size()) return malformed("bytes follow the CBOR data item");
  return value;
}

}  // namespace hippocrate::auth::webauthn
