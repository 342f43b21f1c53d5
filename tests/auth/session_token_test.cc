#include "auth/session_token.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace hippocrate::auth {
namespace {

// A token is pasted on command lines (`hippocrate accept-invite TOKEN`): one starting with
// '-' was read as an option ("token is required"). 1 in 64 would; in 5,000 tokens the chance
// that none does, were the rule broken, is (63/64)^5000 ≈ 1e-34.
TEST(SessionToken, NeverStartsWithADashAndIsValidBase64url) {
  std::set<char> first_chars;
  for (int i = 0; i < 5000; ++i) {
    IssuedToken t = issue_token();
    const std::string text(t.text.view());
    ASSERT_EQ(text.size(), 43u);
    ASSERT_NE(text.front(), '-') << text;
    first_chars.insert(text.front());
    auto hash = hash_presented_token(text);
    ASSERT_TRUE(hash.ok());
    EXPECT_EQ(*hash, t.hash);
  }
  EXPECT_GE(first_chars.size(), 60u);  // every other first character still occurs
  EXPECT_TRUE(first_chars.contains('_'));
}

}  // namespace
}  // namespace hippocrate::auth
