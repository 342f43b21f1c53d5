// The client keystore (src/client/keystore.h; docs/protocol.md §8): encrypted at rest,
// rewritten atomically, tampering reported and never silently reset.
#include "client/keystore.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "base/files.h"
#include "conversation.h"
#include "e2ee/state_codec.h"
#include "support/temp_dir.h"

namespace hippocrate::client {
namespace {

using e2ee::testing::contains_bytes;
using e2ee::testing::kNow;
using e2ee::testing::make_device;

constexpr crypto::Argon2Params kFastArgon2{1, 1024 * 1024};

KeystoreUnlock pass(std::string_view p) {
  return KeystoreUnlock::passphrase(SecretBytes::from(p), kFastArgon2);
}

KeystoreData sample_data() {
  e2ee::testing::TestDevice d = make_device(random_id());
  KeystoreData data;
  data.device = d.identity;
  data.account_key = *e2ee::generate_account_key(d.pub().account_id);
  data.prekeys = d.prekeys;
  data.device_list_versions[d.pub().account_id] = 3;
  return data;
}

Bytes file_bytes(const std::filesystem::path& p) {
  auto s = read_file(p, 1 << 26);
  return Bytes(s->begin(), s->end());
}

void write_bytes(const std::filesystem::path& p, const Bytes& b) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

bool same_state(const KeystoreData& a, const KeystoreData& b) {
  return encode_keystore_data(a).constant_time_equals(encode_keystore_data(b).span());
}

class KeystoreTest : public ::testing::Test {
 protected:
  hippocrate::testing::TempDir dir;
  std::filesystem::path file = dir.path() / "keystore.bin";
};

TEST_F(KeystoreTest, PassphraseRoundTripAndModes) {
  const KeystoreData data = sample_data();
  auto ks = Keystore::create(file, pass("correct horse battery"), data);
  ASSERT_OK(ks);
  EXPECT_EQ(mode_of(file), 0600u);
  auto opened = Keystore::open(file, pass("correct horse battery"));
  ASSERT_OK(opened);
  EXPECT_TRUE(same_state(opened->data(), data));
  EXPECT_EQ(opened->data().device.pub, data.device.pub);
  EXPECT_EQ(opened->data().prekeys.one_time_prekeys.size(), data.prekeys.one_time_prekeys.size());
  EXPECT_EQ(opened->data().device_list_versions.at(data.device.pub.account_id), 3u);
  // No private key appears in clear in the file.
  const Bytes raw = file_bytes(file);
  EXPECT_FALSE(contains_bytes(raw, data.device.dh.private_key->span()));
  EXPECT_FALSE(contains_bytes(raw, data.prekeys.one_time_prekeys[0].private_key->span()));
  EXPECT_ERROR_CODE(Keystore::create(file, pass("x"), data), "keystore_exists");
}

TEST_F(KeystoreTest, WrongPassphraseIsAClearError) {
  ASSERT_OK(Keystore::create(file, pass("correct horse battery"), sample_data()));
  EXPECT_ERROR_CODE(Keystore::open(file, pass("wrong horse battery")), "keystore_wrong_passphrase");
  EXPECT_ERROR_CODE(Keystore::open(file, KeystoreUnlock::key_file()), "keystore_needs_passphrase");
  EXPECT_ERROR_CODE(Keystore::open(dir.path() / "missing.bin", pass("x")), "keystore_not_found");
}

TEST_F(KeystoreTest, KeyFileModeCreatesA0600KeyAndNeedsIt) {
  const KeystoreData data = sample_data();
  ASSERT_OK(Keystore::create(file, KeystoreUnlock::key_file(), data));
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(mode_of(Keystore::key_file_path(file)), 0600u);
  auto opened = Keystore::open(file, KeystoreUnlock::key_file());
  ASSERT_OK(opened);
  EXPECT_TRUE(same_state(opened->data(), data));
  // Another key file: refused, not reset.
  write_bytes(Keystore::key_file_path(file), Bytes(32, 0x55));
  ::chmod(Keystore::key_file_path(file).c_str(), 0600);
  EXPECT_ERROR_CODE(Keystore::open(file, KeystoreUnlock::key_file()), "keystore_wrong_key");
  std::filesystem::remove(Keystore::key_file_path(file));
  EXPECT_ERROR_CODE(Keystore::open(file, KeystoreUnlock::key_file()), "keystore_key_missing");
  EXPECT_FALSE(std::filesystem::exists(Keystore::key_file_path(file)));  // not recreated
}

TEST_F(KeystoreTest, TamperedFileIsReportedNeverReset) {
  ASSERT_OK(Keystore::create(file, pass("pw pw pw pw pw"), sample_data()));
  const Bytes good = file_bytes(file);
  for (std::size_t pos : {good.size() - 1, good.size() / 2, std::size_t{60}}) {
    Bytes bad = good;
    bad[pos] ^= 0x10;
    write_bytes(file, bad);
    SCOPED_TRACE(pos);
    EXPECT_ERROR_CODE(Keystore::open(file, pass("pw pw pw pw pw")), "keystore_corrupt");
    EXPECT_EQ(file_bytes(file), bad);  // left as found, for the user to restore
  }
  write_bytes(file, Bytes(good.begin(), good.begin() + 40));  // truncated
  EXPECT_ERROR_CODE(Keystore::open(file, pass("pw pw pw pw pw")), "keystore_corrupt");
  Bytes version = good;
  version[4] = 9;
  write_bytes(file, version);
  EXPECT_ERROR_CODE(Keystore::open(file, pass("pw pw pw pw pw")), "keystore_unknown_version");
  write_bytes(file, good);
  EXPECT_OK(Keystore::open(file, pass("pw pw pw pw pw")));
}

TEST_F(KeystoreTest, CrashDuringRewriteKeepsThePreviousContent) {
  auto ks = Keystore::create(file, pass("pw pw pw pw pw"), sample_data());
  ASSERT_OK(ks);
  KeystoreData next = ks->data();
  next.device_list_versions["0123456789abcdef0123456789abcdef"] = 9;
  ASSERT_OK(ks->commit(next));
  // A crash mid-write leaves a partial temporary file beside the keystore (write_file_atomic
  // writes ".<name>.tmp-<id>" then renames it); the keystore itself is the last commit.
  write_bytes(dir.path() / ".keystore.bin.tmp-0000", Bytes(100, 0x42));
  auto opened = Keystore::open(file, pass("pw pw pw pw pw"));
  ASSERT_OK(opened);
  EXPECT_EQ(opened->data().device_list_versions.at("0123456789abcdef0123456789abcdef"), 9u);
  EXPECT_TRUE(same_state(opened->data(), next));
}

TEST_F(KeystoreTest, FailedCommitChangesNothing) {
  auto ks = Keystore::create(file, pass("pw pw pw pw pw"), sample_data());
  ASSERT_OK(ks);
  const KeystoreData before = ks->data();
  const Bytes before_file = file_bytes(file);
  // Make the rename impossible: the keystore path becomes a non-empty directory.
  std::filesystem::remove(file);
  std::filesystem::create_directories(file / "blocker");
  KeystoreData next = before;
  next.device_list_versions["0123456789abcdef0123456789abcdef"] = 1;
  EXPECT_ERROR_CODE(ks->commit(next), "file_write_failed");
  EXPECT_TRUE(same_state(ks->data(), before));
}

// Issue 25.4: whoever can write the server's database can swap a contact's account key and
// the devices it signs; the change blocks sending whether the contact was verified or not.
TEST_F(KeystoreTest, ContactKeyChangeBlocksSendingVerifiedOrNot) {
  KeystoreData d = sample_data();
  const std::string bob = random_id();
  const std::string carol = random_id();
  const e2ee::PublicKey k1 = e2ee::generate_account_key(bob)->public_key;
  const e2ee::PublicKey k2 = e2ee::generate_account_key(bob)->public_key;
  d = observe_account_key(d, bob, k1);
  d = observe_account_key(d, carol, k1);
  EXPECT_FALSE(sending_blocked(d, bob));
  d = mark_verified(d, bob);
  d = observe_account_key(d, bob, k1);
  EXPECT_FALSE(sending_blocked(d, bob));
  d = observe_account_key(d, bob, k2);
  d = observe_account_key(d, carol, k2);  // never verified: blocked all the same
  EXPECT_TRUE(d.contacts.at(bob).key_changed);
  EXPECT_TRUE(sending_blocked(d, bob));
  EXPECT_TRUE(sending_blocked(d, carol));
  d.contacts.at(bob).hint_shown = true;
  ASSERT_OK(Keystore::create(file, pass("pw pw pw pw pw"), d));
  auto opened = Keystore::open(file, pass("pw pw pw pw pw"));
  ASSERT_OK(opened);
  EXPECT_TRUE(sending_blocked(opened->data(), bob));
  EXPECT_TRUE(sending_blocked(opened->data(), carol));
  EXPECT_TRUE(opened->data().contacts.at(bob).hint_shown);
  // Accepted without comparing (trust): unblocked, not verified, the hint comes back.
  KeystoreData acked = acknowledge_key_change(opened->data(), bob);
  EXPECT_FALSE(sending_blocked(acked, bob));
  EXPECT_FALSE(acked.contacts.at(bob).verified);
  EXPECT_FALSE(acked.contacts.at(bob).hint_shown);
  EXPECT_EQ(acked.contacts.at(bob).account_key, k2);
  // Verified after comparing (verify --acknowledge-change): unblocked and verified.
  KeystoreData verified = mark_verified(acknowledge_key_change(acked, carol), carol);
  EXPECT_FALSE(sending_blocked(verified, carol));
  EXPECT_TRUE(verified.contacts.at(carol).verified);
  // Seeing the same key again changes nothing.
  EXPECT_FALSE(sending_blocked(observe_account_key(verified, carol, k2), carol));
}

TEST_F(KeystoreTest, OwnDevicesAreKeptAndAbsentFromOlderKeystores) {
  KeystoreData d = sample_data();
  EXPECT_FALSE(d.own_devices.has_value());
  auto ks = Keystore::create(file, KeystoreUnlock::key_file(), d);
  ASSERT_OK(ks);
  auto opened = Keystore::open(file, KeystoreUnlock::key_file());
  ASSERT_OK(opened);
  EXPECT_FALSE(opened->data().own_devices.has_value());
  KeystoreData next = ks->data();
  next.own_devices = std::set<std::string>{d.device.pub.device_id, random_id()};
  ASSERT_OK(ks->commit(next));
  opened = Keystore::open(file, KeystoreUnlock::key_file());
  ASSERT_OK(opened);
  EXPECT_EQ(opened->data().own_devices, next.own_devices);
  next.own_devices->clear();  // known, and empty: not the same as unknown
  ASSERT_OK(ks->commit(next));
  opened = Keystore::open(file, KeystoreUnlock::key_file());
  ASSERT_OK(opened);
  ASSERT_TRUE(opened->data().own_devices.has_value());
  EXPECT_TRUE(opened->data().own_devices->empty());
}

// At-least-once delivery: the ids of the messages received are kept, bounded, in order.
TEST(KeystoreSeenMessageIds, RemembersTheMostRecentIdsAndDropsTheOldest) {
  SeenMessageIds seen;
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < SeenMessageIds::kLimit + 5; ++i) ids.push_back(random_id());
  seen.insert(ids[0]);
  seen.insert(ids[0]);  // again: no change
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen.contains(ids[0]));
  EXPECT_FALSE(seen.contains(ids[1]));
  seen.insert("not an id");
  seen.insert(std::string(32, 'A'));  // upper case: not the id format
  EXPECT_EQ(seen.size(), 1u);
  for (const auto& id : ids) seen.insert(id);
  EXPECT_EQ(seen.size(), SeenMessageIds::kLimit);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_FALSE(seen.contains(ids[i])) << i;
  for (std::size_t i = 5; i < ids.size(); ++i) ASSERT_TRUE(seen.contains(ids[i])) << i;
  EXPECT_EQ(seen.in_order().front(), ids[5]);
  EXPECT_EQ(seen.in_order().back(), ids.back());
  seen.insert(ids[0]);  // forgotten, so new again: it is the most recent now
  EXPECT_TRUE(seen.contains(ids[0]));
  EXPECT_FALSE(seen.contains(ids[5]));
  EXPECT_EQ(seen.in_order().back(), ids[0]);
}

