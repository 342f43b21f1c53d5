// Pairwise sessions through the public API: round trips, out-of-order and dropped messages,
// and a malicious server (tampering, replays, reordering, substituted keys) — each rejected
// while the session keeps working for genuine messages.
#include <gtest/gtest.h>

#include "conversation.h"
#include "e2ee/envelope.h"
#include "e2ee/state_codec.h"

namespace hippocrate::e2ee::testing {
namespace {

TEST_F(Conversation, RoundTripBothWaysAcrossManyRatchetSteps) {
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 3; ++i) {
      const std::string text = "from alice " + std::to_string(round) + "/" + std::to_string(i);
      expect_bob_reads(alice_sends(text), text);
    }
    for (int i = 0; i < 2; ++i) {
      const std::string text = "from bob " + std::to_string(round) + "/" + std::to_string(i);
      expect_alice_reads(bob_sends(text), text);
    }
  }
  EXPECT_FALSE(alice_session->pending_prekey.has_value());
}

TEST_F(Conversation, FirstMessagesArePrekeyMessagesUntilTheReply) {
  const Bytes first = alice_sends("one");
  const Bytes second = alice_sends("two");
  EXPECT_EQ(decode_envelope(first)->type(), EnvelopeType::kPrekeyMessage);
  EXPECT_EQ(decode_envelope(second)->type(), EnvelopeType::kPrekeyMessage);
  // The first one is lost: the second still creates Bob's session.
  expect_bob_reads(second, "two");
  expect_alice_reads(bob_sends("reply"), "reply");
  EXPECT_EQ(decode_envelope(alice_sends("three"))->type(), EnvelopeType::kMessage);
  // The lost one arrives late: its key was skipped and is still usable.
  expect_bob_reads(first, "one");
}

TEST_F(Conversation, OneTimePrekeyIsConsumedAndItsReplayRejected) {
  const auto otp_id = bob().prekeys.one_time_prekeys[0].pub.id;
  const Bytes first = alice_sends("hello");
  expect_bob_reads(first, "hello");
  EXPECT_EQ(find_one_time_prekey(bob().prekeys, otp_id), nullptr);
  // Replayed into the existing session: the message key was used.
  EXPECT_ERROR_CODE(bob_receives(first), "e2ee_replay");
  // Replayed to a device that lost the session: the one-time prekey is gone.
  bob_session.reset();
  EXPECT_ERROR_CODE(bob_receives(first), "e2ee_unknown_prekey");
}

TEST_F(Conversation, TamperedCiphertextIsRejectedAndSessionContinues) {
  expect_bob_reads(alice_sends("setup"), "setup");
  Bytes envelope = alice_sends("genuine");
  for (std::size_t pos : {std::size_t{2}, envelope.size() / 2, envelope.size() - 1}) {
    Bytes bad = envelope;
    bad[pos] ^= 0x01;
    auto r = bob_receives(bad);
    EXPECT_FALSE(r.ok()) << "byte " << pos;
  }
  Bytes bad = envelope;
  bad[bad.size() - 20] ^= 0x80;
  EXPECT_ERROR_CODE(bob_receives(bad), "e2ee_decrypt_failed");
  expect_bob_reads(envelope, "genuine");
  expect_bob_reads(alice_sends("after"), "after");
}

TEST_F(Conversation, ForgedHeaderCannotAdvanceTheRatchet) {
  expect_bob_reads(alice_sends("setup"), "setup");
  const Bytes genuine = alice_sends("genuine");
  auto e = *decode_envelope(genuine);
  e.header.dh = crypto::x25519_generate().public_key;  // a new "ratchet key" from the server
  EXPECT_ERROR_CODE(bob_receives(encode_envelope(e)), "e2ee_decrypt_failed");
  e = *decode_envelope(genuine);
  e.header.n += 5;
  EXPECT_ERROR_CODE(bob_receives(encode_envelope(e)), "e2ee_decrypt_failed");
  expect_bob_reads(genuine, "genuine");
}

