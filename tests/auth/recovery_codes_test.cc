// Recovery codes: generation (count, distinctness, entropy, alphabet coverage), normalisation
// of typed input, display format, and the keyed hash that is stored.
#include "auth/recovery_codes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "base/encoding.h"
#include "crypto/hmac.h"

namespace hippocrate::auth {
namespace {

SecretBytes pepper(char fill) { return SecretBytes::from(std::string(32, fill)); }

TEST(RecoveryCodes, TenDistinctCodesOfTwelveSymbols) {
  const auto codes = generate_recovery_codes();
  ASSERT_EQ(codes.size(), 10u);
  std::set<std::string> distinct;
  for (const SecretBytes& code : codes) {
    ASSERT_EQ(code.size(), kRecoveryCodeLength);
    for (char c : code.view()) {
      EXPECT_NE(kRecoveryCodeAlphabet.find(c), std::string_view::npos) << int{c};
    }
    distinct.insert(std::string(code.view()));
  }
  EXPECT_EQ(distinct.size(), 10u);
  EXPECT_EQ(generate_recovery_codes(3).size(), 3u);
  EXPECT_TRUE(generate_recovery_codes(0).empty());
  EXPECT_TRUE(generate_recovery_codes(-1).empty());
}

TEST(RecoveryCodes, AtLeastFiftyBitsEach) {
  const std::set<char> symbols(kRecoveryCodeAlphabet.begin(), kRecoveryCodeAlphabet.end());
  ASSERT_EQ(symbols.size(), kRecoveryCodeAlphabet.size());  // no duplicate symbol
  const double bits =
      std::log2(static_cast<double>(symbols.size())) * static_cast<double>(kRecoveryCodeLength);
  EXPECT_GE(bits, 50.0);
  EXPECT_EQ(bits, static_cast<double>(kRecoveryCodeBits));
  // Unambiguous: no i, l, o or u (Crockford).
  for (char c : std::string_view("ilou")) EXPECT_EQ(symbols.count(c), 0u) << c;
}

// A broken byte-to-symbol mapping (e.g. one covering only half the alphabet) would cut the
// entropy without breaking any other test. 1200 symbols miss one of 32 with odds ~10^-15.
TEST(RecoveryCodes, EverySymbolIsUsed) {
  std::set<char> seen;
  for (const SecretBytes& code : generate_recovery_codes(100)) {
    for (char c : code.view()) seen.insert(c);
  }
  EXPECT_EQ(seen.size(), kRecoveryCodeAlphabet.size());
}

TEST(RecoveryCodes, NormalisationAcceptsTypedForms) {
  for (std::string_view typed : {"ABCD-efgh-2345", "abcd-efgh-2345", "ABCDEFGH2345",
                                 " abcd efgh 2345 ", "ab-cd-ef-gh-23-45", "AbCd EfGh-2345"}) {
    SCOPED_TRACE(std::string(typed));
    EXPECT_EQ(normalize_recovery_code(typed), "abcdefgh2345");
  }
  // Crockford's look-alikes: I and L read as 1, O as 0.
  EXPECT_EQ(normalize_recovery_code("IiLl-Oo01-zzzz"), "11110001zzzz");
}

TEST(RecoveryCodes, NormalisationRejectsJunk) {
  for (std::string_view junk :
       {"", "----", "abcd-efgh-234", "abcd-efgh-23456", "abcd-efgh-234u", "abcd_efgh_2345",
        "abcd-efgh-234!", "abcd.efgh.2345", "abcd-efgh-234\xc3\xa9", "abcd\tefgh\t2345",
        "abcd-efgh-2345-abcd-efgh-2345"}) {
    SCOPED_TRACE(std::string(junk));
    EXPECT_EQ(normalize_recovery_code(junk), "");
  }
  EXPECT_EQ(normalize_recovery_code(std::string_view("abcd\0efgh2345", 13)), "");
}

TEST(RecoveryCodes, FormatGroupsByFour) {
  EXPECT_EQ(format_recovery_code("abcdefgh2345"), "abcd-efgh-2345");
  EXPECT_EQ(format_recovery_code("abcdefgh234"), "");
  for (const SecretBytes& code : generate_recovery_codes()) {
    const std::string shown = format_recovery_code(code.view());
    ASSERT_EQ(shown.size(), 14u);
    EXPECT_EQ(shown[4], '-');
    EXPECT_EQ(shown[9], '-');
    EXPECT_EQ(normalize_recovery_code(shown), code.view());  // what is shown can be typed back
  }
}

TEST(RecoveryCodes, HashIsHmacSha256KeyedByThePepper) {
  const SecretBytes key_a = pepper('a');
  const SecretBytes key_b = pepper('b');
  const RecoveryCodeHash h1 = hash_recovery_code(key_a, "abcdefgh2345");
  EXPECT_EQ(h1, hash_recovery_code(key_a, "abcdefgh2345"));  // deterministic
  EXPECT_NE(h1, hash_recovery_code(key_b, "abcdefgh2345"));  // keyed
  EXPECT_NE(h1, hash_recovery_code(key_a, "abcdefgh2346"));  // per code
  EXPECT_EQ(h1, crypto::hmac_sha256(key_a.span(), as_bytes("abcdefgh2345")));
  EXPECT_TRUE(recovery_code_matches(key_a, "abcdefgh2345", h1));
  EXPECT_FALSE(recovery_code_matches(key_b, "abcdefgh2345", h1));
  EXPECT_FALSE(recovery_code_matches(key_a, "abcdefgh2346", h1));
  EXPECT_FALSE(recovery_code_matches(key_a, "abcdefgh2345", std::span(h1).first(16)));
}

TEST(RecoveryCodes, IssuedCodesCarryTheirHashes) {
  const SecretBytes key = pepper('k');
  const auto issued = issue_recovery_codes(key);
  ASSERT_EQ(issued.size(), 10u);
  std::set<RecoveryCodeHash> hashes;
  for (const RecoveryCode& rc : issued) {
    EXPECT_EQ(rc.hash, hash_recovery_code(key, rc.code.view()));
    // Typed back in any presentation, the code finds its stored hash.
    std::string typed = format_recovery_code(rc.code.view());
    for (char& c : typed) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(recovery_code_matches(key, normalize_recovery_code(typed), rc.hash));
    hashes.insert(rc.hash);
  }
  EXPECT_EQ(hashes.size(), 10u);
}

}  // namespace
}  // namespace hippocrate::auth
