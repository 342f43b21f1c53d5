// Recovery key and account-key backup (docs/protocol.md §2.6): the display format and its
// checksum, the sealed layout (fixed vectors, and an independent re-derivation from the
// spec's HKDF labels), and each strict-decoding failure with its own code.
#include <gtest/gtest.h>

#include <string>

#include "base/encoding.h"
#include "base/ids.h"
#include "crypto/aead.h"
#include "crypto/hkdf.h"
#include "e2ee/key_backup.h"
#include "e2ee/safety_number.h"
#include "support/result_matchers.h"

namespace hippocrate::e2ee::testing {
namespace {

constexpr std::string_view kAccount = "0123456789abcdef0123456789abcdef";

SecretBytes counting(std::uint8_t first, std::size_t n) {
  SecretBytes s(n);
  for (std::size_t i = 0; i < n; ++i) s.span()[i] = static_cast<std::uint8_t>(first + i);
  return s;
}

AccountKey fixed_account_key() { return *account_key_from_seed(kAccount, counting(0x20, 32)); }

Bytes fixed_nonce() {
  Bytes n(24);
  for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(0x40 + i);
  return n;
}

// Recovery key 00 01 … 1f; account seed 20 21 … 3f; nonce 40 41 … 57; version 1.
constexpr std::string_view kFormattedKey =
    "000g-40r4-0m30-e209-185g-r38e-1w81-24gk-2gah-c5rr-34d1-p70x-3rfg-9j0a";
constexpr std::string_view kBackupHex =
    "01"                                                                  // format
    "0123456789abcdef0123456789abcdef"                                    // account id
    "0000000000000001"                                                    // backup version
    "d31157fc3ed2d81750796b334a1062f2"                                    // key check
    "404142434445464748494a4b4c4d4e4f5051525354555657"                    // nonce
    "27282668b9ebcb92b19d9700c55d8d03a93322b960aaa2a73c97556df54b7593e6"  // contents
    "61fdf539f8c916d8e8c968ba29650d95";                                   // tag

TEST(RecoveryKey, FormatsAsFourteenGroupsAndParsesBack) {
  const SecretBytes key = counting(0, 32);
  const SecretBytes shown = format_recovery_key(key);
  EXPECT_EQ(std::string(shown.view()), kFormattedKey);
  auto parsed = parse_recovery_key(shown.view());
  ASSERT_OK(parsed);
  EXPECT_TRUE(parsed->constant_time_equals(key.span()));
  // Random keys round-trip, and every display has 56 symbols in 14 groups.
  for (int i = 0; i < 50; ++i) {
    const SecretBytes k = generate_recovery_key();
    const SecretBytes f = format_recovery_key(k);
    EXPECT_EQ(f.size(), 56u + 13u);
    auto back = parse_recovery_key(f.view());
    ASSERT_OK(back);
    EXPECT_TRUE(back->constant_time_equals(k.span()));
  }
}

TEST(RecoveryKey, TypingIsForgivingAboutPresentation) {
  std::string typed(kFormattedKey);
  for (char& c : typed) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  // Spaces instead of dashes, and Crockford's look-alikes: O for 0, I and L for 1.
  for (char& c : typed) {
    if (c == '-') c = ' ';
  }
  bool first_one = true;
  for (char& c : typed) {
    if (c == '0') c = 'O';
    if (c == '1') {
      c = first_one ? 'I' : 'l';
      first_one = false;
    }
  }
  ASSERT_NE(typed.find('I'), std::string::npos);
  ASSERT_NE(typed.find('l'), std::string::npos);
  auto parsed = parse_recovery_key(typed);
  ASSERT_OK(parsed);
  EXPECT_TRUE(parsed->constant_time_equals(counting(0, 32).span()));
}

TEST(RecoveryKey, ATypoIsCaughtByTheChecksum) {
  const std::string good(kFormattedKey);
  int caught = 0;
  int tried = 0;
  for (std::size_t i = 0; i < good.size(); ++i) {
    if (good[i] == '-') continue;
    for (char replacement : std::string_view("0123456789abcdefghjkmnpqrstvwxyz")) {
      if (replacement == good[i]) continue;
      std::string typo = good;
      typo[i] = replacement;
      ++tried;
      auto r = parse_recovery_key(typo);
      if (!r.ok()) {
        EXPECT_EQ(r.error().code(), "e2ee_recovery_key_invalid");
        ++caught;
      }
    }
  }
  EXPECT_EQ(caught, tried);  // every single-symbol substitution
  // Two neighbours swapped, a symbol missing or extra, a foreign character.
  std::string swapped = good;
  std::swap(swapped[5], swapped[6]);
  EXPECT_ERROR_CODE(parse_recovery_key(swapped), "e2ee_recovery_key_invalid");
  EXPECT_ERROR_CODE(parse_recovery_key(good.substr(1)), "e2ee_recovery_key_invalid");
  EXPECT_ERROR_CODE(parse_recovery_key(good + "0"), "e2ee_recovery_key_invalid");
  std::string foreign = good;
  foreign[0] = 'u';
  EXPECT_ERROR_CODE(parse_recovery_key(foreign), "e2ee_recovery_key_invalid");
  EXPECT_ERROR_CODE(parse_recovery_key(""), "e2ee_recovery_key_invalid");
  // The message never quotes what was typed.
  auto r = parse_recovery_key(swapped);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().find(swapped.substr(0, 9)), std::string::npos);
}

TEST(KeyBackup, FixedVector) {
  auto sealed = seal_key_backup(counting(0, 32), fixed_account_key(), 1, fixed_nonce());
  ASSERT_OK(sealed);
  EXPECT_EQ(sealed->size(), kKeyBackupBytes);
  EXPECT_EQ(hex_encode(*sealed), kBackupHex);
}

// The layout and labels of docs/protocol.md §2.6, re-derived here without key_backup.cc.
TEST(KeyBackup, MatchesTheSpecification) {
  const SecretBytes recovery = counting(0, 32);
  auto sealed = *seal_key_backup(recovery, fixed_account_key(), 7, fixed_nonce());
  Bytes account = *hex_decode(kAccount);
  auto info = [&](std::string_view label) {
    Bytes b(label.begin(), label.end());
    b.push_back(0);
    b.insert(b.end(), account.begin(), account.end());
    return b;
  };
  auto wrap = crypto::hkdf_sha256({}, recovery.span(), info("Hippocrate key backup v1"), 32);
  auto check = crypto::hkdf_sha256({}, recovery.span(), info("Hippocrate key backup check v1"), 16);
  ASSERT_OK(wrap);
  ASSERT_OK(check);
  EXPECT_EQ(sealed[0], 0x01);
  EXPECT_EQ(Bytes(sealed.begin() + 1, sealed.begin() + 17), account);
  EXPECT_EQ(Bytes(sealed.begin() + 17, sealed.begin() + 25), (Bytes{0, 0, 0, 0, 0, 0, 0, 7}));
  EXPECT_TRUE(check->constant_time_equals(std::span(sealed).subspan(25, 16)));
  EXPECT_EQ(Bytes(sealed.begin() + 41, sealed.begin() + 65), fixed_nonce());
  Bytes ad{'H', 'i', 'p', 'p', 'o', 'c', 'r', 'a', 't', 'e', ' ', 'k', 'e',
           'y', ' ', 'b', 'a', 'c', 'k', 'u', 'p', ' ', 'v', '1', 0};
  ad.insert(ad.end(), sealed.begin(), sealed.begin() + 41);
  auto contents = crypto::xchacha_open_secret(*wrap, std::span(sealed).subspan(41), ad);
  ASSERT_OK(contents);
  ASSERT_EQ(contents->size(), 33u);
  EXPECT_EQ(contents->span()[0], 0x01);
  EXPECT_TRUE(counting(0x20, 32).constant_time_equals(contents->span().subspan(1)));
}

TEST(KeyBackup, RestoresTheSameAccountKeyAndSafetyNumber) {
  const AccountKey original = *generate_account_key(random_id());
  const SecretBytes recovery = generate_recovery_key();
  auto sealed = seal_key_backup(recovery, original, 3);
  ASSERT_OK(sealed);
  auto header = read_key_backup_header(*sealed);
  ASSERT_OK(header);
  EXPECT_EQ(header->account_id, original.account_id);
  EXPECT_EQ(header->version, 3u);
  auto restored = open_key_backup(
      *sealed, *parse_recovery_key(format_recovery_key(recovery).view()), original.account_id);
  ASSERT_OK(restored);
  EXPECT_EQ(restored->public_key, original.public_key);
  ASSERT_TRUE(restored->secret_key);
  EXPECT_TRUE(restored->secret_key->constant_time_equals(original.secret_key->span()));
  const AccountFingerprintInput other{random_id(), generate_account_key(random_id())->public_key};
  EXPECT_EQ(*safety_number({original.account_id, original.public_key}, other),
            *safety_number({restored->account_id, restored->public_key}, other));
  // Two seals of the same key differ (random nonce) and both open.
  auto again = seal_key_backup(recovery, original, 3);
  EXPECT_NE(*again, *sealed);
  EXPECT_OK(open_key_backup(*again, recovery, original.account_id));
}

TEST(KeyBackup, AWrongKeyIsRefusedAsWrong) {
  auto sealed = *seal_key_backup(counting(0, 32), fixed_account_key(), 1);
  EXPECT_ERROR_CODE(open_key_backup(sealed, counting(1, 32), kAccount), "e2ee_recovery_key_wrong");
  EXPECT_ERROR_CODE(open_key_backup(sealed, generate_recovery_key(), kAccount),
                    "e2ee_recovery_key_wrong");
}

TEST(KeyBackup, EveryChangedByteIsRefused) {
  const SecretBytes recovery = counting(0, 32);
  const Bytes sealed = *seal_key_backup(recovery, fixed_account_key(), 1, fixed_nonce());
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes changed = sealed;
    changed[i] ^= 0x80;
    auto r = open_key_backup(changed, recovery, kAccount);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    const std::string code = r.error().code();
    if (i == 0) {
      EXPECT_EQ(code, "e2ee_unknown_version");
    } else if (i < 17) {
      EXPECT_EQ(code, "e2ee_account_mismatch") << i;
    } else if (i < 25) {
      EXPECT_EQ(code, "e2ee_backup_corrupt") << i;  // the version is authenticated
    } else if (i < 41) {
      EXPECT_EQ(code, "e2ee_recovery_key_wrong") << i;
    } else {
      EXPECT_EQ(code, "e2ee_backup_corrupt") << i;
    }
  }
}

