// The binary frame codec (docs/messaging.md "Frame layout"): exact bytes, round trips, and
// strict refusal of anything else.
#include "messaging/wire_frame.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(encode_deliver("0123456789ABCDEF0123456789abcdef", kB, kC, 0, ciphertext)
                .error()
                .code(),
            "invalid_frame_field");
  EXPECT_EQ(encode_deliver(kA, kB, kC, 0, {}).error().code(), "invalid_frame_field");
}

TEST(WireFrame, EveryTypeRoundTrips) {
  const std::vector<Frame> frames = {
      Deliver{kA, kB, kC, 1'800'000'000, {1, 2, 3}},
      Send{kA, kB, {{kC, {9}}, {kB, Bytes(kMaxCiphertextBytes, 7)}}},
      Ack{{kA}},
      SendResult{kC, 42},
      ErrorFrame{kA, "device_list_mismatch", {{kB, {kC, kA}}, {kC, {}}}},
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
  std::string many = std::string("\x01\x02", 2) + raw_id(kA) + raw_id(kB) +
                     std::string("\x00\x00\x00\x21", 4);
  EXPECT_EQ(decode(many).error().code(), "malformed_frame");
  std::string none = std::string("\x01\x03\x00\x00\x00\x00", 6);
  EXPECT_EQ(decode(none).error().code(), "malformed_frame");
  // A ciphertext length past the limit is refused before anything is read.
  std::string huge = std::string("\x01\x02", 2) + raw_id(kA) + raw_id(kB) +
                     std::string("\x00\x00\x00\x01", 4) + raw_id(kC) +
                     std::string("\x00\x01\x00\x01", 4);
  EXPECT_EQ(decode(huge).error().code(), "malformed_frame");
}

TEST(WireFrame, TheEncoderRefusesWhatTheDecoderWould) {
  EXPECT_EQ(encode(Ack{{"not-an-id"}}).error().code(), "invalid_frame_field");
  EXPECT_EQ(encode(Ack{{}}).error().code(), "invalid_frame_field");
  EXPECT_EQ(encode(Send{kA, kB, {}}).error().code(), "invalid_frame_field");
  EXPECT_EQ(encode(Send{kA, kB, {{kC, {}}}}).error().code(), "invalid_frame_field");
  EXPECT_EQ(encode(Deliver{kA, kB, kC, 0, Bytes(kMaxCiphertextBytes + 1, 0)}).error().code(),
            "invalid_frame_field");
  EXPECT_EQ(encode(ErrorFrame{"", "", {}}).error().code(), "invalid_frame_field");
}

}  // namespace
}  // namespace hippocrate::messaging::wire
