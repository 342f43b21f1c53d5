// The binary frame codec (docs/messaging.md "Frame layout"): exact bytes, round trips, and
// strict refusal of anything else: only the encoder's own bytes decode.
#include "messaging/wire_frame.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>

namespace hippocrate::messaging::wire {
namespace {

const std::string kA = "00112233445566778899aabbccddeeff";
const std::string kB = "ffeeddccbbaa99887766554433221100";
const std::string kC = "0123456789abcdef0123456789abcdef";

std::string raw_id(const std::string& hex) {
  auto b = *hex_decode(hex);
  return std::string(b.begin(), b.end());
}

TEST(WireFrame, AckHasTheDocumentedBytes) {
  auto bytes = encode(Ack{{kA, kB}});
  ASSERT_TRUE(bytes.ok());
  const std::string want = std::string("\x01\x03\x00\x00\x00\x02", 6) + raw_id(kA) + raw_id(kB);
  EXPECT_EQ(*bytes, want);
}

TEST(WireFrame, DeliverHasTheDocumentedBytes) {
  auto bytes = encode(Deliver{kA, kB, kC, 0x0102030405060708ULL, {0xde, 0xad}});
  ASSERT_TRUE(bytes.ok());
  const std::string want = std::string("\x01\x01", 2) + raw_id(kA) + raw_id(kB) + raw_id(kC) +
                           std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8) +
                           std::string("\x00\x00\x00\x02\xde\xad", 6);
  EXPECT_EQ(*bytes, want);
  // The fan-out's encoder from views: the same bytes, the same refusals.
  const Bytes ciphertext = {0xde, 0xad};
  EXPECT_EQ(encode_deliver(kA, kB, kC, 0x0102030405060708ULL, ciphertext).value(), want);
  // Every hex digit at every position of an id (the decoder gives back the same id).
  const std::string digits = "0123456789abcdef0123456789abcdef";
  const std::string reversed(digits.rbegin(), digits.rend());
  auto all = encode_deliver(digits, reversed, kC, 7, ciphertext);
  ASSERT_TRUE(all.ok());
  auto back = decode(*all);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<Deliver>(*back), (Deliver{digits, reversed, kC, 7, ciphertext}));
  EXPECT_EQ(
      encode_deliver("0123456789ABCDEF0123456789abcdef", kB, kC, 0, ciphertext).error().code(),
      "invalid_frame_field");
  EXPECT_EQ(encode_deliver(kA, kB, kC, 0, {}).error().code(), "invalid_frame_field");
}

TEST(WireFrame, EveryTypeRoundTrips) {
  const std::vector<Frame> frames = {
      Deliver{kA, kB, kC, 1'800'000'000, {1, 2, 3}},
      Send{kA, kB, {{kC, {9}}, {kB, Bytes(kMaxCiphertextBytes, 7)}}},
      Ack{{kA}},
      SendResult{kC, 42},
      ErrorFrame{kA, "device_list_mismatch", {{kB, {kA, kC}}, {kC, {}}}},
      ErrorFrame{"", "malformed_frame", {}},
  };
  for (const auto& f : frames) {
    auto bytes = encode(f);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    auto back = decode(*bytes);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, f);
    EXPECT_EQ(static_cast<std::uint8_t>(type_of(*back)), static_cast<std::uint8_t>((*bytes)[1]));
  }
}

TEST(WireFrame, UnknownVersionAndTypeAreRefusedWithStableCodes) {
  auto good = *encode(Ack{{kA}});
  auto v2 = good;
  v2[0] = 2;
  EXPECT_EQ(decode(v2).error().code(), "unsupported_frame_version");
  auto t9 = good;
  t9[1] = 9;
  EXPECT_EQ(decode(t9).error().code(), "unknown_frame_type");
  EXPECT_EQ(decode("").error().code(), "malformed_frame");
  EXPECT_EQ(decode(std::string("\x01", 1)).error().code(), "malformed_frame");
}