TEST_F(KeystoreTest, SeenMessageIdsAreCommittedWithTheSessionsAndKeptInOrder) {
  auto ks = Keystore::create(file, KeystoreUnlock::key_file(), sample_data());
  ASSERT_OK(ks);
  EXPECT_TRUE(ks->data().seen_messages.empty());
  KeystoreData next = ks->data();
  std::vector<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    ids.push_back(random_id());
    next.seen_messages.insert(ids.back());
  }
  next.device_list_versions["0123456789abcdef0123456789abcdef"] = 4;
  ASSERT_OK(ks->commit(next));
  auto opened = Keystore::open(file, KeystoreUnlock::key_file());
  ASSERT_OK(opened);
  const auto& order = opened->data().seen_messages.in_order();
  EXPECT_EQ(std::vector<std::string>(order.begin(), order.end()), ids);
  EXPECT_EQ(opened->data().device_list_versions.at("0123456789abcdef0123456789abcdef"), 4u);
  EXPECT_TRUE(same_state(opened->data(), next));
  // A failed write loses neither half: the ids and the rest stay as they were together.
  std::filesystem::remove(file);
  std::filesystem::create_directories(file / "blocker");
  KeystoreData more = ks->data();
  more.seen_messages.insert(random_id());
  more.device_list_versions["0123456789abcdef0123456789abcdef"] = 5;
  EXPECT_ERROR_CODE(ks->commit(more), "file_write_failed");
  EXPECT_EQ(ks->data().seen_messages.size(), ids.size());
  EXPECT_EQ(ks->data().device_list_versions.at("0123456789abcdef0123456789abcdef"), 4u);
}

