// Forward secrecy in the state: once a message is decrypted its key is gone from the next
// state, and the key buffers of replaced states are released — SecretBytes wipes them on
// destruction — as soon as no state refers to them.
#include <gtest/gtest.h>

#include <memory>

#include "conversation.h"
#include "e2ee/state_codec.h"

namespace hippocrate::e2ee::testing {
namespace {

TEST_F(Conversation, UsedSkippedMessageKeyIsGoneFromTheSerialisedState) {
  expect_bob_reads(alice_sends("setup"), "setup");
  const Bytes late = alice_sends("late");
  expect_bob_reads(alice_sends("early"), "early");
  ASSERT_EQ(bob_session->skipped.size(), 1u);
  const Bytes message_key(bob_session->skipped_key(0).begin(), bob_session->skipped_key(0).end());
  const SecretBytes before = serialize_session(*bob_session);
  ASSERT_TRUE(contains_bytes(before.span(), message_key));

  expect_bob_reads(late, "late");
  EXPECT_TRUE(bob_session->skipped.empty());
  EXPECT_FALSE(contains_bytes(serialize_session(*bob_session).span(), message_key));
}

TEST_F(Conversation, ChainKeyIsReplacedOnEveryMessage) {
  expect_bob_reads(alice_sends("one"), "one");
  const Bytes chain_key(bob_session->receiving_chain->span().begin(),
                        bob_session->receiving_chain->span().end());
  expect_bob_reads(alice_sends("two"), "two");
  const SecretBytes after = serialize_session(*bob_session);
  EXPECT_FALSE(contains_bytes(after.span(), chain_key));
  const Bytes sending(alice_session->sending_chain->span().begin(),
                      alice_session->sending_chain->span().end());
  alice_sends("three");
  EXPECT_FALSE(contains_bytes(serialize_session(*alice_session).span(), sending));
}

TEST_F(Conversation, ReplacedKeyBuffersAreReleasedWithTheLastStateUsingThem) {
  expect_bob_reads(alice_sends("setup"), "setup");
  const Bytes late = alice_sends("late");
  expect_bob_reads(alice_sends("early"), "early");
  std::weak_ptr<const SecretBytes> chain = bob_session->receiving_chain;
  std::weak_ptr<const SecretBytes> skipped = bob_session->skipped_keys;
  ASSERT_FALSE(chain.expired());
  ASSERT_FALSE(skipped.expired());
  {
    const Session old = *bob_session;  // a copy shares the buffers
    expect_bob_reads(late, "late");
    expect_bob_reads(alice_sends("next"), "next");
    EXPECT_FALSE(chain.expired());  // `old` still refers to them
  }
  // No state refers to them any more: destroyed, hence wiped (SecretBytes contract).
  EXPECT_TRUE(chain.expired());
  EXPECT_TRUE(skipped.expired());
}

}  // namespace
}  // namespace hippocrate::e2ee::testing