TEST(WireFrame, TruncationTrailingBytesAndBadCountsAreMalformed) {
  auto send = *encode(Send{kA, kB, {{kC, {1, 2, 3}}}});
  for (std::size_t n = 2; n < send.size(); ++n) {
    EXPECT_EQ(decode(send.substr(0, n)).error().code(), "malformed_frame") << n;
  }
  EXPECT_EQ(decode(send + "x").error().code(), "malformed_frame");
  // 33 envelopes, and a zero count.
  std::string many =
      std::string("\x01\x02", 2) + raw_id(kA) + raw_id(kB) + std::string("\x00\x00\x00\x21", 4);
  EXPECT_EQ(decode(many).error().code(), "malformed_frame");
  std::string none = std::string("\x01\x03\x00\x00\x00\x00", 6);
  EXPECT_EQ(decode(none).error().code(), "malformed_frame");
  // A ciphertext length past the limit is refused before anything is read.
  std::string huge = std::string("\x01\x02", 2) + raw_id(kA) + raw_id(kB) +
                     std::string("\x00\x00\x00\x01", 4) + raw_id(kC) +
                     std::string("\x00\x01\x00\x01", 4);
  EXPECT_EQ(decode(huge).error().code(), "malformed_frame");
}

// The bytes of an error frame's tail: account entries as given (any order), for the
// explicit cases below.
using AccountEntries = std::vector<std::pair<std::string, std::vector<std::string>>>;
std::string error_bytes(const std::string& code, const AccountEntries& accounts) {
  auto u32 = [](std::uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  std::string out = std::string("\x01\x05", 2) + std::string(16, '\0') + u32(code.size()) + code +
                    u32(accounts.size());
  for (const auto& [account, devices] : accounts) {
    out += raw_id(account) + u32(devices.size());
    for (const auto& d : devices) out += raw_id(d);
  }
  return out;
}

TEST(WireFrame, AnErrorFrameListsAccountsAndDevicesInAscendingOrderOnly) {
  // kA < kC < kB (bytes, and hex text alike).
  const std::string sorted = error_bytes("device_list_mismatch", {{kA, {kC}}, {kB, {kA, kC}}});
  auto back = decode(sorted);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(encode(*back).value(), sorted);
  // Another order of the same accounts once decoded, and re-encoded sorted: now refused.
  for (const auto& bytes : {
           error_bytes("device_list_mismatch", {{kB, {kA, kC}}, {kA, {kC}}}),  // accounts
           error_bytes("device_list_mismatch", {{kA, {kC}}, {kA, {kC}}}),      // an account twice
           error_bytes("device_list_mismatch", {{kA, {kC}}, {kB, {kC, kA}}}),  // devices
           error_bytes("device_list_mismatch", {{kA, {kC, kC}}}),              // a device twice
           error_bytes("Device_list_mismatch", {}),                            // not snake_case
           error_bytes("device-list", {}),
           error_bytes(std::string("a\x1b[2J", 5), {}),
       }) {
    EXPECT_EQ(decode(bytes).error().code(), "malformed_frame");
  }
  // The encoder sorts each device list (a set) and refuses a repeat.
  const ErrorFrame unsorted{kC, "device_list_mismatch", {{kB, {kC, kA}}}};
  EXPECT_EQ(encode(unsorted).value(),
            *encode(ErrorFrame{kC, "device_list_mismatch", {{kB, {kA, kC}}}}));
  EXPECT_EQ(encode(ErrorFrame{kC, "device_list_mismatch", {{kB, {kA, kA}}}}).error().code(),
            "invalid_frame_field");
}

// Deterministic mutations of a frame's bytes: every byte changed four ways, dropped or
// doubled; every truncation; bytes appended; adjacent runs of 1, 4, 16, 20 and 36 bytes (an
// integer, an id, an id and a count, an account entry with one device) swapped.
std::vector<std::string> mutations(const std::string& b) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const auto c = static_cast<std::uint8_t>(b[i]);
    for (const std::uint8_t v :
         {static_cast<std::uint8_t>(c ^ 0x01), static_cast<std::uint8_t>(c ^ 0x80),
          std::uint8_t{0x00}, std::uint8_t{0xff}}) {
      if (v == c) continue;
      std::string m = b;
      m[i] = static_cast<char>(v);
      out.push_back(std::move(m));
    }
    out.push_back(std::string(b).erase(i, 1));
    out.push_back(std::string(b).insert(i, 1, b[i]));
    out.push_back(b.substr(0, i));
  }
  out.push_back(b + std::string(1, '\0'));
  out.push_back(b + b);
  for (const std::size_t run : {1, 4, 16, 20, 36}) {
    for (std::size_t i = 0; i + 2 * run <= b.size(); ++i) {
      std::string m = b;
      std::swap_ranges(m.begin() + static_cast<std::ptrdiff_t>(i),
                       m.begin() + static_cast<std::ptrdiff_t>(i + run),
                       m.begin() + static_cast<std::ptrdiff_t>(i + run));
      if (m != b) out.push_back(std::move(m));
    }
  }
  return out;
}

