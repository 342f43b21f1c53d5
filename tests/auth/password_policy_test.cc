// check_password_policy: every rule of SECURITY-REQUIREMENTS "Passwords", with the error
// code each refusal must carry and a message that never repeats the password.
#include "auth/password_policy.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace hippocrate::auth {
namespace {

Status check(std::string_view password, const PasswordContext& context = {},
             const PasswordPolicy& policy = {}) {
  return check_password_policy(SecretBytes::from(password), context, policy);
}

::testing::AssertionResult accepted(std::string_view password,
                                    const PasswordContext& context = {}) {
  const Status s = check(password, context);
  if (s.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << s.error().to_string();
}

// Refused with `code`, as invalid_argument, with a non-empty message that does not echo
// the password.
::testing::AssertionResult refused(std::string_view password, const std::string& code,
                                   const PasswordContext& context = {},
                                   const PasswordPolicy& policy = {}) {
  const Status s = check(password, context, policy);
  if (s.ok()) return ::testing::AssertionFailure() << "accepted; expected " << code;
  const Error& e = s.error();
  if (e.code() != code)
    return ::testing::AssertionFailure() << e.to_string() << "; expected " << code;
  if (e.kind() != ErrorKind::kInvalidArgument) {
    return ::testing::AssertionFailure() << "kind " << error_kind_name(e.kind());
  }
  if (e.message().empty()) return ::testing::AssertionFailure() << "empty message";
  if (e.message().find(password) != std::string::npos) {
    return ::testing::AssertionFailure() << "message echoes the password: " << e.message();
  }
  return ::testing::AssertionSuccess();
}

// A deterministic string of `n` printable ASCII characters with no structure zxcvbn finds.
std::string random_printable(std::size_t n) {
  std::string out;
  std::uint32_t x = 12345;
  while (out.size() < n) {
    x = x * 1103515245u + 12345u;
    out.push_back(static_cast<char>('!' + (x >> 16) % 94));
  }
  return out;
}

const PasswordContext kMarie{"marie.dupont@example.org", "Marie-Claire Dupont", {}};

TEST(PasswordPolicy, ExportsTheRequiredNumbers) {
  EXPECT_EQ(kPasswordMinLength, 12u);
  EXPECT_EQ(kPasswordMaxLength, 256u);
  EXPECT_EQ(kPasswordMaxBytes, 1024u);
  EXPECT_EQ(kPasswordMinEntropyBits, 50.0);
  const PasswordPolicy defaults;
  EXPECT_EQ(defaults.min_length, kPasswordMinLength);
  EXPECT_EQ(defaults.max_length, kPasswordMaxLength);
  EXPECT_EQ(defaults.min_entropy_bits, kPasswordMinEntropyBits);
}

TEST(PasswordPolicy, RefusesWeakPasswords) {
  EXPECT_TRUE(refused("password1234", "password_too_weak"));
  EXPECT_TRUE(refused("aaaaaaaaaaaa", "password_too_weak"));
  EXPECT_TRUE(refused("abcdefghijklmnop", "password_too_weak"));
  EXPECT_TRUE(refused("qwertyuiopasdfgh", "password_too_weak"));
  // Accented letters are not scored as random bytes.
  EXPECT_TRUE(refused("éééééééééééé", "password_too_weak"));
  EXPECT_TRUE(refused("ÀÉÈÊËÎÏÔÙÛÜÇ", "password_too_weak"));
  const Status s = check("aaaaaaaaaaaa");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("bits"), std::string::npos);
  EXPECT_NE(s.error().message().find("unrelated words"), std::string::npos);
}

TEST(PasswordPolicy, RefusesCommonPasswordsInAnyCase) {
  EXPECT_TRUE(refused("qwerty123456", "password_too_common"));
  EXPECT_TRUE(refused("QWERTY123456", "password_too_common"));
  EXPECT_TRUE(refused("LeaveMeAlone", "password_too_common"));
  EXPECT_TRUE(refused("123qweasdzxc", "password_too_common"));
  EXPECT_TRUE(refused("qwérty123456", "password_too_common"));  // accents do not hide it
  // The top of the list is shorter than 12; with a lower minimum it is still refused.
  const PasswordPolicy short_ok{4, kPasswordMaxLength, 0.0};
  // ("password" itself would fail the no-echo check: the message says "passwords".)
  for (const char* pw : {"123456", "PASSWORD", "Qwerty", "dragon", "iloveyou"}) {
    EXPECT_TRUE(refused(pw, "password_too_common", {}, short_ok)) << pw;
  }
}

TEST(PasswordPolicy, RefusesPasswordsContainingTheEmail) {
  EXPECT_TRUE(refused("zebra marie.dupont tulip", "password_contains_personal_info", kMarie));
  EXPECT_TRUE(refused("x MARIE.DUPONT@EXAMPLE.ORG y", "password_contains_personal_info", kMarie));
  const PasswordContext short_name{"gk.w@example.org", "", {}};
  EXPECT_TRUE(refused("violin GK.W tractor moon", "password_contains_personal_info", short_name));
  const Status s = check("zebra marie.dupont tulip", kMarie);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("e-mail"), std::string::npos) << s.error().message();
}