TEST_F(Conversation, ReplayedEnvelopeIsRejectedAndSessionContinues) {
  const Bytes a = alice_sends("a");
  expect_bob_reads(a, "a");
  const Bytes b = alice_sends("b");
  expect_bob_reads(b, "b");
  EXPECT_ERROR_CODE(bob_receives(b), "e2ee_replay");
  EXPECT_ERROR_CODE(bob_receives(a), "e2ee_replay");
  // After a ratchet step, a message from the replaced chain is still a replay.
  expect_alice_reads(bob_sends("turn"), "turn");
  const Bytes c = alice_sends("c");
  expect_bob_reads(c, "c");
  EXPECT_ERROR_CODE(bob_receives(b), "e2ee_replay");
  EXPECT_ERROR_CODE(bob_receives(c), "e2ee_replay");
  expect_bob_reads(alice_sends("d"), "d");
}

TEST_F(Conversation, ReorderedAndDroppedMessages) {
  expect_bob_reads(alice_sends("0"), "0");
  std::vector<Bytes> sent;
  for (int i = 1; i <= 6; ++i) sent.push_back(alice_sends(std::to_string(i)));
  expect_bob_reads(sent[4], "5");
  expect_bob_reads(sent[1], "2");
  expect_bob_reads(sent[5], "6");
  expect_bob_reads(sent[0], "1");
  // sent[2] and sent[3] are dropped; a new chain from Bob, then Alice's next chain.
  expect_alice_reads(bob_sends("x"), "x");
  const Bytes next = alice_sends("7");
  expect_bob_reads(next, "7");
  EXPECT_EQ(bob_session->skipped.size(), 2u);
  expect_bob_reads(sent[3], "4");  // a late one from the previous chain
  EXPECT_EQ(bob_session->skipped.size(), 1u);
}

TEST_F(Conversation, OutOfOrderUpToTheSkipLimitThenAClearError) {
  expect_bob_reads(alice_sends("setup"), "setup");
  Bytes first_skipped;
  Bytes at_limit;
  for (std::uint32_t i = 0; i <= kMaxSkip; ++i) {
    Bytes e = alice_sends("m" + std::to_string(i));
    if (i == 0) first_skipped = e;
    if (i == kMaxSkip) at_limit = e;
  }
  // Message kMaxSkip skips exactly kMaxSkip keys: accepted.
  expect_bob_reads(at_limit, "m" + std::to_string(kMaxSkip));
  EXPECT_EQ(bob_session->skipped.size(), kMaxSkip);
  expect_bob_reads(first_skipped, "m0");

  // One more than the limit: refused, and nothing changes.
  for (std::uint32_t i = 0; i <= kMaxSkip; ++i) alice_sends("lost");
  const Bytes too_far = alice_sends("too far");
  const SecretBytes before = serialize_session(*bob_session);
  EXPECT_ERROR_CODE(bob_receives(too_far), "e2ee_too_many_skipped");
  EXPECT_TRUE(before.constant_time_equals(serialize_session(*bob_session).span()));
}

TEST_F(Conversation, SkippedKeyStoreIsCappedByEvictingTheOldest) {
  expect_bob_reads(alice_sends("setup"), "setup");
  expect_alice_reads(bob_sends("turn"), "turn");
  // Three chains of 1000 skipped keys each would be 3000 > kMaxStoredSkippedKeys.
  Bytes oldest;
  for (int chain = 0; chain < 3; ++chain) {
    for (std::uint32_t i = 0; i < kMaxSkip; ++i) {
      Bytes e = alice_sends("s");
      if (chain == 0 && i == 0) oldest = e;
    }
    expect_bob_reads(alice_sends("end of chain"), "end of chain");
    expect_alice_reads(bob_sends("turn"), "turn");
  }
  EXPECT_EQ(bob_session->skipped.size(), kMaxStoredSkippedKeys);
  EXPECT_FALSE(bob_receives(oldest).ok());  // evicted
  expect_bob_reads(alice_sends("still fine"), "still fine");
}

