#include "base/encoding.h"

#include <gtest/gtest.h>

#include <array>

namespace hippocrate {
namespace {

TEST(Hex, RoundTrips) {
  Bytes b = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(hex_encode(b), "0001abff");
  EXPECT_EQ(*hex_decode("0001abff"), b);
  EXPECT_EQ(*hex_decode("0001ABFF"), b);
  EXPECT_EQ(hex_encode({}), "");
  EXPECT_TRUE(hex_decode("")->empty());
}

TEST(Hex, RejectsBadInput) {
  EXPECT_EQ(hex_decode("abc").error().code(), "invalid_hex");
  EXPECT_EQ(hex_decode("zz").error().code(), "invalid_hex");
  EXPECT_EQ(hex_decode("00 1").error().code(), "invalid_hex");
}

TEST(Hex, DecodesIntoAFixedBuffer) {
  std::array<std::uint8_t, 4> out{};
  ASSERT_TRUE(hex_decode_into("0001abff", out).ok());
  EXPECT_EQ(out, (std::array<std::uint8_t, 4>{0x00, 0x01, 0xab, 0xff}));
  EXPECT_EQ(hex_decode_into("0001ab", out).error().code(), "invalid_hex");      // too short
  EXPECT_EQ(hex_decode_into("0001abff00", out).error().code(), "invalid_hex");  // too long
  EXPECT_EQ(hex_decode_into("0001abzz", out).error().code(), "invalid_hex");
  EXPECT_TRUE(hex_decode_into("", std::span<std::uint8_t>{}).ok());
}

// RFC 4648 §10 test vectors, in the URL-safe alphabet without padding.
TEST(Base64Url, Rfc4648Vectors) {
  EXPECT_EQ(base64url_encode(as_bytes("")), "");
  EXPECT_EQ(base64url_encode(as_bytes("f")), "Zg");
  EXPECT_EQ(base64url_encode(as_bytes("fo")), "Zm8");
  EXPECT_EQ(base64url_encode(as_bytes("foo")), "Zm9v");
  EXPECT_EQ(base64url_encode(as_bytes("foob")), "Zm9vYg");
  EXPECT_EQ(base64url_encode(as_bytes("fooba")), "Zm9vYmE");
  EXPECT_EQ(base64url_encode(as_bytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(*base64url_decode("Zm9vYmFy"), to_bytes("foobar"));
  Bytes url_chars = {0xfb, 0xff};
  EXPECT_EQ(base64url_encode(url_chars), "-_8");
  EXPECT_EQ(*base64url_decode("-_8"), url_chars);
}

TEST(Base64Url, RejectsPaddingAndForeignAlphabet) {
  EXPECT_EQ(base64url_decode("Zg==").error().code(), "invalid_base64url");
  EXPECT_EQ(base64url_decode("+/8").error().code(), "invalid_base64url");
  EXPECT_EQ(base64url_decode("Zm9 v").error().code(), "invalid_base64url");
}

}  // namespace
}  // namespace hippocrate
