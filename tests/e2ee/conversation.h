// A two-device conversation (Alice → Bob) driven through the public send/receive functions,
// committing each side's state only on success, as a client does with its keystore.
#pragma once

#include <optional>
#include <string>

#include "e2ee/session_cipher.h"
#include "e2ee_test_util.h"
#include "support/result_matchers.h"

namespace hippocrate::e2ee::testing {

class Conversation : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_account = make_account(1);
    bob_account = make_account(1);
    auto s = start_session(alice().identity, bundle_of(bob()), bob_account.list, kNow);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    alice_session = std::move(*s);
  }

  TestDevice& alice() { return alice_account.devices[0]; }
  TestDevice& bob() { return bob_account.devices[0]; }

  Bytes alice_sends(const std::string& text) {
    auto m = encrypt_message(alice().identity, *alice_session, text_from(alice(), text));
    EXPECT_TRUE(m.ok()) << m.error().to_string();
    alice_session = std::move(m->session);
    return std::move(m->envelope);
  }

  Bytes bob_sends(const std::string& text) {
    auto m = encrypt_message(bob().identity, *bob_session, text_from(bob(), text));
    EXPECT_TRUE(m.ok()) << m.error().to_string();
    bob_session = std::move(m->session);
    return std::move(m->envelope);
  }

  // Bob receives; on success his session and prekeys advance.
  Result<MessageContent> bob_receives(const Bytes& envelope) {
    const Session* existing = bob_session ? &*bob_session : nullptr;
    auto r =
        decrypt_message(bob().identity, bob().prekeys, alice().pub(), existing, envelope, kNow);
    if (!r.ok()) return std::move(r).error();
    bob_session = std::move(r->session);
    if (r->used_one_time_prekey) {
      bob().prekeys = without_one_time_prekey(bob().prekeys, *r->used_one_time_prekey);
    }
    return std::move(r->content);
  }

  Result<MessageContent> alice_receives(const Bytes& envelope) {
    auto r = decrypt_message(alice().identity, alice().prekeys, bob().pub(), &*alice_session,
                             envelope, kNow);
    if (!r.ok()) return std::move(r).error();
    alice_session = std::move(r->session);
    return std::move(r->content);
  }

  // Asserts that Bob decrypts `envelope` to `text`.
  void expect_bob_reads(const Bytes& envelope, const std::string& text) {
    auto got = bob_receives(envelope);
    ASSERT_TRUE(got.ok()) << got.error().to_string();
    EXPECT_EQ(body_text(*got), text);
  }
  void expect_alice_reads(const Bytes& envelope, const std::string& text) {
    auto got = alice_receives(envelope);
    ASSERT_TRUE(got.ok()) << got.error().to_string();
    EXPECT_EQ(body_text(*got), text);
  }

  TestAccount alice_account;
  TestAccount bob_account;
  std::optional<Session> alice_session;
  std::optional<Session> bob_session;
};

}  // namespace hippocrate::e2ee::testing
