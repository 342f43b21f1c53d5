// Safety numbers and their QR payload (docs/protocol.md §7).
#include <gtest/gtest.h>

#include "e2ee/safety_number.h"
#include "e2ee_test_util.h"
#include "support/result_matchers.h"

namespace hippocrate::e2ee::testing {
namespace {

AccountFingerprintInput account() {
  const std::string id = random_id();
  return {id, generate_account_key(id)->public_key};
}

TEST(SafetyNumber, SixtyDigitsAndTheSameOnBothSides) {
  const auto alice = account();
  const auto bob = account();
  auto ab = safety_number(alice, bob);
  auto ba = safety_number(bob, alice);
  ASSERT_OK(ab);
  ASSERT_OK(ba);
  EXPECT_EQ(*ab, *ba);
  EXPECT_EQ(ab->size(), kSafetyNumberDigits);
  EXPECT_EQ(ab->find_first_not_of("0123456789"), std::string::npos);
  EXPECT_EQ(format_safety_number(*ab).size(), 60u + 11u);
}

TEST(SafetyNumber, ChangesWhenAKeyChanges) {
  const auto alice = account();
  auto bob = account();
  const std::string before = *safety_number(alice, bob);
  bob.account_key = generate_account_key(bob.account_id)->public_key;
  EXPECT_NE(*safety_number(alice, bob), before);
}

TEST(SafetyNumber, QrScannedFromThePeerVerifies) {
  const auto alice = account();
  const auto bob = account();
  auto shown_by_bob = safety_number_qr(bob, alice);
  ASSERT_OK(shown_by_bob);
  EXPECT_TRUE(shown_by_bob->starts_with(kSafetyNumberQrPrefix));
  EXPECT_OK(verify_safety_number_qr(*shown_by_bob, alice, bob));
  // A code from another conversation, or one's own code, does not verify.
  const auto mallory = account();
  EXPECT_ERROR_CODE(verify_safety_number_qr(*safety_number_qr(mallory, alice), alice, bob),
                    "e2ee_safety_number_mismatch");
  EXPECT_ERROR_CODE(verify_safety_number_qr(*safety_number_qr(alice, bob), alice, bob),
                    "e2ee_safety_number_mismatch");
  EXPECT_ERROR_CODE(verify_safety_number_qr("hello", alice, bob), "e2ee_malformed");
}

}  // namespace
}  // namespace hippocrate::e2ee::testing
