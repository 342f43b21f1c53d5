// The strict CBOR decoder (cbor.h): what RFC 8949 allows and the CTAP2 canonical form keeps,
// and every construct it must refuse.
#include "auth/webauthn/cbor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "cbor_writer.h"
#include "support/result_matchers.h"

namespace hippocrate::auth::webauthn::testing {
namespace {

Bytes hex(const std::string& h) {
  if (h.empty()) return {};
  auto b = hex_decode(h);
  if (!b) throw std::runtime_error("bad hex in test");
  return *b;
}

Result<CborValue> decode(const std::string& h, const CborLimits& limits = {}) {
  const Bytes b = hex(h);
  return cbor_decode(b, limits);
}

void expect_refused(const std::string& h, const CborLimits& limits = {}) {
  SCOPED_TRACE(h);
  auto r = decode(h, limits);
  EXPECT_ERROR_CODE(r, "webauthn_malformed");
  if (!r.ok()) {
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidArgument);
  }
}

TEST(Cbor, Integers) {
  // RFC 8949 Appendix A examples, in their shortest forms.
  const std::pair<const char*, std::int64_t> cases[] = {
      {"00", 0},
      {"17", 23},
      {"1818", 24},
      {"1903e8", 1000},
      {"1a000f4240", 1000000},
      {"20", -1},
      {"3863", -100},
      {"3903e7", -1000},
      {"1b7fffffffffffffff", INT64_MAX},
      {"3b7fffffffffffffff", INT64_MIN},
  };
  for (const auto& [h, v] : cases) {
    SCOPED_TRACE(h);
    ASSERT_OK_AND_ASSIGN(auto value, decode(h));
    ASSERT_TRUE(value.is_integer());
    EXPECT_EQ(value.as_integer(), v);
  }
}

TEST(Cbor, IntegersOutsideInt64AreRefused) {
  expect_refused("1b8000000000000000");  // 2^63
  expect_refused("1bffffffffffffffff");  // 2^64 - 1 (RFC 8949 Appendix A)
  expect_refused("3b8000000000000000");  // -2^63 - 1
  expect_refused("3bffffffffffffffff");  // -2^64
}

TEST(Cbor, ArgumentsNotInTheirShortestFormAreRefused) {
  expect_refused("1817");                // 23 on one more byte
  expect_refused("190017");              // 23 on two
  expect_refused("1900ff");              // 255 on two
  expect_refused("1a0000ffff");          // 65535 on four
  expect_refused("1b00000000ffffffff");  // 2^32 - 1 on eight
  expect_refused("3817");                // -24 on one more byte
  expect_refused("580100");              // a byte string of 1 with a one-byte length
  expect_refused("780161");              // a text string likewise
  expect_refused("9800");                // an empty array, length on one byte
}

TEST(Cbor, IndefiniteLengthsAndReservedValuesAreRefused) {
  expect_refused("5f42010243030405ff");  // RFC 8949 Appendix A: (_ h'0102', h'030405')
  expect_refused("7f657374726561646d696e67ff");
  expect_refused("9f018202039f0405ffff");
  expect_refused("bf61610161629f0203ffff");
  expect_refused("ff");  // a lone break
  expect_refused("1c");  // additional information 28, 29, 30: reserved
  expect_refused("1d");
  expect_refused("1e");
}

TEST(Cbor, TagsFloatsAndOtherSimpleValuesAreRefused) {
  expect_refused("c074323031332d30332d32315432303a30343a30305a");  // tag 0
  expect_refused("c11a514b67b0");                                  // tag 1
  expect_refused("d818456449455446");                              // tag 24
  expect_refused("f90000");                                        // 0.0, half precision
  expect_refused("fa47c35000");                                    // 100000.0, single
  expect_refused("fb3ff199999999999a");                            // 1.1, double
  expect_refused("f7");                                            // undefined
  expect_refused("f0");                                            // simple(16)
  expect_refused("f818");                                          // simple(24), two bytes
  expect_refused("f8ff");                                          // simple(255)
}

TEST(Cbor, FalseTrueNull) {
  ASSERT_OK_AND_ASSIGN(auto f, decode("f4"));
  EXPECT_EQ(f.type(), CborValue::Type::kBool);
  EXPECT_FALSE(f.as_bool());
  ASSERT_OK_AND_ASSIGN(auto t, decode("f5"));
  EXPECT_TRUE(t.as_bool());
  ASSERT_OK_AND_ASSIGN(auto n, decode("f6"));
  EXPECT_EQ(n.type(), CborValue::Type::kNull);
}

TEST(Cbor, Strings) {
  ASSERT_OK_AND_ASSIGN(auto b, decode("4401020304"));
  EXPECT_EQ(b.as_bytes(), (Bytes{1, 2, 3, 4}));
  ASSERT_OK_AND_ASSIGN(auto empty, decode("40"));
  EXPECT_TRUE(empty.as_bytes().empty());
  ASSERT_OK_AND_ASSIGN(auto t, decode("62c3bc"));  // "ü"
  EXPECT_EQ(t.as_text(), "\xc3\xbc");
  ASSERT_OK_AND_ASSIGN(auto e, decode("64f0908591"));  // U+10151
  EXPECT_EQ(e.as_text().size(), 4u);
}

TEST(Cbor, TextThatIsNotUtf8IsRefused) {
  expect_refused("61ff");        // not a UTF-8 byte
  expect_refused("6180");        // a lone continuation byte
  expect_refused("62c080");      // overlong NUL
  expect_refused("63e08080");    // overlong, three bytes
  expect_refused("63eda080");    // U+D800, a surrogate
  expect_refused("64f4908080");  // U+110000, above the last code point
  expect_refused("61c3");        // a sequence cut short
}

TEST(Cbor, TruncatedInputIsRefused) {
  expect_refused("");
  expect_refused("18");      // the argument's byte is missing
  expect_refused("1a0000");  // two of four
  expect_refused("4201");    // two bytes declared, one present
}

TEST(Cbor, TrailingBytesAreRefusedUnlessAPrefixIsAsked) {
  expect_refused("0000");
  expect_refused("a0ff");
  const Bytes b =
      hex("a10102"
          "a0");
  std::size_t consumed = 0;
  ASSERT_OK_AND_ASSIGN(auto v, cbor_decode_prefix(b, consumed));
  EXPECT_TRUE(v.is_map());
  EXPECT_EQ(consumed, 3u);
}

TEST(Cbor, MapsInCanonicalOrder) {
  // A COSE key's labels: 1, 3, -1, -2, -3 (WebAuthn §6.5.1.1).
  ASSERT_OK_AND_ASSIGN(auto key, decode("a5010203262001215820" + std::string(64, '1') + "225820" +
                                        std::string(64, '2')));
  ASSERT_TRUE(key.is_map());
  EXPECT_EQ(key.as_map().size(), 5u);
  ASSERT_NE(key.find(3), nullptr);
  EXPECT_EQ(key.find(3)->as_integer(), -7);
  EXPECT_EQ(key.find(4), nullptr);
  EXPECT_EQ(key.find("x"), nullptr);
  // Text keys sort by length first: "fmt", "attStmt", "authData" (an attestation object).
  const Bytes object = cbor_map({{cbor_text("fmt"), cbor_text("none")},
                                 {cbor_text("attStmt"), cbor_map({})},
                                 {cbor_text("authData"), cbor_bytes({})}});
  ASSERT_OK_AND_ASSIGN(auto o, cbor_decode(object));
  EXPECT_EQ(o.find("fmt")->as_text(), "none");
  // Integer keys before text keys (major type 0 < 1 < 3).
  EXPECT_OK(cbor_decode(cbor_map(
      {{cbor_int(10), cbor_int(0)}, {cbor_int(-1), cbor_int(0)}, {cbor_text("a"), cbor_int(0)}})));
}

TEST(Cbor, MapKeysOutOfOrderRepeatedOrOfOtherTypesAreRefused) {
  expect_refused("a203000100");    // {3: 0, 1: 0}
  expect_refused("a201000100");    // {1: 0, 1: 0}
  expect_refused("a220000100");    // {-1: 0, 1: 0}: negative before unsigned
  expect_refused("a21818001700");  // {24: 0, 23: 0}: the longer encoding first
  expect_refused(
      "a2"
      "67617474536d74"
      "a0"
      "63666d74"
      "646e6f6e65");  // {"attStmt", "fmt"}
  expect_refused(
      "a1"
      "4100"
      "00");  // a byte-string key
  expect_refused(
      "a1"
      "80"
      "00");  // an array key
  expect_refused(
      "a1"
      "f5"
      "00");  // a boolean key
  expect_refused(
      "a1"
      "f6"
      "00");  // a null key
  // Without the canonical order, a different order passes but a repeat never does.
  CborLimits lax;
  lax.canonical_key_order = false;
  EXPECT_OK(decode("a203000100", lax));
  expect_refused("a3010003000100", lax);  // {1, 3, 1}
}

TEST(Cbor, DepthLimit) {
  CborLimits limits;
  limits.max_depth = 3;
  EXPECT_OK(decode("81818100", limits));  // [[[0]]]
  expect_refused("8181818100", limits);   // [[[[0]]]]
  EXPECT_OK(decode("a101a101a10100", limits));
  expect_refused("a101a101a101a10100", limits);
  // The default (8) holds what WebAuthn carries; 9 levels do not pass.
  std::string eight, nine;
  for (int k = 0; k < 8; ++k) eight += "81";
  nine = eight + "81";
  EXPECT_OK(decode(eight + "00"));
  expect_refused(nine + "00");
}

TEST(Cbor, ItemCountLimitAndDeclaredCountsTheInputCannotHold) {
  CborLimits limits;
  limits.max_items = 2;
  EXPECT_OK(decode("820102", limits));
  expect_refused("83010203", limits);
  // 2^32 - 1 items declared in five bytes: refused before anything is reserved.
  expect_refused("9affffffff");
  expect_refused("bbffffffffffffffff");
  expect_refused(
      "9903e8"
      "00");  // 1000 items declared, one present
  expect_refused(
      "b901f4"
      "0000");
}

TEST(Cbor, SizeLimit) {
  CborLimits limits;
  limits.max_bytes = 4;
  EXPECT_OK(decode("43010203", limits));
  expect_refused("4401020304", limits);
}

TEST(Cbor, ArraysAndNesting) {
  ASSERT_OK_AND_ASSIGN(auto v, decode("8301820203820405"));  // [1, [2, 3], [4, 5]]
  ASSERT_TRUE(v.is_array());
  ASSERT_EQ(v.as_array().size(), 3u);
  EXPECT_EQ(v.as_array()[1].as_array()[1].as_integer(), 3);
}

}  // namespace
}  // namespace hippocrate::auth::webauthn::testing
