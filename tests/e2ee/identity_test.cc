// Device identities and signed device lists (docs/protocol.md §2.1, §2.2).
#include <gtest/gtest.h>

#include "e2ee/device_list.h"
#include "e2ee/identity.h"
#include "e2ee_test_util.h"
#include "support/result_matchers.h"

namespace hippocrate::e2ee::testing {
namespace {

TEST(DeviceIdentity, SignedAndVerifiable) {
  auto id = generate_device_identity(random_id(), random_id());
  ASSERT_OK(id);
  EXPECT_OK(verify_device_identity(id->pub));
  auto decoded = decode_device_identity(encode_device_identity(id->pub));
  ASSERT_OK(decoded);
  EXPECT_EQ(*decoded, id->pub);
  EXPECT_EQ(encode_device_identity(id->pub).size(), kDeviceIdentityBytes);
}

TEST(DeviceIdentity, AnyChangedFieldBreaksTheSignature) {
  auto id = *generate_device_identity(random_id(), random_id());
  auto other_dh = id.pub;
  other_dh.dh_key = crypto::x25519_generate().public_key;
  EXPECT_ERROR_CODE(verify_device_identity(other_dh), "e2ee_bad_signature");
  auto other_device = id.pub;
  other_device.device_id = random_id();
  EXPECT_ERROR_CODE(verify_device_identity(other_device), "e2ee_bad_signature");
  auto other_account = id.pub;
  other_account.account_id = random_id();
  EXPECT_ERROR_CODE(verify_device_identity(other_account), "e2ee_bad_signature");
}

TEST(DeviceIdentity, RejectsBadIds) {
  EXPECT_ERROR_CODE(generate_device_identity("not-an-id", random_id()), "e2ee_malformed");
  Bytes encoded = encode_device_identity(generate_device_identity(random_id(), random_id())->pub);
  encoded.pop_back();
  EXPECT_ERROR_CODE(decode_device_identity(encoded), "e2ee_malformed");
}

TEST(DeviceIdentity, RebuiltFromItsSecretsIsTheSame) {
  const SecretBytes seed = SecretBytes::from(Bytes(32, 7));
  const SecretBytes dh = SecretBytes::from(Bytes(32, 9));
  const std::string account = random_id(), device = random_id();
  auto a = *device_identity_from_secrets(account, device, seed, dh);
  auto b = *device_identity_from_secrets(account, device, seed, dh);
  EXPECT_EQ(a.pub, b.pub);
}

TEST(DeviceList, SignVerifyRoundTrip) {
  TestAccount a = make_account(3);
  auto list = verify_device_list(a.signed_list, a.account_key.public_key, a.account_id, 0);
  ASSERT_OK(list);
  EXPECT_EQ(list->devices.size(), 3u);
  EXPECT_EQ(list->version, 1u);
  for (const auto& d : a.devices) EXPECT_NE(find_device(*list, d.pub().device_id), nullptr);
  EXPECT_EQ(find_device(*list, random_id()), nullptr);
}

TEST(DeviceList, SignedByTheWrongKeyIsRejected) {
  TestAccount a = make_account(2);
  AccountKey mallory = *generate_account_key(a.account_id);
  auto forged = sign_device_list(mallory, a.list);
  ASSERT_OK(forged);
  EXPECT_ERROR_CODE(verify_device_list(*forged, a.account_key.public_key, a.account_id, 0),
                    "e2ee_bad_signature");
}

TEST(DeviceList, AnyModifiedByteIsRejected) {
  TestAccount a = make_account(1);
  for (std::size_t i = 0; i < a.signed_list.size(); i += 7) {
    Bytes bad = a.signed_list;
    bad[i] ^= 0x04;
    EXPECT_FALSE(verify_device_list(bad, a.account_key.public_key, a.account_id, 0).ok())
        << "byte " << i;
  }
}

TEST(DeviceList, OlderVersionThanLastSeenIsRejected) {
  TestAccount a = make_account(2);
  const Bytes v1 = a.signed_list;
  a.devices.pop_back();  // revoke a device
  a.publish();
  ASSERT_EQ(a.list.version, 2u);
  EXPECT_OK(verify_device_list(a.signed_list, a.account_key.public_key, a.account_id, 2));
  // The server replays the old list that still has the revoked device.
  EXPECT_ERROR_CODE(verify_device_list(v1, a.account_key.public_key, a.account_id, 2),
                    "e2ee_stale_device_list");
}

TEST(DeviceList, OtherAccountIsRejected) {
  TestAccount a = make_account(1);
  TestAccount b = make_account(1);
  EXPECT_ERROR_CODE(verify_device_list(b.signed_list, b.account_key.public_key, a.account_id, 0),
                    "e2ee_account_mismatch");
}

TEST(DeviceList, EntryWithBrokenDeviceSignatureIsRejected) {
  TestAccount a = make_account(1);
  DeviceList list = a.list;
  list.devices[0].dh_key = crypto::x25519_generate().public_key;  // self-signature now wrong
  auto signed_list = sign_device_list(a.account_key, list);
  ASSERT_OK(signed_list);
  EXPECT_ERROR_CODE(verify_device_list(*signed_list, a.account_key.public_key, a.account_id, 0),
                    "e2ee_bad_signature");
}

TEST(DeviceList, UnknownFormatAndBadShapesAreRejected) {
  TestAccount a = make_account(1);
  Bytes v2 = a.signed_list;
  v2[0] = 0x02;
  EXPECT_ERROR_CODE(verify_device_list(v2, a.account_key.public_key, a.account_id, 0),
                    "e2ee_unknown_version");
  Bytes trailing = a.signed_list;
  trailing.push_back(0);
  EXPECT_ERROR_CODE(verify_device_list(trailing, a.account_key.public_key, a.account_id, 0),
                    "e2ee_malformed");
  DeviceList dup = a.list;
  dup.devices.push_back(dup.devices[0]);
  EXPECT_ERROR_CODE(sign_device_list(a.account_key, dup), "e2ee_malformed");
  DeviceList empty = a.list;
  empty.devices.clear();
  EXPECT_ERROR_CODE(sign_device_list(a.account_key, empty), "e2ee_malformed");
  AccountKey public_only = a.account_key;
  public_only.secret_key = nullptr;
  EXPECT_ERROR_CODE(sign_device_list(public_only, a.list), "e2ee_bad_key");
}

}  // namespace
}  // namespace hippocrate::e2ee::testing