TEST_F(KeystoreTest, ContentsOfEarlierFormatsOpen) {
  // Format 0x01 ended after the device-list versions; 0x02 appends u32 count ‖ ids; 0x03
  // adds a byte to each contact (hint_shown) and u8 flag [‖ u32 count ‖ ids] (own devices);
  // 0x04 each contact's e-mail and name. The sample has no contact, no seen id and no own
  // devices: its tail is u32 0 ‖ u8 0, and 0x03 and 0x04 are the same bytes.
  const KeystoreData data = sample_data();
  const SecretBytes current = encode_keystore_data(data);
  ASSERT_EQ(current.span()[0], 0x04);
  Bytes v3(current.span().begin(), current.span().end());
  v3[0] = 0x03;
  ASSERT_OK(decode_keystore_data(v3));
  EXPECT_TRUE(same_state(*decode_keystore_data(v3), data));
  Bytes v2(current.span().begin(), current.span().end() - 1);
  v2[0] = 0x02;
  auto decoded = decode_keystore_data(v2);
  ASSERT_OK(decoded);
  EXPECT_FALSE(decoded->own_devices.has_value());
  EXPECT_TRUE(same_state(*decoded, data));
  Bytes v1(current.span().begin(), current.span().end() - 5);
  v1[0] = 0x01;
  decoded = decode_keystore_data(v1);
  ASSERT_OK(decoded);
  EXPECT_TRUE(decoded->seen_messages.empty());
  EXPECT_TRUE(same_state(*decoded, data));
  Bytes newer(current.span().begin(), current.span().end());
  newer[0] = 0x05;
  EXPECT_ERROR_CODE(decode_keystore_data(newer), "keystore_unknown_version");
  // More ids than a keystore ever keeps: damaged.
  Bytes too_many(current.span().begin(), current.span().end() - 5);
  const std::uint32_t n = SeenMessageIds::kLimit + 1;
  for (int shift : {24, 16, 8, 0}) too_many.push_back(static_cast<std::uint8_t>(n >> shift));
  too_many.push_back(0);
  EXPECT_ERROR_CODE(decode_keystore_data(too_many), "keystore_corrupt");
  // A contact's hint_shown flag, e-mail and name are kept.
  KeystoreData with_contact = data;
  with_contact = observe_account_key(with_contact, random_id(),
                                     e2ee::generate_account_key(random_id())->public_key);
  ContactRecord& c = with_contact.contacts.begin()->second;
  c.hint_shown = true;
  c.email = "bob@example.org";
  c.display_name = "Dr Bob Élan";
  const SecretBytes c4 = encode_keystore_data(with_contact);
  auto back = decode_keystore_data(c4.span());
  ASSERT_OK(back);
  EXPECT_EQ(back->contacts.begin()->second, c);
}

