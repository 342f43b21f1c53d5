// Signed and one-time prekeys, bundles, the prekey store life cycle, and X3DH agreement
// (docs/protocol.md §2.3-§3).
#include <gtest/gtest.h>

#include "e2ee/prekey_store.h"
#include "e2ee/prekeys.h"
#include "e2ee/x3dh.h"
#include "e2ee_test_util.h"
#include "support/result_matchers.h"

namespace hippocrate::e2ee::testing {
namespace {

TEST(SignedPrekey, VerifiesUnderItsDeviceOnly) {
  TestDevice d = make_device(random_id());
  TestDevice other = make_device(d.pub().account_id);
  const auto& spk = current_signed_prekey(d.prekeys)->pub;
  EXPECT_OK(verify_signed_prekey(d.pub(), spk, kNow));
  EXPECT_ERROR_CODE(verify_signed_prekey(other.pub(), spk, kNow), "e2ee_bad_signature");
  auto moved = spk;
  moved.created_at += 1;
  EXPECT_ERROR_CODE(verify_signed_prekey(d.pub(), moved, kNow), "e2ee_bad_signature");
}

TEST(SignedPrekey, StaleOrFutureIsRejected) {
  TestDevice d = make_device(random_id());
  const auto& spk = current_signed_prekey(d.prekeys)->pub;
  EXPECT_OK(verify_signed_prekey(d.pub(), spk, kNow + kSignedPrekeyMaxAgeSeconds));
  EXPECT_ERROR_CODE(verify_signed_prekey(d.pub(), spk, kNow + kSignedPrekeyMaxAgeSeconds + 1),
                    "e2ee_stale_prekey");
  EXPECT_ERROR_CODE(verify_signed_prekey(d.pub(), spk, kNow - 2 * 3600), "e2ee_stale_prekey");
}

TEST(PrekeyPool, ReplenishBelowTwentyUpToAHundred) {
  EXPECT_EQ(one_time_prekeys_to_generate(100), 0u);
  EXPECT_EQ(one_time_prekeys_to_generate(20), 0u);
  EXPECT_EQ(one_time_prekeys_to_generate(19), 81u);
  EXPECT_EQ(one_time_prekeys_to_generate(0), 100u);
}

TEST(PrekeyStore, FirstRefreshCreatesEverything) {
  auto id = *generate_device_identity(random_id(), random_id());
  auto r = refresh_prekeys(id, PrekeyStore{}, 0, kNow, system_key_source());
  ASSERT_OK(r);
  ASSERT_TRUE(r->new_signed_prekey.has_value());
  EXPECT_EQ(r->new_one_time_prekeys.size(), 100u);
  EXPECT_EQ(r->store.one_time_prekeys.size(), 100u);
  EXPECT_EQ(r->store.next_one_time_prekey_id, 101u);
  // Nothing to do a day later with 50 left on the server.
  auto again = refresh_prekeys(id, r->store, 50, kNow + 86400, system_key_source());
  ASSERT_OK(again);
  EXPECT_FALSE(again->new_signed_prekey.has_value());
  EXPECT_TRUE(again->new_one_time_prekeys.empty());
}

TEST(PrekeyStore, RotatesWeeklyAndKeepsReplacedKeysForTheAcceptanceWindow) {
  auto id = *generate_device_identity(random_id(), random_id());
  PrekeyStore store = refresh_prekeys(id, PrekeyStore{}, 100, kNow, system_key_source())->store;
  const std::uint32_t first = current_signed_prekey(store)->pub.id;
  auto week =
      refresh_prekeys(id, store, 100, kNow + kSignedPrekeyRotationSeconds, system_key_source());
  ASSERT_OK(week);
  ASSERT_TRUE(week->new_signed_prekey.has_value());
  EXPECT_NE(week->new_signed_prekey->id, first);
  EXPECT_NE(find_signed_prekey(week->store, first), nullptr);  // still accepted by senders
  auto later = refresh_prekeys(id, week->store, 100, kNow + 40 * 86400, system_key_source());
  ASSERT_OK(later);
  EXPECT_EQ(find_signed_prekey(later->store, first), nullptr);
  EXPECT_EQ(store.signed_prekeys.size(), 1u);  // the input was not modified
}

TEST(PrekeyBundle, EncodeDecodeRoundTrip) {
  TestDevice d = make_device(random_id());
  for (bool with_otp : {true, false}) {
    PrekeyBundle b = bundle_of(d, with_otp);
    auto decoded = decode_bundle(encode_bundle(b));
    ASSERT_OK(decoded);
    EXPECT_EQ(*decoded, b);
  }
  Bytes bad = encode_bundle(bundle_of(d));
  bad[0] = 7;
  EXPECT_ERROR_CODE(decode_bundle(bad), "e2ee_unknown_version");
  bad = encode_bundle(bundle_of(d));
  bad[1 + 160 + 108] = 2;  // has_one_time flag
  EXPECT_ERROR_CODE(decode_bundle(bad), "e2ee_malformed");
}

TEST(PrekeyBundle, VerifiedAgainstTheDeviceList) {
  TestAccount bob = make_account(2);
  EXPECT_OK(verify_bundle(bundle_of(bob.devices[0]), bob.list, kNow));
  TestDevice outsider = make_device(bob.account_id);
  EXPECT_ERROR_CODE(verify_bundle(bundle_of(outsider), bob.list, kNow), "e2ee_unknown_device");
  PrekeyBundle swapped = bundle_of(bob.devices[0]);
  swapped.signed_prekey = bundle_of(bob.devices[1]).signed_prekey;
  EXPECT_ERROR_CODE(verify_bundle(swapped, bob.list, kNow), "e2ee_bad_signature");
  TestAccount carol = make_account(1);
  EXPECT_ERROR_CODE(verify_bundle(bundle_of(carol.devices[0]), bob.list, kNow),
                    "e2ee_account_mismatch");
}

TEST(X3dh, BothSidesDeriveTheSameKeyWithAndWithoutOneTimePrekey) {
  TestDevice alice = make_device(random_id());
  TestDevice bob = make_device(random_id());
  for (bool with_otp : {true, false}) {
    PrekeyBundle b = bundle_of(bob, with_otp);
    auto init = x3dh_initiate(alice.identity, b, system_key_source());
    ASSERT_OK(init);
    const SignedPrekey* spk = find_signed_prekey(bob.prekeys, init->signed_prekey_id);
    const SecretBytes* otp = nullptr;
    if (init->one_time_prekey_id) {
      otp = find_one_time_prekey(bob.prekeys, *init->one_time_prekey_id)->private_key.get();
    }
    auto resp =
        x3dh_respond(bob.identity, alice.pub(), init->ephemeral_key, *spk->private_key, otp);
    ASSERT_OK(resp);
    EXPECT_TRUE(init->result.shared_key->constant_time_equals(resp->shared_key->span()));
    EXPECT_EQ(init->result.associated_data, resp->associated_data);
    EXPECT_EQ(init->result.associated_data.size(), kAssociatedDataBytes);
    // Without the one-time prekey (or with the wrong one) the keys differ.
    if (with_otp) {
      auto without =
          x3dh_respond(bob.identity, alice.pub(), init->ephemeral_key, *spk->private_key, nullptr);
      EXPECT_FALSE(init->result.shared_key->constant_time_equals(without->shared_key->span()));
    }
  }
}

TEST(X3dh, LowOrderPointIsRefused) {
  TestDevice alice = make_device(random_id());
  TestDevice bob = make_device(random_id());
  PrekeyBundle b = bundle_of(bob);
  b.signed_prekey.public_key = PublicKey{};  // the point 0 has small order
  EXPECT_ERROR_CODE(x3dh_initiate(alice.identity, b, system_key_source()), "e2ee_bad_key");
}

}  // namespace
}  // namespace hippocrate::e2ee::testing