TEST_F(Conversation, SubstitutedPrekeyBundleIsRejected) {
  // The server substitutes its own signed prekey for Bob's.
  PrekeyBundle forged = bundle_of(bob());
  forged.signed_prekey.public_key = crypto::x25519_generate().public_key;
  EXPECT_ERROR_CODE(start_session(alice().identity, forged, bob_account.list, kNow),
                    "e2ee_bad_signature");
  // The server substitutes a whole device identity (its own keys, properly self-signed).
  TestDevice mallory = make_device(bob_account.account_id);
  PrekeyBundle fake = bundle_of(mallory);
  fake.identity.device_id = bob().pub().device_id;
  EXPECT_FALSE(start_session(alice().identity, fake, bob_account.list, kNow).ok());
  mallory.identity = *generate_device_identity(bob_account.account_id, bob().pub().device_id);
  EXPECT_ERROR_CODE(start_session(alice().identity, bundle_of(mallory), bob_account.list, kNow),
                    "e2ee_identity_mismatch");
  // The genuine session still works.
  expect_bob_reads(alice_sends("genuine"), "genuine");
}

TEST_F(Conversation, PrekeyMessageWithOtherIdentityThanTheDeviceListIsRejected) {
  const Bytes genuine = alice_sends("hello");
  // Mallory, not in Alice's device list, claims to be Alice's device.
  TestDevice mallory = make_device(alice_account.account_id);
  auto s = *start_session(mallory.identity, bundle_of(bob(), true, 1), bob_account.list, kNow);
  MessageContent mc = text_from(mallory, "forged");
  auto forged = encrypt_message(mallory.identity, s, mc);
  ASSERT_OK(forged);
  EXPECT_ERROR_CODE(bob_receives(forged->envelope), "e2ee_identity_mismatch");
  expect_bob_reads(genuine, "hello");
}

TEST_F(Conversation, ContentNamingAnotherSenderIsRejected) {
  MessageContent c = text_from(alice(), "x");
  c.sender_device_id = random_id();
  EXPECT_ERROR_CODE(encrypt_message(alice().identity, *alice_session, c), "e2ee_sender_mismatch");
}

TEST_F(Conversation, NormalMessageWithoutSessionIsRejected) {
  expect_bob_reads(alice_sends("one"), "one");
  expect_alice_reads(bob_sends("two"), "two");
  const Bytes normal = alice_sends("three");
  bob_session.reset();
  EXPECT_ERROR_CODE(bob_receives(normal), "e2ee_no_session");
}

TEST_F(Conversation, FailedDecryptLeavesTheCallersStateUnchanged) {
  expect_bob_reads(alice_sends("setup"), "setup");
  const Bytes genuine = alice_sends("genuine");
  Bytes bad = genuine;
  bad.back() ^= 1;
  const Session before = *bob_session;
  const SecretBytes before_bytes = serialize_session(before);
  auto r = decrypt_message(bob().identity, bob().prekeys, alice().pub(), &before, bad, kNow);
  EXPECT_ERROR_CODE(r, "e2ee_decrypt_failed");
  EXPECT_TRUE(before_bytes.constant_time_equals(serialize_session(before).span()));
  auto ok = decrypt_message(bob().identity, bob().prekeys, alice().pub(), &before, genuine, kNow);
  ASSERT_OK(ok);
  EXPECT_EQ(body_text(ok->content), "genuine");
  // The input session was not advanced by the successful call either.
  EXPECT_TRUE(before_bytes.constant_time_equals(serialize_session(before).span()));
}

TEST_F(Conversation, SessionSurvivesSerialisation) {
  expect_bob_reads(alice_sends("one"), "one");
  const Bytes skipped = alice_sends("skipped");
  expect_bob_reads(alice_sends("two"), "two");
  bob_session = *parse_session(serialize_session(*bob_session).span());
  alice_session = *parse_session(serialize_session(*alice_session).span());
  expect_bob_reads(skipped, "skipped");
  expect_alice_reads(bob_sends("three"), "three");
  expect_bob_reads(alice_sends("four"), "four");
}

TEST_F(Conversation, CorruptSerialisedSessionIsRejected) {
  expect_bob_reads(alice_sends("one"), "one");
  SecretBytes bytes = serialize_session(*bob_session);
  Bytes copy(bytes.span().begin(), bytes.span().end());
  EXPECT_ERROR_CODE(parse_session(std::span(copy).first(copy.size() - 1)), "e2ee_malformed");
  copy.push_back(0);
  EXPECT_ERROR_CODE(parse_session(copy), "e2ee_malformed");
  copy.pop_back();
  copy[0] = 0x09;
  EXPECT_ERROR_CODE(parse_session(copy), "e2ee_unknown_version");
}

}  // namespace
}  // namespace hippocrate::e2ee::testing