// A conversation whose receiving side commits every state to its keystore.
class KeystoreConversation : public e2ee::testing::Conversation {
 protected:
  hippocrate::testing::TempDir dir;
  std::filesystem::path file = dir.path() / "bob.keystore";
};

TEST_F(KeystoreConversation, MessageKeysAreGoneFromTheKeystoreAfterUse) {
  expect_bob_reads(alice_sends("setup"), "setup");
  const Bytes late = alice_sends("late");
  expect_bob_reads(alice_sends("early"), "early");
  const Bytes mk(bob_session->skipped_key(0).begin(), bob_session->skipped_key(0).end());

  KeystoreData data;
  data.device = bob().identity;
  data.prekeys = bob().prekeys;
  data.sessions.insert_or_assign(alice().address(), *bob_session);
  auto ks = Keystore::create(file, KeystoreUnlock::key_file(), data);
  ASSERT_OK(ks);
  {
    auto reopened = Keystore::open(file, KeystoreUnlock::key_file());
    ASSERT_OK(reopened);
    ASSERT_TRUE(contains_bytes(encode_keystore_data(reopened->data()).span(), mk));
    // The session from disk keeps working.
    bob_session = reopened->data().sessions.at(alice().address());
  }
  expect_bob_reads(late, "late");
  KeystoreData next = ks->data();
  next.sessions.insert_or_assign(alice().address(), *bob_session);
  ASSERT_OK(ks->commit(next));

  auto reopened = Keystore::open(file, KeystoreUnlock::key_file());
  ASSERT_OK(reopened);
  EXPECT_FALSE(contains_bytes(encode_keystore_data(reopened->data()).span(), mk));
  bob_session = reopened->data().sessions.at(alice().address());
  expect_bob_reads(alice_sends("after reload"), "after reload");
  expect_alice_reads(bob_sends("reply"), "reply");
}

}  // namespace
}  // namespace hippocrate::client