TEST(KeyBackup, StrictLengthVersionAndAccount) {
  const SecretBytes recovery = counting(0, 32);
  const Bytes sealed = *seal_key_backup(recovery, fixed_account_key(), 1);
  Bytes shorter(sealed.begin(), sealed.end() - 1);
  EXPECT_ERROR_CODE(open_key_backup(shorter, recovery, kAccount), "e2ee_malformed");
  Bytes longer = sealed;
  longer.push_back(0);
  EXPECT_ERROR_CODE(open_key_backup(longer, recovery, kAccount), "e2ee_malformed");
  EXPECT_ERROR_CODE(open_key_backup({}, recovery, kAccount), "e2ee_malformed");
  Bytes v2 = sealed;
  v2[0] = 0x02;
  EXPECT_ERROR_CODE(open_key_backup(v2, recovery, kAccount), "e2ee_unknown_version");
  EXPECT_ERROR_CODE(open_key_backup(sealed, recovery, random_id()), "e2ee_account_mismatch");
  EXPECT_ERROR_CODE(read_key_backup_header(shorter), "e2ee_malformed");
}

TEST(KeyBackup, RefusesWhatItCannotSeal) {
  AccountKey public_only = fixed_account_key();
  public_only.secret_key.reset();
  EXPECT_ERROR_CODE(seal_key_backup(counting(0, 32), public_only, 1), "e2ee_bad_key");
  EXPECT_ERROR_CODE(seal_key_backup(counting(0, 31), fixed_account_key(), 1), "e2ee_bad_key");
  EXPECT_ERROR_CODE(seal_key_backup(counting(0, 32), fixed_account_key(), 0), "e2ee_malformed");
}

}  // namespace
}  // namespace hippocrate::e2ee::testing