TEST(PasswordPolicy, RefusesPasswordsContainingTheName) {
  const PasswordContext context{"mc.d@example.org", "Marie-Claire Dupont", {}};
  EXPECT_TRUE(refused("horse battery DUPONT violin", "password_contains_personal_info", context));
  EXPECT_TRUE(refused("purple claire tractor moon", "password_contains_personal_info", context));
  const Status s = check("horse battery DUPONT violin", context);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("your name"), std::string::npos) << s.error().message();
  // Accented names match in any case.
  const PasswordContext accented{"e.b@example.org", "Éloïse Bérénice", {}};
  EXPECT_TRUE(refused("violet ÉLOÏSE tractor moon", "password_contains_personal_info", accented));
  EXPECT_TRUE(refused("violet bÉrÉnice tractor moon", "password_contains_personal_info", accented));
  EXPECT_TRUE(refused("violet eloise tractor moon", "password_contains_personal_info", accented));
  const PasswordContext cyrillic{"n.p@example.org", "Наталья Петрова", {}};
  EXPECT_TRUE(refused("violet НАТАЛЬЯ tractor moon", "password_contains_personal_info", cyrillic));
  // Name parts under 3 characters are not words to refuse.
  const PasswordContext short_parts{"jo@example.org", "Li Wu", {}};
  EXPECT_TRUE(accepted("Li wu purple tractor violin ocean", short_parts));
}

TEST(PasswordPolicy, RefusesTheProductNameAndExtraWords) {
  EXPECT_TRUE(refused("purple HIPPOCRATE elephant sings", "password_contains_personal_info"));
  EXPECT_TRUE(refused("Hippocrate2024!Strong", "password_contains_personal_info"));
  const Status s = check("purple hippocrate elephant sings");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("name of this service"), std::string::npos);
  const PasswordContext clinic{"a@example.org", "", {"Clinique Pasteur"}};
  EXPECT_TRUE(refused("orange clinique pasteur river", "password_contains_personal_info", clinic));
}

TEST(PasswordPolicy, CountsLengthInCodePoints) {
  // 8 × "€" (3 bytes) + 3 × "é" (2 bytes): 30 bytes but 11 characters.
  const std::string eleven = "€€€€€€€€ééé";
  ASSERT_EQ(eleven.size(), 30u);
  EXPECT_TRUE(refused(eleven, "password_too_short"));
  EXPECT_TRUE(refused("Tq7#vWm2!pL", "password_too_short"));
  const Status s = check("Tq7#vWm2!pL");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("12"), std::string::npos);
}

TEST(PasswordPolicy, AcceptsExactlyTwelveStrongCharacters) {
  EXPECT_TRUE(accepted("Tq7#vWm2!pLz"));
}

TEST(PasswordPolicy, AcceptsUpTo256Characters) {
  EXPECT_TRUE(accepted(random_printable(256)));
  EXPECT_TRUE(refused(random_printable(257), "password_too_long"));
  // 257 two-byte characters (514 bytes) are also too long: code points count.
  std::string accents;
  for (int i = 0; i < 257; ++i) accents += (i % 2 != 0) ? "é" : "ß";
  EXPECT_TRUE(refused(accents, "password_too_long"));
}

TEST(PasswordPolicy, RefusesHugeInputAsTooLongBeforeAnythingElse) {
  // 10 KB, invalid UTF-8 and control characters included: the byte cap answers first.
  std::string huge(10 * 1024, 'a');
  huge[5] = '\n';
  huge[7] = '\xff';
  EXPECT_TRUE(refused(huge, "password_too_long"));
  EXPECT_TRUE(refused(std::string(kPasswordMaxBytes + 1, 'x'), "password_too_long"));
}

TEST(PasswordPolicy, RefusesControlCharacters) {
  for (const std::string& pw :
       {std::string("correct horse\tbattery staple"), std::string("correct horse\nbattery"),
        std::string("correct horse\x7f battery"), std::string("correct\0horse battery", 21),
        std::string("correct horse \xc2\x85 battery"),         // U+0085 NEXT LINE (C1)
        std::string("correct horse \xe2\x80\xa8 battery")}) {  // U+2028 LINE SEPARATOR
    EXPECT_TRUE(refused(pw, "password_invalid_character")) << pw.size();
  }
}

TEST(PasswordPolicy, RefusesInvalidUtf8) {
  for (const std::string& bad :
       {std::string("\xc3\x28"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
        std::string("\xf4\x90\x80\x80"), std::string("\x80"), std::string("\xe2\x82")}) {
    EXPECT_TRUE(refused("purple tractor violin " + bad, "password_invalid_encoding"));
    EXPECT_TRUE(refused(bad + " purple tractor violin", "password_invalid_encoding"));
  }
}

TEST(PasswordPolicy, AcceptsLongUnicodePassphrasesWithSpaces) {
  EXPECT_TRUE(accepted("le café de grand-mère sent la cannelle et la pluie"));
  EXPECT_TRUE(accepted("Ωμέγα кошка 猫 sur le toit 🐈 à minuit"));
  EXPECT_TRUE(accepted("purple tractor violin ocean", kMarie));
}

TEST(PasswordPolicy, ThresholdsAreConfigurable) {
  const PasswordPolicy strict{20, 30, 50.0};
  EXPECT_TRUE(refused("Tq7#vWm2!pLz", "password_too_short", {}, strict));
  EXPECT_TRUE(refused("purple tractor violin ocean moon", "password_too_long", {}, strict));
  const PasswordPolicy very_strong{12, 256, 200.0};
  EXPECT_TRUE(refused("Tq7#vWm2!pLz", "password_too_weak", {}, very_strong));
}

}  // namespace
}  // namespace hippocrate::auth
