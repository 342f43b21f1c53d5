// Base32 (RFC 4648 §6): the §10 test vectors, lenient presentation, strict content.
#include "auth/base32.h"

#include <gtest/gtest.h>

#include "crypto/random.h"
#include "crypto/test_util.h"

namespace hippocrate::auth {
namespace {

using crypto::testing::fails_with;
using crypto::testing::is_ok;

struct Rfc4648Vector {
  std::string_view plain;
  std::string_view padded;
};

// RFC 4648 §10, the BASE32 lines.
constexpr Rfc4648Vector kVectors[] = {
    {"", ""},
    {"f", "MY======"},
    {"fo", "MZXQ===="},
    {"foo", "MZXW6==="},
    {"foob", "MZXW6YQ="},
    {"fooba", "MZXW6YTB"},
    {"foobar", "MZXW6YTBOI======"},
};

std::string without_padding(std::string_view s) { return std::string(s.substr(0, s.find('='))); }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(Base32, Rfc4648Section10EncodeUnpaddedUpperCase) {
  for (const auto& v : kVectors) {
    SCOPED_TRACE(std::string(v.plain));
    EXPECT_EQ(base32_encode(as_bytes(v.plain)), without_padding(v.padded));
  }
}

TEST(Base32, Rfc4648Section10DecodePaddedUnpaddedAnyCase) {
  for (const auto& v : kVectors) {
    SCOPED_TRACE(std::string(v.padded));
    for (const std::string& text :
         {std::string(v.padded), without_padding(v.padded), lower(std::string(v.padded))}) {
      const auto decoded = base32_decode(text);
      ASSERT_TRUE(is_ok(decoded));
      EXPECT_EQ(*decoded, to_bytes(v.plain));
    }
  }
}

TEST(Base32, IgnoresSpaces) {
  const auto decoded = base32_decode(" mzxw 6ytb OI== ==== ");
  ASSERT_TRUE(is_ok(decoded));
  EXPECT_EQ(*decoded, to_bytes("foobar"));
}

TEST(Base32, FullAlphabetRoundTrips) {
  // 32 symbols, each used once: 20 bytes.
  const std::string all = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const auto decoded = base32_decode(all);
  ASSERT_TRUE(is_ok(decoded));
  EXPECT_EQ(decoded->size(), 20u);
  EXPECT_EQ(base32_encode(*decoded), all);
}

TEST(Base32, RandomBytesRoundTrip) {
  for (std::size_t n = 0; n <= 41; ++n) {
    SCOPED_TRACE(n);
    const Bytes bytes = crypto::random_bytes(n);
    const std::string text = base32_encode(bytes);
    EXPECT_EQ(text.size(), (n * 8 + 4) / 5);
    const auto decoded = base32_decode(text);
    ASSERT_TRUE(is_ok(decoded));
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(Base32, RejectsCharactersOutsideTheAlphabet) {
  for (std::string_view bad : {"MZ0Q", "MZ1Q", "MZ8Q", "MZ9Q", "MZ-Q", "MZ_Q", "MZ+Q", "MZ/Q",
                               "MZ\tQ", "MZ\nQ", "MZXW6YT\xc3\x89"}) {
    SCOPED_TRACE(std::string(bad));
    EXPECT_TRUE(fails_with(base32_decode(bad), "invalid_base32"));
  }
  EXPECT_TRUE(fails_with(base32_decode(std::string_view("MZ\0Q", 4)), "invalid_base32"));
}

TEST(Base32, RejectsImpossibleLengthsAndBadPadding) {
  for (std::string_view bad :
       {"M", "MZX", "MZXW6Y", "MZXW6YTBM", "M=======", "MY=====", "MY=======", "MY==",
        "MZXW6YTB========", "M=Y=====", "MZXW6Y=Q", "=", "========"}) {
    SCOPED_TRACE(std::string(bad));
    EXPECT_TRUE(fails_with(base32_decode(bad), "invalid_base32"));
  }
}

// RFC 4648 §3.5: the unused bits of the last symbol must be zero (canonical encoding only).
TEST(Base32, RejectsNonCanonicalTrailingBits) {
  EXPECT_TRUE(is_ok(base32_decode("MY")));                                 // 'f' + 00
  EXPECT_TRUE(fails_with(base32_decode("MZ"), "invalid_base32"));          // 'f' + 01
  EXPECT_TRUE(fails_with(base32_decode("MZXW6YTBOJ"), "invalid_base32"));  // "foobar" + 0001
}

TEST(Base32, ErrorsDoNotQuoteTheInput) {
  const auto r = base32_decode("SECRETSECRET1");
  ASSERT_TRUE(fails_with(r, "invalid_base32"));
  EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(r.error().message().find("SECRET"), std::string::npos);
}

}  // namespace
}  // namespace hippocrate::auth
