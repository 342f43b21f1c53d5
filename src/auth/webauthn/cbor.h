// A strict CBOR decoder (RFC 8949) for what WebAuthn carries: attestation objects, attestation
// statements, COSE keys and authenticator extensions.
//
// Accepted: unsigned and negative integers in the int64 range (major types 0 and 1), byte
// strings (2), UTF-8 text strings (3), arrays (4), maps (5) whose keys are integers or text,
// and the simple values false, true and null (major type 7, values 20-22).
//
// Refused (error code "webauthn_malformed", kind invalid_argument), because WebAuthn §2.4
// asks decoders to reject what is not in the CTAP2 canonical CBOR encoding form (FIDO CTAP 2.x,
// "Message Encoding") and to reject duplicate map keys:
//   - indefinite lengths (RFC 8949 §3.2.2-3.2.3) and the reserved additional info 28-30;
//   - an argument not in its shortest form (RFC 8949 §4.2.1 "preferred serialization");
//   - tags (major type 6), floats, and every simple value but false/true/null;
//   - text that is not valid UTF-8 (RFC 8949 §5.3.1): no overlong forms, no surrogates;
//   - integers outside int64 (a valid CBOR -2^64 or 2^64-1 is refused, not truncated);
//   - map keys other than integers and text, repeated keys, and keys out of the canonical
//     order when Limits::canonical_key_order (CTAP2: sorted by major type, then encoded
//     length, then bytes — e.g. 1, 3, -1, -2, -3 for a COSE key);
//   - nesting deeper than Limits::max_depth, a container declaring more than
//     Limits::max_items entries, an input longer than Limits::max_bytes;
//   - truncated input, and with cbor_decode() any byte after the item.
// Nothing is allocated from a declared length before the bytes it claims are known to be
// there. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"

namespace hippocrate::auth::webauthn {

struct CborLimits {
  std::size_t max_bytes = 64 * 1024;  // the whole encoded input
  std::size_t max_depth = 8;          // arrays and maps nested (a scalar at the top is depth 0)
  std::size_t max_items = 1024;       // entries of one array or map
  bool canonical_key_order = true;    // CTAP2 canonical map key order (implies no duplicates)
};

class CborValue {
 public:
  enum class Type { kInteger, kBytes, kText, kArray, kMap, kBool, kNull };
  using Entry = std::pair<CborValue, CborValue>;

  static CborValue integer(std::int64_t v);
  static CborValue bytes(Bytes v);
  static CborValue text(std::string v);
  static CborValue array(std::vector<CborValue> items);
  static CborValue map(std::vector<Entry> entries);
  static CborValue boolean(bool v);
  static CborValue null();

  Type type() const { return type_; }
  bool is_integer() const { return type_ == Type::kInteger; }
  bool is_bytes() const { return type_ == Type::kBytes; }
  bool is_text() const { return type_ == Type::kText; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_map() const { return type_ == Type::kMap; }

  // Preconditions: the matching type (checked with assert).
  std::int64_t as_integer() const;
  const Bytes& as_bytes() const;
  const std::string& as_text() const;
  bool as_bool() const;
  const std::vector<CborValue>& as_array() const;
  // A map's entries in the order of the encoding (canonical order when decoded with it).
  const std::vector<Entry>& as_map() const;

  // The value of a map's entry whose key is the integer `key` / the text `key`, or nullptr.
  // Precondition: is_map().
  const CborValue* find(std::int64_t key) const;
  const CborValue* find(std::string_view key) const;

 private:
  Type type_ = Type::kNull;
  std::int64_t integer_ = 0;
  bool bool_ = false;
  Bytes bytes_;
  std::string text_;
  std::vector<CborValue> items_;
  std::vector<Entry> entries_;
};

// Decodes exactly one data item that spans all of `input`.
Result<CborValue> cbor_decode(std::span<const std::uint8_t> input, const CborLimits& limits = {});

// Decodes the one data item at the start of `input`, which may be followed by other bytes
// (authenticator data holds a COSE key then, optionally, extensions: WebAuthn §6.1).
// `consumed` receives the item's encoded length on success.
Result<CborValue> cbor_decode_prefix(std::span<const std::uint8_t> input, std::size_t& consumed,
                                     const CborLimits& limits = {});

}  // namespace hippocrate::auth::webauthn
