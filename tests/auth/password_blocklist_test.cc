// The embedded common-password list (data/common-passwords.txt).
#include <gtest/gtest.h>

#include "auth/common_passwords.h"

namespace hippocrate::auth {
namespace {

TEST(CommonPasswords, HoldsTheTenThousandMostCommon) { EXPECT_EQ(common_password_count(), 10000u); }

TEST(CommonPasswords, MatchesTheTopOfTheListInAnyCase) {
  for (const char* pw : {"123456", "password", "12345678", "qwerty", "dragon", "iloveyou"}) {
    EXPECT_TRUE(is_common_password(pw)) << pw;
  }
  EXPECT_TRUE(is_common_password("PASSWORD"));
  EXPECT_TRUE(is_common_password("PassWord"));
  EXPECT_TRUE(is_common_password("QWERTY"));
}

TEST(CommonPasswords, MatchesLongEntriesAndPunctuation) {
  EXPECT_TRUE(is_common_password("qwerty123456"));
  EXPECT_TRUE(is_common_password("LeaveMeAlone"));
  EXPECT_TRUE(is_common_password("p@ssw0rd"));
  EXPECT_TRUE(is_common_password("asdfjkl;"));  // survives the embedding unescaped
}

TEST(CommonPasswords, MatchesOnlyTheWholePassword) {
  EXPECT_FALSE(is_common_password(""));
  EXPECT_FALSE(is_common_password("password "));
  EXPECT_FALSE(is_common_password("xpassword"));
  EXPECT_FALSE(is_common_password("my password is long"));
  EXPECT_FALSE(is_common_password("purple tractor violin moon"));
}

}  // namespace
}  // namespace hippocrate::auth