// The property: decode(bytes) succeeds only if encode(decode(bytes)) == bytes, over many
// mutated frames of every type.
TEST(WireFrame, OnlyTheEncodersBytesDecode) {
  const std::string kD = "00000000000000000000000000000001";
  const std::vector<Frame> frames = {
      Deliver{kA, kB, kC, 1'800'000'000, {1, 2, 3}},
      Send{kA, kB, {{kC, {9, 8}}, {kA, {7}}}},
      Ack{{kA, kB, kC}},
      SendResult{kC, 42},
      ErrorFrame{kA, "device_list_mismatch", {{kD, {kA}}, {kA, {kC}}, {kC, {kB}}}},
      ErrorFrame{kB, "device_list_mismatch", {{kA, {kD, kA, kC}}, {kB, {}}}},
      ErrorFrame{"", "malformed_frame", {}},
  };
  std::size_t tried = 0;
  std::size_t decoded = 0;
  std::set<std::uint8_t> types_decoded;
  for (const auto& f : frames) {
    const std::string bytes = *encode(f);
    for (const auto& m : mutations(bytes)) {
      ++tried;
      auto d = decode(m);
      if (!d.ok()) continue;
      ++decoded;
      types_decoded.insert(static_cast<std::uint8_t>(type_of(*d)));
      auto again = encode(*d);
      ASSERT_TRUE(again.ok()) << again.error().to_string();
      EXPECT_EQ(*again, m) << "type " << int(m[1]) << ": a mutation decoded to another frame";
    }
  }
  // Bounded, and meaningful: many mutations are still frames (ids, times, ciphertexts).
  EXPECT_LT(tried, 20'000u);
  EXPECT_GT(decoded, 500u);
  EXPECT_EQ(types_decoded.size(), 5u);
}

TEST(WireFrame, TheEncoderRefusesWhatTheDecoderWould) {
  EXPECT_EQ(encode(Ack{{"not-an-id"}}).error().code(), "invalid_frame_field");
  EXPECT_EQ(encode(Ack{{}}).error().code(), "invalid_frame_field");
  EXPECT_EQ(encode(Send{kA, kB, {}}).error().code(), "invalid_frame_field");
  EXPECT_EQ(encode(Send{kA, kB, {{kC, {}}}}).error().code(), "invalid_frame_field");
  EXPECT_EQ(encode(Deliver{kA, kB, kC, 0, Bytes(kMaxCiphertextBytes + 1, 0)}).error().code(),
            "invalid_frame_field");
  EXPECT_EQ(encode(ErrorFrame{"", "", {}}).error().code(), "invalid_frame_field");
  EXPECT_EQ(encode(ErrorFrame{"", std::string(kMaxErrorCodeBytes + 1, 'a'), {}}).error().code(),
            "invalid_frame_field");
  EXPECT_EQ(encode(ErrorFrame{"", "Not_Snake", {}}).error().code(), "invalid_frame_field");
}

}  // namespace
}  // namespace hippocrate::messaging::wire
